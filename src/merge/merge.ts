/**
 * `convospec merge`: one run from the JSON reports of its shards (`--shard i/n`), or of the
 * same load run on several machines. Pure: parsed JSON in, the run's suites, results,
 * summary and load statistics out, which the CLI hands to the same reporters as `run`.
 *
 * - Tests are joined by suite file; results keep their transcripts and failures.
 * - Load statistics of the same test (file, line, col, name) and of the same step
 *   (`file:line:col`) are added: counts summed, HdrHistograms added (never percentiles
 *   averaged), percentiles read from the sum.
 * - Refused, naming the files: a report that is not convospec's JSON or of another version;
 *   load reports mixed with run reports; shards (`shard`, the run's `--shard`) of different
 *   splits, or the same shard twice, or shards with reports that are not; a missing shard is
 *   a warning;
 *   the same test in two reports of a run that is not a load run (a test runs in one shard);
 *   one spec file that is two suites (reports of different versions of the specs).
 *
 * Paths in a report are relative to the working folder of its run; they are resolved
 * against the working folder of the merge, so every shard must run from the same place.
 */
import path from 'node:path';
import type { Failure, FailureKind, InvalidFile, RunSummary, SuiteInfo, TestInfo, TestResult, TestStatus, TranscriptEntry } from '../engine/events.js';
import type { Diagnostic, DiagnosticCode } from '../kernel/diagnostic.js';
import type { Span } from '../kernel/span.js';
import { JSON_REPORT_VERSION, type JsonFailure, type JsonInvalidFile, type JsonLocation, type JsonReport, type JsonTest } from '../report/json.js';
import { decodeHistogram, encodeHistogram, latencySummary, type Histogram, type LatencySummary } from '../loadtest/histogram.js';
import type { LoadReport, LoadStepReport, LoadTestReport, SessionCounts } from '../loadtest/report.js';
import { mergeTimelines, type TimelineReport } from '../loadtest/timeline.js';

/** A report as read: the name it was given by (for messages) and its parsed JSON. */
export interface NamedReport {
  readonly name: string;
  readonly json: unknown;
}

export interface MergedRun {
  readonly suites: readonly SuiteInfo[];
  readonly results: readonly TestResult[];
  readonly summary: RunSummary;
  readonly startedAt: Date;
  /** The added load statistics, when the reports are of a load run. */
  readonly load?: LoadReport;
  /** Specs that did not load, when the reports say so (nothing ran). */
  readonly invalid: readonly InvalidFile[];
  /** Things to say that do not stop the merge (a shard missing). */
  readonly warnings: readonly string[];
}

/** Reports that cannot be merged: the message names them and why. */
export class MergeError extends Error {
  override name = 'MergeError';
}

const STATUSES: readonly TestStatus[] = ['passed', 'failed', 'errored', 'skipped', 'xfailed'];

/** The report's shape, checked as far as the merge reads it. */
function checked({ name, json }: NamedReport): JsonReport {
  const report = json as Partial<JsonReport> | null;
  if (report === null || typeof report !== 'object' || !('convospec' in report)) {
    throw new MergeError(`${name} is not a convospec JSON report (no "convospec" version field): give the files of --json`);
  }
  if (report.convospec !== JSON_REPORT_VERSION) {
    throw new MergeError(`${name} is a JSON report of version ${JSON.stringify(report.convospec)}; this convospec reads version ${JSON_REPORT_VERSION}: merge reports of the same convospec version`);
  }
  const ok =
    typeof report.startedAt === 'string' &&
    !Number.isNaN(Date.parse(report.startedAt)) &&
    typeof report.durationMs === 'number' &&
    typeof report.summary === 'object' &&
    Array.isArray(report.suites) &&
    report.suites.every((s) => typeof s?.file === 'string' && typeof s.name === 'string' && Array.isArray(s.tests) && s.tests.every(validTest)) &&
    (report.load === undefined || validTimeline((report.load as Partial<LoadReport>).timeline));
  if (!ok) throw new MergeError(`${name} is not a whole convospec JSON report (a field is missing or of the wrong type)`);
  return report as JsonReport;
}

function validTimeline(t: Partial<TimelineReport> | undefined): boolean {
  const counts = (a: unknown): boolean => Array.isArray(a) && a.every((n) => Number.isInteger(n) && (n as number) >= 0);
  return typeof t === 'object' && Number.isInteger(t.intervalMs) && (t.intervalMs as number) > 0 && counts(t.sessions) && counts(t.failed) && typeof t.endMs === 'number';
}

