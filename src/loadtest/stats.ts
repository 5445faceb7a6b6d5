/**
 * Load statistics while the sessions run: per test, how many ran and failed, session
 * latency, and per step (keyed by its `file:line:col`) count, failures and latency.
 * Memory is bounded by the number of distinct steps, never by the number of sessions:
 * histograms have a fixed resolution, and only the first few failures are kept.
 */
import type { Step, Suite, Test } from '../kernel/model.js';
import type { Span } from '../kernel/span.js';
import type { Clock } from '../transport/types.js';
import type { Failure, FailureKind, TestResult } from '../engine/events.js';
import type { LoadObserver, TestLoadObserver } from '../engine/loadtest.js';
import { testInfo } from '../engine/test-run.js';
import { LatencyRecorder } from './histogram.js';
import { connectLabel, stepLabel } from './labels.js';
import { Timeline } from './timeline.js';

/** Failures kept with their messages, per test; the rest are only counted. */
export const FAILURE_SAMPLES = 5;

export interface StepRow {
  /** `file:line:col` of the step (of the `connect` for the implicit connection). */
  readonly key: string;
  readonly span: Span;
  readonly label: string;
  count: number;
  failed: number;
  readonly latency: LatencyRecorder;
}

export interface FailureSample {
  /** Which session of this test it was (1-based, in the order sessions finished). */
  readonly session: number;
  readonly failure: Failure;
}

export class TestLoad implements TestLoadObserver {
  runs = 0;
  failed = 0;
  errored = 0;
  /** Sessions of an `xfail` test that failed as known: expected failures, not failures of the run. */
  xfailed = 0;
  /** Sessions skipped because the server did not advertise a capability the test requires. */
  skipped = 0;
  /** The first known failure and the first skip reason, for the test's aggregate result. */
  firstXfail: Failure | undefined;
  firstSkipReason: string | undefined;
  readonly byKind = new Map<FailureKind, number>();
  readonly samples: FailureSample[] = [];
  readonly sessionLatency = new LatencyRecorder();
  /** Wall clock of the first session's start and the last one's end. */
  firstStart = Infinity;
  lastEnd = -Infinity;
  private readonly byStep = new Map<Step, StepRow>();
  private readonly byKey = new Map<string, StepRow>();
  private readonly connectRow: StepRow | undefined;

  constructor(
    readonly suite: Suite,
    readonly test: Test,
    private readonly clock: Clock,
    private readonly timeline?: Timeline,
  ) {
    const connect = test.connect;
    if (connect) this.connectRow = this.newRow(connect.span, connectLabel(connect.protocol, connect.tls !== undefined));
  }

  onStep(step: Step, ms: number, passed: boolean): void {
    const row = this.byStep.get(step) ?? this.rowFor(step);
    row.count += 1;
    if (!passed) row.failed += 1;
    row.latency.record(ms);
  }

  onSession(result: TestResult, connectMs: number | undefined): void {
    const end = this.clock.now();
    this.firstStart = Math.min(this.firstStart, end - result.durationMs);
    this.lastEnd = Math.max(this.lastEnd, end);
    this.runs += 1;
    this.sessionLatency.record(result.durationMs);
    this.timeline?.record(end, result.status !== 'failed' && result.status !== 'errored');
    const row = this.connectRow;
    if (row && connectMs !== undefined) {
      row.count += 1;
      row.latency.record(connectMs);
    }
    // Skipped (`requires`): the server lacked a capability; the result carries no failure.
    if (result.status === 'skipped') {
      this.skipped += 1;
      this.firstSkipReason ??= result.skipReason;
      return;
    }
    const failure = result.failure;
    if (failure === undefined) return;
    // The implicit connection failed (or the test stopped before it was used): no step ran.
    if (row && connectMs === undefined) {
      row.count += 1;
      row.failed += 1;
    }
    if (result.status === 'xfailed') {
      this.xfailed += 1;
      this.firstXfail ??= failure;
      return;
    }
    if (result.status === 'errored') this.errored += 1;
    else this.failed += 1;
    this.byKind.set(failure.kind, (this.byKind.get(failure.kind) ?? 0) + 1);
    if (this.samples.length < FAILURE_SAMPLES) this.samples.push({ session: this.runs, failure });
  }

  /** Rows in source order (file, line, column). */
  rows(): StepRow[] {
    return [...this.byKey.values()].sort(
      (a, b) => compare(a.span.file, b.span.file) || a.span.line - b.span.line || a.span.col - b.span.col,
    );
  }

  /** Wall-clock span of this test's sessions. */
  get wallMs(): number {
    return this.runs === 0 ? 0 : this.lastEnd - this.firstStart;
  }

  /** The same step object reached again is a map hit; a fragment step seen from two objects shares its row. */
  private rowFor(step: Step): StepRow {
    const row = this.byKey.get(spanKey(step.span)) ?? this.newRow(step.span, stepLabel(step));
    this.byStep.set(step, row);
    return row;
  }

  private newRow(span: Span, label: string): StepRow {
    const row: StepRow = { key: spanKey(span), span, label, count: 0, failed: 0, latency: new LatencyRecorder() };
    this.byKey.set(row.key, row);
    return row;
  }
}

/** All tests of a load run, in declaration order; skipped tests have no `TestLoad`. */
export class LoadRecorder implements LoadObserver {
  readonly tests: TestLoad[] = [];
  /** Sessions finished over time, from the recorder's creation (the run's start). */
  readonly timeline: Timeline;

  constructor(private readonly clock: Clock) {
    this.timeline = new Timeline(clock.now());
  }

  forTest(suite: Suite, test: Test): TestLoad {
    const load = new TestLoad(suite, test, this.clock, this.timeline);
    this.tests.push(load);
    return load;
  }

  get sessions(): number {
    return this.tests.reduce((n, t) => n + t.runs, 0);
  }
}

/**
 * A test's aggregate as the engine's `TestResult`, for JUnit and JSON (`runs`, `failedRuns`):
 * failed (or errored) when a session failed; else `xfailed` when a session failed as known
 * (an `xfail` test); else skipped when every session was (`requires`); else passed.
 * `failedRuns` counts failures of the run only, not expected failures.
 */
export function aggregateResult(load: TestLoad): TestResult {
  const info = testInfo(load.suite, load.test);
  const first = load.samples[0]?.failure;
  const failedRuns = load.failed + load.errored;
  if (load.runs === 0) {
    return { test: info, status: 'skipped', durationMs: 0, transcript: [], runs: 0, failedRuns: 0, skipReason: 'no session finished' };
  }
  const common = { test: info, durationMs: load.wallMs, transcript: [], runs: load.runs, failedRuns, ...(load.test.xfail !== undefined ? { xfail: load.test.xfail } : {}) };
  if (first !== undefined) return { ...common, status: first.kind === 'error' ? 'errored' : 'failed', failure: first };
  if (load.xfailed > 0) return { ...common, status: 'xfailed', ...(load.firstXfail ? { failure: load.firstXfail } : {}) };
  if (load.skipped === load.runs) return { ...common, status: 'skipped', ...(load.firstSkipReason !== undefined ? { skipReason: load.firstSkipReason } : {}) };
  return { ...common, status: 'passed' };
}

export function spanKey(span: Pick<Span, 'file' | 'line' | 'col'>): string {
  return `${span.file}:${span.line}:${span.col}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
