/**
 * Load mode (`run --repeat N` / `--duration 30s`): every selected test runs many times,
 * `concurrency` sessions at once across tests, optionally paced to `ratePerSecond` session
 * starts. Each session is an ordinary `runTest` without a transcript; what it took is told
 * to an observer (the statistics live in `src/loadtest/`). Knows no reporter.
 *
 * Scheduling: tests are dealt round-robin, so with `--repeat N` every test gets its N
 * sessions spread over the whole run. A `serial` file is one unit whose tests run one after
 * another each time, and at most one of its sessions is in flight: its tests share state.
 */
import type { Step, Suite, Test } from '../kernel/model.js';
import type { TestResult } from './events.js';
import type { EngineEnvironment } from './context.js';
import { runTest } from './test-run.js';
import { RunInterrupt } from './interrupt.js';

export interface LoadOptions {
  /** Sessions in flight at once. */
  readonly concurrency: number;
  /** Sessions per test; absent: as many as `durationMs` allows. */
  readonly repeat?: number;
  /** No session starts after this long (running ones finish, bounded by their deadlines). */
  readonly durationMs?: number;
  /** Session starts per second, over all tests; absent: as fast as `concurrency` allows. */
  readonly ratePerSecond?: number;
  /** Ctrl-C: running sessions stop and are left out of the statistics. */
  readonly signal: AbortSignal;
}

/** Told about the sessions of one test. Called on the hot path: keep it cheap. */
export interface TestLoadObserver {
  /** A step finished (nested steps of `repeat`/`include` too, each with its own span). */
  onStep(step: Step, ms: number, passed: boolean): void;
  /**
   * A session finished (never one cut short by Ctrl-C). `connectMs`: from the session's start
   * until its first step began — the implicit connection — when any step ran.
   */
  onSession(result: TestResult, connectMs: number | undefined): void;
}

export interface LoadObserver {
  /** Once per test that will run (not for skipped ones), before any session starts. */
  forTest(suite: Suite, test: Test): TestLoadObserver;
}

export interface LoadOutcome {
  /** Sessions that finished (passed, failed or errored). */
  readonly sessions: number;
  readonly durationMs: number;
  readonly interrupted: boolean;
}

interface LoadUnit {
  readonly suite: Suite;
  readonly tests: readonly { readonly test: Test; readonly observer: TestLoadObserver }[];
  /** Sessions (of the whole unit) still to start. */
  remaining: number;
  /** Only one session of a serial file at a time. */
  readonly exclusive: boolean;
  busy: number;
}

export async function runLoad(suites: readonly Suite[], world: EngineEnvironment, options: LoadOptions, observer: LoadObserver): Promise<LoadOutcome> {
  const clock = world.clock;
  const startedAt = clock.now();
  const stopAt = options.durationMs !== undefined ? startedAt + options.durationMs : Infinity;
  const interval = options.ratePerSecond !== undefined ? 1000 / options.ratePerSecond : 0;
  const queue = new UnitQueue(planUnits(suites, observer, options.repeat ?? Infinity));
  const { signal } = options;
  const interrupt = new RunInterrupt(signal);
  let paced = 0;
  let sessions = 0;

  const runSession = async (suite: Suite, test: Test, observer: TestLoadObserver): Promise<void> => {
    const sessionStart = clock.now();
    let firstStepAt = -1;
    const result = await runTest(suite, test, world, {
      interrupt,
      keepTranscript: false,
      onStep(step, ms, passed) {
        if (firstStepAt < 0) firstStepAt = clock.now() - ms;
        observer.onStep(step, ms, passed);
      },
    });
    // A session cut short by Ctrl-C did not finish: it is left out, as in `runSuites`.
    if (interrupt.interrupted && result.failure?.kind === 'interrupted') return;
    sessions += 1;
    observer.onSession(result, firstStepAt >= 0 ? firstStepAt - sessionStart : undefined);
  };

  /** Waits for this session's slot in the `--rate` schedule; false when it falls past the end. */
  const pace = async (): Promise<boolean> => {
    const at = startedAt + paced++ * interval;
    if (at >= stopAt) return false;
    const wait = at - clock.now();
    if (wait > 0) await world.sleep(wait, signal).catch(() => undefined);
    return !interrupt.interrupted;
  };

  const worker = async (): Promise<void> => {
    // Each turn starts one unit's session or waits for a busy serial unit to free; the
    // queue ends (repeat) or the clock passes `stopAt` (duration), so the loop ends.
    for (;;) {
      if (interrupt.interrupted || clock.now() >= stopAt) return;
      const unit = queue.take();
      if (unit === 'done') return;
      if (unit === 'wait') {
        await queue.released();
        continue;
      }
      try {
        // Without --rate there is nothing to wait for: no async call (and no await) per session.
        if (interval !== 0 && !(await pace())) return;
        for (const { test, observer } of unit.tests) {
          if (interrupt.interrupted) return;
          await runSession(unit.suite, test, observer);
        }
      } finally {
        queue.release(unit);
      }
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return { sessions, durationMs: clock.now() - startedAt, interrupted: interrupt.interrupted };
}

function planUnits(suites: readonly Suite[], observer: LoadObserver, repeat: number): LoadUnit[] {
  const units: LoadUnit[] = [];
  for (const suite of suites) {
    const tests = suite.tests.filter((t) => !t.skip).map((test) => ({ test, observer: observer.forTest(suite, test) }));
    if (tests.length === 0 || repeat <= 0) continue;
    if (suite.serial) units.push({ suite, tests, remaining: repeat, exclusive: true, busy: 0 });
    else for (const t of tests) units.push({ suite, tests: [t], remaining: repeat, exclusive: false, busy: 0 });
  }
  return units;
}

/** Round-robin over units with sessions left; a busy serial unit is passed over. */
class UnitQueue {
  private cursor = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly units: LoadUnit[]) {}

  take(): LoadUnit | 'wait' | 'done' {
    const { units } = this;
    for (let i = 0; i < units.length; i++) {
      const at = (this.cursor + i) % units.length;
      const unit = units[at]!;
      if (unit.exclusive && unit.busy > 0) continue;
      unit.remaining -= 1;
      unit.busy += 1;
      if (unit.remaining <= 0) {
        units.splice(at, 1);
        this.cursor = units.length === 0 ? 0 : at % units.length;
      } else {
        this.cursor = (at + 1) % units.length;
      }
      return unit;
    }
    return units.length === 0 ? 'done' : 'wait';
  }

  release(unit: LoadUnit): void {
    unit.busy -= 1;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next `release`. */
  released(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
