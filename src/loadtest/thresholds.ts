/**
 * `--threshold EXPR` (load mode, docs/load.md): a bound on a latency percentile or on the
 * failures, over all sessions or per step, checked when the run ends; a breach fails the run.
 *
 *   EXPR   = [SCOPE ":"] METRIC ("<" | "<=") VALUE
 *   METRIC = pN (p50, p95, p99, p99.9…) | max | mean | failed
 *   VALUE  = a duration with its unit (800ms, 1s, 1.5s) for latencies;
 *            a percentage (1%) or a count (5) for `failed`
 *   SCOPE  = absent: every session of every test (latency: the whole session);
 *            `FILE:LINE` or `LINE`: the step on that line of the spec;
 *            text: the steps whose label starts with it (`EHLO`, `c: EHLO`, `s: 250`, a step's
 *            `name`, `connect`); for a command (`c:`, `send:`, `data:`), latencies are its
 *            reply's (the `s:` step right after it): the time the server took to answer.
 *
 * Percentiles come from the run's HdrHistograms (never averaged): over all tests, the
 * tests' session histograms added.
 */
import { decodeHistogram, type Histogram, type LatencySummary } from './histogram.js';
import type { LoadReport, LoadStepReport } from './report.js';
import type { LoadRecorder, StepRow } from './stats.js';
import { displayPath } from '../kernel/path.js';
import { escapeControl } from '../report/escape.js';

export type ThresholdMetric = { readonly kind: 'percentile'; readonly percentile: number } | { readonly kind: 'max' | 'mean' } | { readonly kind: 'failed' };

export interface Threshold {
  /** As given on the command line, trimmed. */
  readonly text: string;
  readonly scope?: string;
  readonly metric: ThresholdMetric;
  readonly inclusive: boolean;
  /** Milliseconds for a latency; for `failed`, a fraction (`percent`) or a count. */
  readonly limit: number;
  readonly percent: boolean;
  /** The bound as written: `800ms`, `1%`. */
  readonly bound: string;
}

const SYNTAX = /^(?:(.*?\S)\s*:\s*)?(p\d+(?:\.\d+)?|max|mean|failed)\s*(<=|<)\s*(\S+)$/i;

const HINT = 'e.g. p99<800ms, p95<=1s, failed<1%, failed<=5, "EHLO: p99<800ms" or "submit.yaml:12: p95<500ms" (docs/load.md)';

/** `p99<800ms` → a threshold; throws an Error whose message names the expression and a hint. */
export function parseThreshold(input: string): Threshold {
  const text = input.trim();
  const bad = (why: string): Error => new Error(`--threshold "${input}": ${why}; ${HINT}`);
  const m = SYNTAX.exec(text);
  if (!m) {
    if (/[>]/.test(text)) throw bad('a threshold is an upper bound: use < or <=');
    throw bad('not a threshold');
  }
  const [, scope, name = '', op, value = ''] = m;
  const lower = name.toLowerCase();
  let metric: ThresholdMetric;
  if (lower === 'failed') metric = { kind: 'failed' };
  else if (lower === 'max' || lower === 'mean') metric = { kind: lower };
  else {
    const percentile = Number(lower.slice(1));
    if (!(percentile > 0 && percentile <= 100)) throw bad(`${name}: a percentile is from p0.001 to p100`);
    metric = { kind: 'percentile', percentile };
  }
  const base = { text, ...(scope !== undefined ? { scope } : {}), metric, inclusive: op === '<=', bound: value };
  if (metric.kind === 'failed') {
    const count = /^(\d+)$/.exec(value);
    const percent = /^(\d+(?:\.\d+)?)%$/.exec(value);
    if (count) return { ...base, limit: Number(count[1]), percent: false };
    if (percent && Number(percent[1]) <= 100) return { ...base, limit: Number(percent[1]) / 100, percent: true };
    throw bad(`failed takes a percentage (1%) or a count of sessions (5), got "${value}"`);
  }
  const duration = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value);
  if (!duration) {
    const hint = /^\d+(?:\.\d+)?$/.test(value) ? `a latency needs its unit: ${value}ms or ${value}s` : `a latency is a duration such as 800ms or 1.5s, got "${value}"`;
    throw bad(hint);
  }
  return { ...base, limit: Number(duration[1]) * { ms: 1, s: 1000, m: 60_000 }[duration[2] as 'ms' | 's' | 'm'], percent: false };
}