function validTest(t: JsonTest | undefined): boolean {
  return (
    typeof t === 'object' &&
    typeof t.name === 'string' &&
    Number.isInteger(t.line) &&
    Number.isInteger(t.col) &&
    STATUSES.includes(t.status) &&
    Array.isArray(t.transcript) &&
    Array.isArray(t.tags)
  );
}

const locate = (cwd: string, file: string): string => (path.isAbsolute(file) ? file : path.resolve(cwd, file));

const spanOf = (cwd: string, at: JsonLocation & { endLine?: number; endCol?: number }): Span => ({
  file: locate(cwd, at.file),
  line: at.line,
  col: at.col,
  endLine: at.endLine ?? at.line,
  endCol: at.endCol ?? at.col,
});

function failureOf(cwd: string, f: JsonFailure): Failure {
  return {
    kind: f.kind,
    message: f.message,
    span: spanOf(cwd, f),
    includedFrom: (f.includedFrom ?? []).map((s) => spanOf(cwd, s)),
    ...(f.stepName !== undefined ? { stepName: f.stepName } : {}),
    ...(f.expected !== undefined ? { expected: f.expected } : {}),
    ...(f.actual !== undefined ? { actual: f.actual } : {}),
  };
}

function resultOf(cwd: string, test: TestInfo, t: JsonTest): TestResult {
  const transcript: TranscriptEntry[] = t.transcript.map((e) => ({ dir: e.dir, text: e.text, atMs: e.atMs, ...(e.connection !== undefined ? { connection: e.connection } : {}) }));
  return {
    test,
    status: t.status,
    durationMs: t.durationMs,
    transcript,
    ...(t.skipReason !== undefined ? { skipReason: t.skipReason } : {}),
    ...(t.xfail !== undefined ? { xfail: t.xfail } : {}),
    ...(t.runs !== undefined ? { runs: t.runs, failedRuns: t.failedRuns ?? 0 } : {}),
    ...(t.failure !== undefined ? { failure: failureOf(cwd, t.failure) } : {}),
  };
}

/** Code-unit order, as shards deal tests (engine/shard.ts): the same on every machine. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const testKey = (file: string, line: number, col: number, name: string): string => `${file}\0${line}:${col}\0${name}`;

/** The same test in several load reports: one result, its sessions added. */
function addResults(results: readonly TestResult[]): TestResult {
  const [first] = results;
  if (results.length === 1 || first === undefined) return first!;
  const failing = results.find((r) => r.status === 'failed' || r.status === 'errored');
  const ran = results.filter((r) => (r.runs ?? 0) > 0);
  const runs = results.reduce((n, r) => n + (r.runs ?? 0), 0);
  const failedRuns = results.reduce((n, r) => n + (r.failedRuns ?? 0), 0);
  const base = failing ?? ran[0] ?? first;
  return { ...base, durationMs: Math.max(...results.map((r) => r.durationMs)), runs, failedRuns };
}

function summarize(results: readonly TestResult[], durationMs: number, interrupted: boolean): RunSummary {
  const count = (status: TestStatus): number => results.filter((r) => r.status === status).length;
  const xfailed = count('xfailed');
  return { passed: count('passed'), failed: count('failed'), errored: count('errored'), skipped: count('skipped'), ...(xfailed > 0 ? { xfailed } : {}), durationMs, interrupted };
}

function invalidOf(cwd: string, file: JsonInvalidFile): InvalidFile {
  return {
    file: locate(cwd, file.file),
    rendered: file.rendered,
    diagnostics: file.diagnostics.map(
      (d): Diagnostic => ({
        code: d.code as DiagnosticCode,
        span: spanOf(cwd, d),
        message: d.message,
        ...(d.hint !== undefined ? { hint: d.hint } : {}),
        includedFrom: (d.includedFrom ?? []).map((s) => spanOf(cwd, s)),
      }),
    ),
  };
}

type ShardOf = { readonly index: number; readonly count: number } | undefined;

