/**
 * JUnit XML (format §8), as CI viewers read it: a `<testsuite>` per spec file, a `<testcase>`
 * per test with `classname` = the file's path without its `.yaml` (Jenkins splits a class
 * name at its last dot: `specs/auth.yaml` would be class `yaml`), `name`, `file` and `time`;
 * `<skipped message="why"/>`; `<failure>` for what the server did, `<error>` for what stopped
 * the test on our side (an interrupted run's unfinished tests among them); the transcript in
 * `<system-out>`, each reply capped (reply-cap.ts). Everything passes through
 * `xmlAttr`/`xmlCdata` first.
 */
import type { InvalidFile, SuiteInfo, TestResult } from '../engine/events.js';
import { createPalette } from './colors.js';
import { toSeconds } from './duration.js';
import { xmlAttr, xmlCdata } from './escape.js';
import { failureLines } from './failure-text.js';
import { groupBySuite } from './grouping.js';
import { formatFile } from './location.js';
import { createFileReporter } from './output-file.js';
import { capResult } from './reply-cap.js';
import { formatEntry } from './transcript-text.js';
import type { ReporterFactory } from './types.js';
import { xmlDocument, type XmlNode } from './xml.js';

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

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

const COUNTED: Record<TestResult['status'], keyof Counts | undefined> = { passed: undefined, failed: 'failures', errored: 'errors', skipped: 'skipped', xfailed: 'skipped' };

function countsOf(results: readonly TestResult[]): Counts {
  const counts: Counts = { tests: results.length, failures: 0, errors: 0, skipped: 0 };
  for (const r of results) {
    const key = COUNTED[r.status];
    if (key !== undefined) counts[key] += 1;
  }
  return counts;
}

/** `specs/auth.yaml` → `specs/auth`: the class name CI viewers show. */
export function className(file: string): string {
  return file.replace(/\.ya?ml$/i, '');
}

/** The whole report for a run that ran. */
export function junitXml(input: JunitInput): string {
  const groups = groupBySuite(input.suites, input.results);
  const suites: XmlNode[] = groups.map((group) => ({
    name: 'testsuite',
    attrs: {
      name: xmlAttr(group.name),
      timestamp: input.startedAt.toISOString(),
      time: toSeconds(group.results.reduce((ms, r) => ms + r.durationMs, 0)),
      ...countsOf(group.results),
    },
    children: group.results.map((result) => testCase(capResult(result), input.cwd)),
  }));
  return xmlDocument({ name: 'testsuites', attrs: { name: ROOT_NAME, ...countsOf(input.results) }, children: suites });
}

function testCase(result: TestResult, cwd: string): XmlNode {
  const file = formatFile(cwd, result.test.file);
  const children: XmlNode[] = [];
  switch (result.status) {
    case 'passed':
      break;
    case 'skipped':
      children.push({ name: 'skipped', attrs: { message: result.skipReason ? xmlAttr(result.skipReason) : undefined } });
      break;
    case 'xfailed':
      // As pytest writes it: CI viewers show a skip (not a pass that hides it, nor a failure).
      children.push({ name: 'skipped', attrs: { type: 'xfail', message: xmlAttr(xfailMessage(result)) } });
      break;
    case 'failed':
      children.push({ name: 'failure', attrs: { message: xmlAttr(problemMessage(result)), type: kindOf(result) }, cdata: xmlCdata(problemDetail(result, cwd)) });
      break;
    case 'errored':
      children.push({ name: 'error', attrs: { message: xmlAttr(problemMessage(result)), type: kindOf(result) }, cdata: xmlCdata(problemDetail(result, cwd)) });
      break;
    default: {
      const never: never = result.status;
      throw new Error(`unknown test status ${String(never)}`);
    }
  }
  const out = systemOut(result);
  if (out !== '') children.push({ name: 'system-out', cdata: xmlCdata(out) });
  return {
    name: 'testcase',
    attrs: { classname: xmlAttr(className(file)), name: xmlAttr(result.test.name), file: xmlAttr(file), time: toSeconds(result.durationMs) },
    children,
  };
}

/** `xfail: reason (failed as expected: what failed)`. */
function xfailMessage(result: TestResult): string {
  const what = result.failure ? ` (failed as expected: ${result.failure.message})` : '';
  return `xfail: ${result.xfail ?? ''}${what}`;
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
  if (result.status === 'xfailed' && result.failure) head.push(...failureLines(result.failure, result.status, '', PLAIN).map((l) => `xfail: ${l}`));
  const lines = [...head, ...result.transcript.map(formatEntry)];
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Specs that did not load (format §8): a suite per file holding one `<error>` case with the diagnostics. */
export function invalidJunitXml(files: readonly InvalidFile[], cwd: string, at: Date): string {
  const suites: XmlNode[] = files.map((file) => {
    const shown = formatFile(cwd, file.file);
    // The message is the first line of `rendered` (redacted by the caller), not built anew.
    const first = file.rendered.split('\n').find((l) => l.trim() !== '') ?? 'invalid spec';
    const more = file.diagnostics.length > 1 ? ` (and ${file.diagnostics.length - 1} more)` : '';
    const error: XmlNode = { name: 'error', attrs: { message: xmlAttr(`${first}${more}`), type: 'invalid-spec' }, cdata: xmlCdata(file.rendered) };
    const testCase: XmlNode = { name: 'testcase', attrs: { classname: xmlAttr(className(shown)), name: 'invalid spec', file: xmlAttr(shown), time: 0 }, children: [error] };
    return { name: 'testsuite', attrs: { name: xmlAttr(shown), timestamp: at.toISOString(), time: 0, tests: 1, failures: 0, errors: 1, skipped: 0 }, children: [testCase] };
  });
  return xmlDocument({ name: 'testsuites', attrs: { name: ROOT_NAME, tests: files.length, failures: 0, errors: files.length, skipped: 0 }, children: suites });
}