export interface ThresholdResult {
  readonly threshold: string;
  readonly passed: boolean;
  /** What was measured (and where), and by how much it is over when breached: `p99 912 ms, 112 ms over < 800ms`. */
  readonly detail: string;
}

/** What a bound is checked against: a latency histogram and a failure count over a total. */
interface Measured {
  /** `spec.yaml:7:9 s: 250`, or absent for the whole run. */
  readonly where?: string;
  readonly latency: Histogram | undefined;
  readonly failed: number;
  readonly total: number;
}

const ms3 = (us: number): number => Math.round(us) / 1000;
const showMs = (n: number): string => `${Number(n.toFixed(3))} ms`;

function latencyOf(h: Histogram, metric: ThresholdMetric): number {
  if (metric.kind === 'max') return ms3(h.maxValue);
  if (metric.kind === 'mean') return ms3(h.mean);
  if (metric.kind === 'percentile') return ms3(Math.min(h.getValueAtPercentile(metric.percentile), h.maxValue));
  throw new Error('not a latency metric');
}

const within = (value: number, t: Threshold): boolean => (t.inclusive ? value <= t.limit : value < t.limit);

/** One bound against one measurement: undefined when it holds, else why not. */
function check(t: Threshold, m: Measured): { ok: boolean; said: string } {
  const at = m.where !== undefined ? ` at ${m.where}` : '';
  const bound = `${t.inclusive ? '≤' : '<'} ${t.bound}`;
  if (t.metric.kind === 'failed') {
    const value = t.percent ? (m.total === 0 ? 0 : m.failed / m.total) : m.failed;
    const shown = t.percent ? `${Number((value * 100).toFixed(3))}% failed (${m.failed} of ${m.total})` : `${m.failed} failed of ${m.total}`;
    if (within(value, t)) return { ok: true, said: `${shown}${at}` };
    const over = t.percent ? `${Number(((value - t.limit) * 100).toFixed(3))} points over ${bound}` : `${value - t.limit} over ${bound}`;
    return { ok: false, said: `${shown}${at}, ${over}` };
  }
  const name = t.metric.kind === 'percentile' ? `p${t.metric.percentile}` : t.metric.kind;
  if (m.latency === undefined || m.latency.totalCount === 0) return { ok: false, said: `no ${name}${at}: nothing was measured` };
  const value = latencyOf(m.latency, t.metric);
  if (within(value, t)) return { ok: true, said: `${name} ${showMs(value)}${at}` };
  return { ok: false, said: `${name} ${showMs(value)}${at}, ${showMs(value - t.limit)} over ${bound}` };
}

/**
 * One step of one test, as a threshold reads it: where and what as reports show them (the
 * file relative to the working folder, the label with secrets hidden), how many, how long.
 */
export type MeasuredRow = Pick<LoadStepReport, 'file' | 'line' | 'col' | 'label' | 'count' | 'failed'> & {
  latency(): Histogram | undefined;
};

/** What thresholds are checked against: a run's sessions, and each test's steps in source order. */
export interface MeasuredRun {
  readonly failed: number;
  readonly total: number;
  /** Every session of every test: their histograms added. */
  sessionLatency(): Histogram | undefined;
  readonly tests: readonly (readonly MeasuredRow[])[];
}

/** Histograms added into the first (which `add` resizes). */
function added(histograms: readonly (Histogram | undefined)[]): Histogram | undefined {
  let total: Histogram | undefined;
  for (const h of histograms) {
    if (h === undefined || h.totalCount === 0) continue;
    if (total === undefined) total = h;
    else total.add(h);
  }
  return total;
}

/** Masks secret literals a label (spec text) could show, as the load report does. */
export type Redact = (text: string, file: string) => string;

