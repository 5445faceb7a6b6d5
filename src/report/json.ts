/**
 * The JSON report (`--json FILE`): a versioned shape documented in docs/json-report.md.
 * Text is copied as the engine gave it (already redacted and `\xHH`-escaped); JSON itself
 * can hold anything, so nothing more is escaped here.
 */
import type { Failure, InvalidFile, TestResult, TranscriptEntry } from '../engine/events.js';
import type { DiagnosticCode } from '../kernel/diagnostic.js';
import type { Span } from '../kernel/span.js';
import { groupBySuite } from './grouping.js';
import { capResult } from './reply-cap.js';
import { formatFile } from './location.js';
import { createFileReporter, type RunOutput } from './output-file.js';
import type { LoadStatistics, ReporterFactory } from './types.js';

/** Bumped on any change that could break a reader; additions of optional fields keep it. */
export const JSON_REPORT_VERSION = 1;

export interface JsonReport {
  readonly convospec: typeof JSON_REPORT_VERSION;
  /** ISO 8601, UTC. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly summary: JsonSummary;
  readonly suites: readonly JsonSuite[];
  /** Spec files that did not load; when non-empty, nothing ran and `suites` is empty. */
  readonly invalid: readonly JsonInvalidFile[];
  /** Load mode only: the statistics (docs/load.md). */
  readonly load?: LoadStatistics;
  /** `--shard i/n`: the part of the selected tests this run is (`convospec merge` checks them). */
  readonly shard?: { readonly index: number; readonly count: number };
}

export interface JsonSummary {
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly errored: number;
  readonly skipped: number;
  /** Tests marked `xfail` that failed as known; present only when there are some. */
  readonly xfailed?: number;
  /** Ctrl-C: tests that had not finished are missing from `suites`. */
  readonly interrupted: boolean;
}

export interface JsonLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface JsonSpan extends JsonLocation {
  readonly endLine: number;
  readonly endCol: number;
}

export interface JsonSuite {
  readonly file: string;
  readonly name: string;
  readonly tests: readonly JsonTest[];
}

export interface JsonTest {
  readonly name: string;
  /** Where the test is declared. */
  readonly line: number;
  readonly col: number;
  readonly tags: readonly string[];
  readonly status: TestResult['status'];
  readonly durationMs: number;
  readonly skipReason?: string;
  /** The `xfail` reason: status `xfailed` (its failure kept), or `failed` when it passed. */
  readonly xfail?: string;
  readonly runs?: number;
  readonly failedRuns?: number;
  readonly failure?: JsonFailure;
  readonly transcript: readonly JsonTranscriptEntry[];
}

export interface JsonFailure extends JsonSpan {
  readonly kind: Failure['kind'];
  readonly message: string;
  /** The `include` steps that led to the failing step, innermost first. */
  readonly includedFrom: readonly JsonLocation[];
  readonly stepName?: string;
  readonly expected?: string;
  readonly actual?: string;
}

export interface JsonTranscriptEntry {
  readonly dir: TranscriptEntry['dir'];
  readonly text: string;
  readonly atMs: number;
  readonly connection?: string;
}

export interface JsonInvalidFile {
  readonly file: string;
  readonly diagnostics: readonly JsonDiagnostic[];
  /** The diagnostics as `convospec validate` prints them, without colour. */
  readonly rendered: string;
}

export interface JsonDiagnostic extends JsonSpan {
  /** The kind of problem (docs/diagnostics.md): stable, unlike the message. */
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly hint?: string;
  readonly includedFrom: readonly JsonLocation[];
}

export const createJsonReporter: ReporterFactory = (context) =>
  createFileReporter(context, 'json', {
    run: (output) => `${JSON.stringify(jsonReport(output), null, 2)}\n`,
    invalid: (files, cwd, at) => `${JSON.stringify(invalidJsonReport(files, cwd, at), null, 2)}\n`,
  });

/** What the JSON report is made from: a run's output, as every file reporter gets it. */
export type JsonInput = RunOutput;

export function jsonReport(input: JsonInput): JsonReport {
  const { summary, cwd } = input;
  return {
    convospec: JSON_REPORT_VERSION,
    startedAt: input.startedAt.toISOString(),
    durationMs: summary.durationMs,
    summary: {
      total: summary.passed + summary.failed + summary.errored + summary.skipped + (summary.xfailed ?? 0),
      passed: summary.passed,
      failed: summary.failed,
      errored: summary.errored,
      skipped: summary.skipped,
      ...((summary.xfailed ?? 0) > 0 ? { xfailed: summary.xfailed } : {}),
      interrupted: summary.interrupted,
    },
    suites: groupBySuite(input.suites, input.results).map((group) => ({
      file: formatFile(cwd, group.file),
      name: group.name,
      tests: group.results.map((result) => jsonTest(capResult(result), cwd)),
    })),
    invalid: [],
    ...(input.shard !== undefined ? { shard: { index: input.shard.index, count: input.shard.count } } : {}),
    ...(input.load !== undefined ? { load: input.load } : {}),
  };
}

function jsonTest(result: TestResult, cwd: string): JsonTest {
  return {
    name: result.test.name,
    line: result.test.span.line,
    col: result.test.span.col,
    tags: result.test.tags,
    status: result.status,
    durationMs: result.durationMs,
    ...(result.skipReason !== undefined ? { skipReason: result.skipReason } : {}),
    ...(result.xfail !== undefined ? { xfail: result.xfail } : {}),
    ...(result.runs !== undefined ? { runs: result.runs, failedRuns: result.failedRuns ?? 0 } : {}),
    ...(result.failure !== undefined ? { failure: jsonFailure(result.failure, cwd) } : {}),
    transcript: result.transcript.map((e) => ({
      dir: e.dir,
      text: e.text,
      atMs: e.atMs,
      ...(e.connection !== undefined ? { connection: e.connection } : {}),
    })),
  };
}

function jsonFailure(failure: Failure, cwd: string): JsonFailure {
  return {
    kind: failure.kind,
    message: failure.message,
    ...jsonSpan(failure.span, cwd),
    includedFrom: failure.includedFrom.map((s) => jsonLocation(s, cwd)),
    ...(failure.stepName !== undefined ? { stepName: failure.stepName } : {}),
    ...(failure.expected !== undefined ? { expected: failure.expected } : {}),
    ...(failure.actual !== undefined ? { actual: failure.actual } : {}),
  };
}

const jsonLocation = (span: Span, cwd: string): JsonLocation => ({ file: formatFile(cwd, span.file), line: span.line, col: span.col });
const jsonSpan = (span: Span, cwd: string): JsonSpan => ({ ...jsonLocation(span, cwd), endLine: span.endLine, endCol: span.endCol });

export function invalidJsonReport(files: readonly InvalidFile[], cwd: string, at: Date): JsonReport {
  return {
    convospec: JSON_REPORT_VERSION,
    startedAt: at.toISOString(),
    durationMs: 0,
    summary: { total: 0, passed: 0, failed: 0, errored: 0, skipped: 0, interrupted: false },
    suites: [],
    invalid: files.map((file) => ({
      file: formatFile(cwd, file.file),
      diagnostics: file.diagnostics.map((d) => ({
        ...jsonSpan(d.span, cwd),
        code: d.code,
        message: d.message,
        ...(d.hint !== undefined ? { hint: d.hint } : {}),
        includedFrom: (d.includedFrom ?? []).map((s) => jsonLocation(s, cwd)),
      })),
      rendered: file.rendered,
    })),
  };
}
