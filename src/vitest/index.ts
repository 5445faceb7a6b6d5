/**
 * `convospec/vitest`: spec files as vitest tests (docs/api.md). Inside a vitest test file,
 * `defineSpecs('specs/**\/*.yaml', { env: process.env })` defines one `it` per spec test,
 * grouped by spec file: a skipped test is `it.skip`, an `xfail` test `it.fails`, and a
 * failure points at the step's line in the YAML file with expected vs received.
 *
 * vitest is a peer dependency: this module imports it, the package does not bring it.
 */
import { resolve } from 'node:path';
import { describe, it, type TestContext } from 'vitest';
import type { Suite, Test } from '../kernel/model.js';
import type { EngineEnvironment } from '../engine/context.js';
import type { TestResult } from '../engine/events.js';
import { executeRun } from '../api/execute.js';
import { planRun, type RunSettings } from '../api/run.js';
import { InvalidSpec, SpecFailure } from './failure.js';

export { InvalidSpec, SpecFailure } from './failure.js';

export interface SpecOptions
  extends Pick<RunSettings, 'cwd' | 'env' | 'vars' | 'timeout' | 'grep' | 'tags' | 'shard' | 'insecure' | 'ca' | 'servername' | 'now'> {
  /** The name of the `describe` that holds the specs. Default: the paths given. */
  readonly name?: string;
}

/** Beyond a test's own `deadline`, so the engine's words about it reach vitest first. */
const VITEST_MARGIN_MS = 5_000;

/**
 * Loads the specs while vitest collects the file (an async `describe`), then defines a
 * `describe` per spec file and an `it` per test. Specs that do not load are one failing
 * `it` per file, with every diagnostic; each test runs alone, on its own connections.
 */
export function defineSpecs(paths: string | readonly string[], options: SpecOptions = {}): void {
  const inputs = typeof paths === 'string' ? [paths] : [...paths];
  const cwd = resolve(options.cwd ?? process.cwd());
  describe(options.name ?? inputs.join(', '), async () => {
    const plan = await planRun(inputs, { ...options, cwd, now: options.now ?? ((): Date => new Date()) });
    if (plan.invalid.length > 0) {
      for (const file of plan.invalid) {
        it(`${file.file} is not a valid spec`, () => {
          throw new InvalidSpec(file, cwd);
        });
      }
      return;
    }
    if (plan.selected === 0) {
      it('finds specs', () => {
        throw new Error(`no test found in ${inputs.join(', ')}${options.grep !== undefined || options.tags?.length ? ' (with grep/tags)' : ''}`);
      });
      return;
    }
    for (const suite of plan.suites) {
      // A `serial` file's tests share state (a mailbox): in order, one at a time.
      const group = suite.serial ? describe.sequential : describe;
      group(suite.name, () => {
        for (const test of suite.tests) defineTest(suite, test, plan.world, cwd);
      });
    }
  });
}

function defineTest(suite: Suite, test: Test, world: EngineEnvironment, cwd: string): void {
  if (test.skip) {
    it.skip(test.skip.reason !== undefined ? `${test.name} (${test.skip.reason})` : test.name, () => {});
    return;
  }
  const timeout = test.deadlineMs + VITEST_MARGIN_MS;
  const body = async (context: TestContext): Promise<void> => {
    const result = await runOne(suite, test, world, context.signal);
    await settle(result, test, cwd, context);
  };
  // `it.fails` passes when the body throws: a known failure (status `xfailed`) is thrown, a
  // pass returns, and vitest says the test should have failed.
  if (test.xfail !== undefined) it.fails(`${test.name} (xfail: ${test.xfail})`, body, timeout);
  else it(test.name, body, timeout);
}

async function runOne(suite: Suite, test: Test, world: EngineEnvironment, signal: AbortSignal): Promise<TestResult | undefined> {
  const { results } = await executeRun([{ ...suite, tests: [test] }], world, { concurrency: 1, bail: false, signal }, []);
  return results[0];
}

/** The engine's verdict as vitest's: return (pass), throw (fail), or `skip`. */
async function settle(result: TestResult | undefined, test: Test, cwd: string, context: TestContext): Promise<void> {
  if (result === undefined) throw new Error(`${test.name}: stopped before it finished (vitest's timeout or cancel)`);
  const failure = result.failure;
  switch (result.status) {
    case 'passed':
      return;
    case 'skipped':
      // `requires`: the server does not advertise a capability the test needs (format §13).
      context.skip(result.skipReason);
      return;
    case 'xfailed':
      // The known failure, thrown: under `it.fails`, that is the test passing.
      throw failure ? new SpecFailure(result, failure, cwd) : new Error(`${test.name}: failed as known`);
    case 'failed':
    case 'errored':
      if (test.xfail === undefined) throw failure ? new SpecFailure(result, failure, cwd) : new Error(`${test.name}: ${result.status}`);
      // Under `it.fails`, returning is what fails the test ("expected to fail"); convospec's
      // words (it passed; or an error on our side) go beside it as an annotation.
      if (failure) await context.annotate(new SpecFailure(result, failure, cwd).message, 'error');
      return;
    default: {
      const never: never = result.status;
      throw new Error(`unknown test status ${String(never)}`);
    }
  }
}
