/**
 * JUnit XML (spec §8): a `<testsuite>` per spec file, a `<testcase>` per test with
 * `classname` = the file's path, `name`, `file` and `time`; `<skipped/>`; `<failure>` for
 * what the server did, `<error>` for what stopped the test on our side; the transcript in
 * `<system-out>`. Everything passes through `xmlAttr`/`xmlCdata` first: junit-report-builder
 * would silently drop characters XML cannot hold, and breaks on a second `]]>`.
 */
import { createRequire } from 'node:module';
import type { Builder, TestCase } from 'junit-report-builder';
import type { InvalidFile, SuiteInfo, TestResult } from '../engine/events.js';
import { createPalette } from './colors.js';
import { toSeconds } from './duration.js';
import { xmlAttr, xmlCdata } from './escape.js';
import { failureLines } from './failure-text.js';
import { groupBySuite } from './grouping.js';
import { displayPath } from './location.js';
import { createFileReporter } from './output-file.js';
import { formatEntry } from './transcript-text.js';
import type { ReporterFactory } from './types.js';

/**
 * The package is CommonJS whose typings claim an ES default export: under NodeNext,
 * `import x from` would type-check as the namespace but be the builder at run time.
 * `require` gives the builder either way; we only ever call its `newBuilder()` (a fresh
 * report per call, never the shared default instance).
 */
const junit = createRequire(import.meta.url)('junit-report-builder') as Builder;

const PLAIN = createPalette(false);
const ROOT_NAME = 'convospec';

export const createJunitReporter: ReporterFactory = (context) =>
  createFileReporter(context, 'junit', { run: junitXml, invalid: invalidJunitXml });

export interface JunitInput {
  readonly suites: readonly SuiteInfo[];
  readonly results: readonly TestResult[];
  readonly startedAt: Date;
  readonly cwd: string;
}

/** The whole report for a run that ran (`summary` is not needed: the builder counts). */
export function junitXml(input: JunitInput): string {
  const builder = junit.newBuilder().name(ROOT_NAME);
  for (const group of groupBySuite(input.suites, input.results)) {
    const suite = builder
      .testSuite()
      .name(xmlAttr(group.name))
      .timestamp(input.startedAt.toISOString())
      .time(toSeconds(group.results.reduce((ms, r) => ms + r.durationMs, 0)));
    for (const result of group.results) addTestCase(suite.testCase(), result, input.cwd);
  }
  return builder.build();
}

function addTestCase(testCase: TestCase, result: TestResult, cwd: string): void {
  const file = displayPath(cwd, result.test.file);
  testCase.className(xmlAttr(file)).name(xmlAttr(result.test.name)).file(xmlAttr(file)).time(toSeconds(result.durationMs));
  switch (result.status) {
    case 'passed':
      break;
    case 'skipped':
      testCase.skipped();
      break;
    case 'failed':
      testCase.failure(xmlAttr(problemMessage(result)), kindOf(result)).stacktrace(xmlCdata(problemDetail(result, cwd)));
      break;
    case 'errored':
      testCase.error(xmlAttr(problemMessage(result)), kindOf(result), xmlCdata(problemDetail(result, cwd)));
      break;
    default: {
      const never: never = result.status;
      throw new Error(`unknown test status ${String(never)}`);
    }
  }
  const out = systemOut(result);
  if (out !== '') testCase.standardOutput(xmlCdata(out));
}

const kindOf = (result: TestResult): string => result.failure?.kind ?? result.status;

/** The failure's sentence; in load mode, how many runs failed first. */
function problemMessage(result: TestResult): string {
  const message = result.failure?.message ?? `test ${result.status}`;
  return result.runs === undefined ? message : `${result.failedRuns ?? 0} of ${result.runs} runs failed: ${message}`;
}

function problemDetail(result: TestResult, cwd: string): string {
  if (result.failure === undefined) return '';
  return failureLines(result.failure, result.status, cwd, PLAIN).join('\n');
}

/** Load-mode counts, the skip reason, then the transcript (`c: …`, `s: …`, `-- tls …`). */
function systemOut(result: TestResult): string {
  const head: string[] = [];
  if (result.runs !== undefined) head.push(`runs: ${result.runs}, failed: ${result.failedRuns ?? 0}`);
  if (result.status === 'skipped' && result.skipReason) head.push(`skipped: ${result.skipReason}`);
  const lines = [...head, ...result.transcript.map(formatEntry)];
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Specs that did not load (spec §8): a suite per file holding one `<error>` case with the diagnostics. */
export function invalidJunitXml(files: readonly InvalidFile[], cwd: string, at: Date): string {
  const builder = junit.newBuilder().name(ROOT_NAME);
  for (const file of files) {
    const shown = displayPath(cwd, file.file);
    // The message is the first line of `rendered` (redacted by the caller), not built anew.
    const first = file.rendered.split('\n').find((l) => l.trim() !== '') ?? 'invalid spec';
    const more = file.diagnostics.length > 1 ? ` (and ${file.diagnostics.length - 1} more)` : '';
    const message = `${first}${more}`;
    builder
      .testSuite()
      .name(xmlAttr(shown))
      .timestamp(at.toISOString())
      .time(0)
      .testCase()
      .className(xmlAttr(shown))
      .name('invalid spec')
      .file(xmlAttr(shown))
      .time(0)
      .error(xmlAttr(message), 'invalid-spec', xmlCdata(file.rendered));
  }
  return builder.build();
}
