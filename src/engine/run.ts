/**
 * Running suites: tests concurrently up to `concurrency`, a `serial` file's tests one after
 * another, each test isolated. Emits typed events; knows no reporter.
 */
import type { Suite, Test } from '../kernel/model.js';
import type { RunEvent, RunSummary, SuiteInfo, TestResult } from './events.js';
import type { EngineEnvironment } from './context.js';
import { runTest, testInfo } from './test-run.js';
import { RunInterrupt } from './interrupt.js';

export interface RunOptions {
  readonly concurrency: number;
  /** Stop starting tests after the first failure; the rest are reported as skipped. */
  readonly bail: boolean;
  /** Ctrl-C: running tests stop, unfinished ones are left out of the results. */
  readonly signal: AbortSignal;
  /** Whether anyone listens to live transcript lines (`--verbose`). */
  readonly liveTranscripts: boolean;
}

export type Emit = (event: RunEvent) => void | Promise<void>;

export interface RunOutcome {
  readonly results: readonly TestResult[];
  readonly summary: RunSummary;
}

interface Unit {
  readonly suite: Suite;
  readonly tests: readonly { readonly test: Test; readonly index: number }[];
}

export function suiteInfos(suites: readonly Suite[]): SuiteInfo[] {
  return suites.map((suite) => ({ file: suite.file, name: suite.name, tests: suite.tests.map((t) => testInfo(suite, t)) }));
}

export async function runSuites(suites: readonly Suite[], world: EngineEnvironment, options: RunOptions, emit: Emit): Promise<RunOutcome> {
  const startedAt = world.clock.now();
  await emit({ type: 'run-start', suites: suiteInfos(suites), startedAt: world.now() });
  const units = planUnits(suites);
  const slots: (TestResult | undefined)[] = [];
  let bailed = false;
  let nextUnit = 0;

  const interrupt = new RunInterrupt(options.signal);

  const runUnit = async (unit: Unit): Promise<void> => {
    for (const { test, index } of unit.tests) {
      if (options.signal.aborted) return;
      const info = testInfo(unit.suite, test);
      if (bailed) {
        slots[index] = { test: info, status: 'skipped', durationMs: 0, transcript: [], skipReason: 'not run: --bail after a failure' };
        await emit({ type: 'test-end', result: slots[index]! });
        continue;
      }
      await emit({ type: 'test-start', test: info });
      const result = await runTest(unit.suite, test, world, {
        interrupt,
        ...(options.liveTranscripts ? { onTranscript: (entry) => void emit({ type: 'transcript', test: info, entry }) } : {}),
      });
      // A test cut short by Ctrl-C did not finish: it is left out (format §8).
      if (result.failure?.kind === 'interrupted' && options.signal.aborted) return;
      slots[index] = result;
      if (options.bail && (result.status === 'failed' || result.status === 'errored')) bailed = true;
      await emit({ type: 'test-end', result });
    }
  };

  const worker = async (): Promise<void> => {
    while (nextUnit < units.length && !options.signal.aborted) {
      const unit = units[nextUnit++]!;
      await runUnit(unit);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency, units.length));
  await Promise.all(Array.from({ length: workers }, worker));

  const results = slots.filter((r): r is TestResult => r !== undefined);
  const summary = summarize(results, world.clock.now() - startedAt, options.signal.aborted);
  await emit({ type: 'run-end', results, summary });
  return { results, summary };
}

function planUnits(suites: readonly Suite[]): Unit[] {
  const units: Unit[] = [];
  let index = 0;
  for (const suite of suites) {
    const tests = suite.tests.map((test) => ({ test, index: index++ }));
    if (suite.serial) units.push({ suite, tests });
    else for (const t of tests) units.push({ suite, tests: [t] });
  }
  return units;
}

export function summarize(results: readonly TestResult[], durationMs: number, interrupted: boolean): RunSummary {
  const count = (status: TestResult['status']): number => results.filter((r) => r.status === status).length;
  return { passed: count('passed'), failed: count('failed'), errored: count('errored'), skipped: count('skipped'), xfailed: count('xfailed'), durationMs, interrupted };
}
