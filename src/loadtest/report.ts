/**
 * The statistics of a load run as plain data: what `--json` holds under `load`, and what the
 * console table is drawn from (docs/load.md). Latencies in milliseconds.
 */
import type { FailureKind } from '../engine/events.js';
import type { LoadOutcome } from '../engine/loadtest.js';
import type { Shard } from '../engine/shard.js';
import { formatFile } from '../report/location.js';
import { escapeControl } from '../report/escape.js';
import { encodeHistogram, latencySummary, type LatencyRecorder, type LatencySummary } from './histogram.js';
import type { LoadRecorder, TestLoad } from './stats.js';
import type { TimelineReport } from './timeline.js';
import type { ThresholdResult } from './thresholds.js';

export interface LoadSettings {
  readonly concurrency: number;
  readonly repeat?: number;
  readonly durationMs?: number;
  readonly ratePerSecond?: number;
  readonly shard?: Shard;
  /** `convospec merge`: how many reports were added up. */
  readonly reports?: number;
}

export interface LoadReport {
  readonly settings: LoadSettings;
  /** Sessions that finished, over all tests. */
  readonly sessions: SessionCounts;
  /** Wall clock from the first session's start to the last one's end. */
  readonly durationMs: number;
  readonly sessionsPerSecond: number;
  /** Sessions finished per interval since the run began: sessions/s over time. */
  readonly timeline: TimelineReport;
  /** Ctrl-C: sessions cut short are not counted. */
  readonly interrupted: boolean;
  readonly tests: readonly LoadTestReport[];
  /** `--threshold`s, as checked at the end of the run (absent without any). */
  readonly thresholds?: readonly ThresholdResult[];
}

export interface SessionCounts {
  readonly total: number;
  readonly passed: number;
  /** Failed on the server's side (`<failure>`). */
  readonly failed: number;
  /** Stopped on our side (`<error>`). */
  readonly errored: number;
  /** Failed as known, in a test marked `xfail`: not a failure of the run. Present only when some did. */
  readonly xfailed?: number;
  /** Skipped: the server did not advertise a capability the test `requires`. Present only when some were. */
  readonly skipped?: number;
}

export interface LoadTestReport {
  readonly file: string;
  readonly suite: string;
  readonly name: string;
  readonly line: number;
  readonly col: number;
  readonly sessions: SessionCounts;
  /** The whole session, connect to close. */
  readonly latency: LatencySummary;
  /** In source order; `connect` (the implicit connection) first when the test has one. */
  readonly steps: readonly LoadStepReport[];
  readonly failures: {
    readonly byKind: Partial<Record<FailureKind, number>>;
    /** The first few, in the order they happened. */
    readonly samples: readonly FailureSampleReport[];
  };
}

export interface LoadStepReport {
  /** `file:line:col`, the step's identity. */
  readonly key: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** `c: EHLO client.test`, `s: 250`: for people only. */
  readonly label: string;
  readonly count: number;
  readonly failed: number;
  readonly latency: LatencySummary;
}

export interface FailureSampleReport {
  readonly session: number;
  readonly kind: FailureKind;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly expected?: string;
  readonly actual?: string;
}

export interface LoadReportInput {
  readonly recorder: LoadRecorder;
  readonly outcome: LoadOutcome;
  readonly settings: LoadSettings;
  readonly cwd: string;
  /** Masks secrets that a label (spec text) could show. */
  readonly redact: (text: string, file: string) => string;
  /** Add each histogram, encoded (for `--json`: shards merge exactly). */
  readonly histograms?: boolean;
}

export function loadReport(input: LoadReportInput): LoadReport {
  const tests = input.recorder.tests.map((t) => testReport(t, input));
  const total = sum(tests, (t) => t.sessions.total);
  const ran = input.recorder.tests.filter((t) => t.runs > 0);
  const durationMs = ran.length === 0 ? 0 : Math.max(...ran.map((t) => t.lastEnd)) - Math.min(...ran.map((t) => t.firstStart));
  return {
    settings: input.settings,
    sessions: sessionCounts(
      total,
      sum(tests, (t) => t.sessions.failed),
      sum(tests, (t) => t.sessions.errored),
      sum(tests, (t) => t.sessions.xfailed ?? 0),
      sum(tests, (t) => t.sessions.skipped ?? 0),
    ),
    durationMs: round3(durationMs),
    sessionsPerSecond: durationMs > 0 ? round3((total * 1000) / durationMs) : 0,
    timeline: input.recorder.timeline.report(),
    interrupted: input.outcome.interrupted,
    tests,
  };
}

function testReport(t: TestLoad, input: LoadReportInput): LoadTestReport {
  const { cwd, redact } = input;
  const latency = (recorder: LatencyRecorder): LatencySummary => {
    const h = recorder.histogram();
    return input.histograms && h.totalCount > 0 ? { ...latencySummary(h), histogram: encodeHistogram(h) } : latencySummary(h);
  };
  return {
    file: formatFile(cwd, t.suite.file),
    suite: t.suite.name,
    name: t.test.name,
    line: t.test.span.line,
    col: t.test.span.col,
    sessions: sessionCounts(t.runs, t.failed, t.errored, t.xfailed, t.skipped),
    latency: latency(t.sessionLatency),
    steps: t.rows().map((row) => {
      const file = formatFile(cwd, row.span.file);
      return {
        key: `${file}:${row.span.line}:${row.span.col}`,
        file,
        line: row.span.line,
        col: row.span.col,
        label: escapeControl(redact(row.label, row.span.file)),
        count: row.count,
        failed: row.failed,
        latency: latency(row.latency),
      };
    }),
    failures: {
      byKind: Object.fromEntries(t.byKind),
      samples: t.samples.map(({ session, failure }) => ({
        session,
        kind: failure.kind,
        message: failure.message,
        file: formatFile(cwd, failure.span.file),
        line: failure.span.line,
        col: failure.span.col,
        ...(failure.expected !== undefined ? { expected: failure.expected } : {}),
        ...(failure.actual !== undefined ? { actual: failure.actual } : {}),
      })),
    },
  };
}

function sessionCounts(total: number, failed: number, errored: number, xfailed: number, skipped: number): SessionCounts {
  return {
    total,
    passed: total - failed - errored - xfailed - skipped,
    failed,
    errored,
    ...(xfailed > 0 ? { xfailed } : {}),
    ...(skipped > 0 ? { skipped } : {}),
  };
}

const sum = <T>(items: readonly T[], of: (item: T) => number): number => items.reduce((n, item) => n + of(item), 0);
const round3 = (n: number): number => Math.round(n * 1000) / 1000;