/** A load run as it ends, from its recorder. */
export function recordedRun(recorder: LoadRecorder, cwd: string, redact: Redact): MeasuredRun {
  return {
    failed: recorder.tests.reduce((n, x) => n + x.failed + x.errored, 0),
    total: recorder.sessions,
    sessionLatency: () => added(recorder.tests.map((t) => t.sessionLatency.histogram())),
    tests: recorder.tests.map((t) =>
      t.rows().map((row: StepRow) => ({
        file: displayPath(row.span.file, cwd),
        line: row.span.line,
        col: row.span.col,
        label: escapeControl(redact(row.label, row.span.file)),
        count: row.count,
        failed: row.failed,
        latency: () => row.latency.histogram(),
      })),
    ),
  };
}

/** A load report (`convospec merge`'s, its histograms added), from its encoded histograms. */
export function reportedRun(report: LoadReport): MeasuredRun {
  const decode = (l: LatencySummary): Histogram | undefined => (l.histogram !== undefined && l.count > 0 ? decodeHistogram(l.histogram) : undefined);
  return {
    failed: report.sessions.failed + report.sessions.errored,
    total: report.sessions.total,
    sessionLatency: () => added(report.tests.map((t) => decode(t.latency))),
    tests: report.tests.map((t) => t.steps.map((s) => ({ file: s.file, line: s.line, col: s.col, label: s.label, count: s.count, failed: s.failed, latency: () => decode(s.latency) }))),
  };
}

function stripKind(label: string): string {
  return label.replace(/^(c|s|send|data):\s*/, '');
}

/** Whether the scope's text names this row (case-insensitive prefix of the label, with or without its `c: `). */
function labelMatches(scope: string, row: MeasuredRow): boolean {
  const want = scope.toLowerCase();
  return row.label.toLowerCase().startsWith(want) || stripKind(row.label).toLowerCase().startsWith(want);
}

const COMMAND = /^(c|send|data):/;

/** The rows of one test a scope names, each with where it is, for the check. */
function rowsFor(scope: string, rows: readonly MeasuredRow[]): Measured[] {
  const line = /^(?:(.*\S)\s*:\s*)?(\d+)$/.exec(scope);
  const picked: MeasuredRow[] = [];
  rows.forEach((row, i) => {
    if (line) {
      const [, file, n] = line;
      if (row.line === Number(n) && (file === undefined || row.file === file || row.file.endsWith(`/${file}`))) picked.push(row);
      return;
    }
    if (!labelMatches(scope, row)) return;
    // A command's latency is its reply's: the `s:` step after it, when there is one.
    const next = rows[i + 1];
    picked.push(COMMAND.test(row.label) && next !== undefined && next.label.startsWith('s:') && next.file === row.file ? next : row);
  });
  return [...new Set(picked)].map((row) => ({
    where: `${row.file}:${row.line}:${row.col} ${row.label}`,
    latency: row.latency(),
    failed: row.failed,
    total: row.count,
  }));
}

/** Each threshold against the run: all must hold for the run to pass. */
export function checkThresholds(thresholds: readonly Threshold[], run: MeasuredRun): ThresholdResult[] {
  return thresholds.map((t) => {
    let measured: Measured[];
    if (t.scope === undefined) {
      measured = [{ latency: t.metric.kind !== 'failed' ? run.sessionLatency() : undefined, failed: run.failed, total: run.total }];
    } else {
      measured = run.tests.flatMap((rows) => rowsFor(t.scope!, rows));
      if (measured.length === 0) return { threshold: t.text, passed: false, detail: `no step matches "${t.scope}" (a step's label such as "EHLO" or "s: 250", or FILE:LINE)` };
    }
    const checks = measured.map((m) => check(t, m));
    const breaches = checks.filter((c) => !c.ok);
    return breaches.length === 0
      ? { threshold: t.text, passed: true, detail: checks.map((c) => c.said).join('; ') }
      : { threshold: t.text, passed: false, detail: breaches.map((c) => c.said).join('; ') };
  });
}