/** The shards the reports say they are: all of one split, each once. Returns warnings. */
function checkShards(names: readonly string[], shardsOf: readonly ShardOf[]): string[] {
  const shards = shardsOf.map((shard, i) => ({ name: names[i]!, shard }));
  const with_ = shards.filter((s) => s.shard !== undefined);
  if (with_.length === 0) return [];
  if (with_.length !== shards.length) {
    const without = shards.find((s) => s.shard === undefined)!;
    throw new MergeError(`${with_[0]!.name} is a shard (--shard ${with_[0]!.shard!.index}/${with_[0]!.shard!.count}), ${without.name} is not: merge the shards of one run`);
  }
  const count = with_[0]!.shard!.count;
  const seen = new Map<number, string>();
  for (const { name, shard } of with_) {
    if (shard!.count !== count) throw new MergeError(`${with_[0]!.name} is shard ${with_[0]!.shard!.index}/${count} and ${name} shard ${shard!.index}/${shard!.count}: shards of different splits`);
    const before = seen.get(shard!.index);
    if (before !== undefined) throw new MergeError(`${before} and ${name} are both shard ${shard!.index}/${count}`);
    seen.set(shard!.index, name);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  return missing.length > 0 ? [`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: the merged report holds ${seen.size} of ${count}`] : [];
}

export function mergeReports(inputs: readonly NamedReport[], cwd: string): MergedRun {
  if (inputs.length === 0) throw new MergeError('no report to merge');
  const reports = inputs.map(checked);
  const names = inputs.map((i) => i.name);
  const isLoad = reports.map((r) => r.load !== undefined);
  if (isLoad.some((l) => l) && !isLoad.every((l) => l)) {
    const load = names[isLoad.indexOf(true)]!;
    const run = names[isLoad.indexOf(false)]!;
    throw new MergeError(`${load} is a load run's report (--repeat/--duration), ${run} is not: merge reports of the same kind of run`);
  }
  const loads = reports.flatMap((r) => (r.load !== undefined ? [r.load as LoadReport] : []));
  // A report says its shard at the top (and a load report in its settings too).
  const warnings = checkShards(names, reports.map((r) => r.shard ?? (r.load as LoadReport | undefined)?.settings?.shard));
  // The same test in two load reports without --shard is the same load from two machines: added.
  const addUp = loads.length > 0 && reports.every((r) => r.shard === undefined && (r.load as LoadReport).settings?.shard === undefined);

  const suiteNames = new Map<string, { name: string; from: string }>();
  const byTest = new Map<string, { test: TestInfo; results: TestResult[]; from: string }>();
  reports.forEach((report, i) => {
    const from = names[i]!;
    for (const suite of report.suites) {
      const file = locate(cwd, suite.file);
      const known = suiteNames.get(file);
      if (known !== undefined && known.name !== suite.name) {
        throw new MergeError(`${suite.file} is suite "${known.name}" in ${known.from} and "${suite.name}" in ${from}: reports of different versions of the specs`);
      }
      suiteNames.set(file, { name: suite.name, from });
      for (const t of suite.tests) {
        const key = testKey(file, t.line, t.col, t.name);
        const test: TestInfo = { file, suite: suite.name, name: t.name, span: { file, line: t.line, col: t.col, endLine: t.line, endCol: t.col }, tags: t.tags };
        const entry = byTest.get(key);
        if (entry !== undefined && !addUp) {
          throw new MergeError(`${suite.file}:${t.line} "${t.name}" is in ${entry.from} and in ${from}: a test runs in one shard only (reports of two runs?)`);
        }
        if (entry !== undefined) entry.results.push(resultOf(cwd, test, t));
        else byTest.set(key, { test, results: [resultOf(cwd, test, t)], from });
      }
    }
  });

  const entries = [...byTest.values()].sort((a, b) => compare(a.test.file, b.test.file) || a.test.span.line - b.test.span.line || a.test.span.col - b.test.span.col);
  const suites: SuiteInfo[] = [];
  for (const { test } of entries) {
    const last = suites.at(-1);
    if (last !== undefined && last.file === test.file) (last.tests as TestInfo[]).push(test);
    else suites.push({ file: test.file, name: test.suite, tests: [test] });
  }
  const results = entries.map((e) => addResults(e.results));

  const starts = reports.map((r) => Date.parse(r.startedAt));
  const start = Math.min(...starts);
  const end = Math.max(...reports.map((r, i) => starts[i]! + r.durationMs));
  const interrupted = reports.some((r) => r.summary.interrupted === true);

  const invalid = new Map<string, InvalidFile>();
  for (const r of reports) for (const f of r.invalid ?? []) if (!invalid.has(f.file)) invalid.set(f.file, invalidOf(cwd, f));

  return {
    suites,
    results,
    summary: summarize(results, end - start, interrupted),
    startedAt: new Date(start),
    ...(loads.length > 0 ? { load: mergeLoads(loads, names) } : {}),
    invalid: [...invalid.values()],
    warnings,
  };
}

// --- load statistics -------------------------------------------------------------------------

/** Latencies added through their histograms: exact, as if one machine had recorded them all. */
function addLatencies(latencies: readonly LatencySummary[], where: string): LatencySummary {
  let total: Histogram | undefined;
  for (const l of latencies) {
    if (l.count === 0) continue;
    if (l.histogram === undefined) throw new MergeError(`${where}: a latency without its histogram: merge reports written by --json of convospec`);
    const h = decodeHistogram(l.histogram);
    if (total === undefined) total = h;
    else total.add(h);
  }
  if (total === undefined) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  const summary = latencySummary(total);
  return { count: summary.count, p50: summary.p50, p95: summary.p95, p99: summary.p99, max: summary.max, mean: summary.mean, histogram: encodeHistogram(total) };
}

function addCounts(counts: readonly SessionCounts[]): SessionCounts {
  const sum = (of: (c: SessionCounts) => number | undefined): number => counts.reduce((n, c) => n + (of(c) ?? 0), 0);
  const xfailed = sum((c) => c.xfailed);
  const skipped = sum((c) => c.skipped);
  return {
    total: sum((c) => c.total),
    passed: sum((c) => c.passed),
    failed: sum((c) => c.failed),
    errored: sum((c) => c.errored),
    // As a run writes them: present only when some were.
    ...(xfailed > 0 ? { xfailed } : {}),
    ...(skipped > 0 ? { skipped } : {}),
  };
}

function addTests(group: readonly { test: LoadTestReport; from: string }[]): LoadTestReport {
  const first = group[0]!.test;
  const steps = new Map<string, { step: LoadStepReport; from: string }[]>();
  for (const { test, from } of group) for (const step of test.steps) steps.set(step.key, [...(steps.get(step.key) ?? []), { step, from }]);
  const byKind: Partial<Record<FailureKind, number>> = {};
  for (const { test } of group) {
    for (const [kind, n] of Object.entries(test.failures.byKind) as [FailureKind, number][]) byKind[kind] = (byKind[kind] ?? 0) + n;
  }
  const where = `${first.file}:${first.line} "${first.name}"`;
  return {
    ...first,
    sessions: addCounts(group.map((g) => g.test.sessions)),
    latency: addLatencies(group.map((g) => g.test.latency), `${group.map((g) => g.from).join(', ')}: ${where}`),
    steps: [...steps.values()]
      .map((same) => ({
        ...same[0]!.step,
        count: same.reduce((n, s) => n + s.step.count, 0),
        failed: same.reduce((n, s) => n + s.step.failed, 0),
        latency: addLatencies(same.map((s) => s.step.latency), `${same.map((s) => s.from).join(', ')}: ${same[0]!.step.key}`),
      }))
      .sort((a, b) => compare(a.file, b.file) || a.line - b.line || a.col - b.col),
    // Session numbers are per report: the samples keep them as they were.
    failures: { byKind, samples: group.flatMap((g) => g.test.failures.samples).slice(0, 5) },
  };
}

function mergeLoads(loads: readonly LoadReport[], names: readonly string[]): LoadReport {
  const tests = new Map<string, { test: LoadTestReport; from: string }[]>();
  loads.forEach((load, i) => {
    for (const test of load.tests) {
      const key = testKey(test.file, test.line, test.col, test.name);
      tests.set(key, [...(tests.get(key) ?? []), { test, from: names[i]! }]);
    }
  });
  const { shard: _shard, ...settings } = loads[0]!.settings;
  return {
    settings: { ...settings, reports: loads.length },
    sessions: addCounts(loads.map((l) => l.sessions)),
    // The reports ran side by side (one per machine): their rates add up, their durations do not.
    durationMs: Math.max(...loads.map((l) => l.durationMs)),
    sessionsPerSecond: Math.round(loads.reduce((n, l) => n + l.sessionsPerSecond, 0) * 1000) / 1000,
    interrupted: loads.some((l) => l.interrupted),
    timeline: mergeTimelines(loads.map((l) => l.timeline)),
    tests: [...tests.values()].map(addTests).sort((a, b) => compare(a.file, b.file) || a.line - b.line || a.col - b.col),
  };
}
