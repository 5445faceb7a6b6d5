/**
 * TAP 14 (`--tap FILE`, https://testanything.org/tap-version-14-specification.html): a test
 * point per test, as `Suite › test`, in declaration order. A skipped test is `ok … # SKIP
 * reason`; an `xfail` test that failed as known is `not ok … # TODO xfail: reason` (a TODO
 * failure does not fail a TAP run, as it does not fail ours); an `xfail` test that passed
 * is a plain `not ok`, as our exit code says. A failure carries a YAML diagnostic block
 * (`message`, `severity`, `at: file:line:col`, `expected`, `received`…).
 *
 * Every value in the block is a JSON string, which is a YAML double-quoted scalar: a reply
 * holding `...`, `---`, `#` or a line break cannot end the block or start a test point.
 * Text comes redacted and `\xHH`-escaped from the engine, and is escaped again here.
 */
import type { Failure, InvalidFile, TestResult } from '../engine/events.js';
import { escapeControl, escapeMultiline } from './escape.js';
import { groupBySuite } from './grouping.js';
import { formatFile, formatLocation } from './location.js';
import { createFileReporter, type RunOutput } from './output-file.js';
import { capResult } from './reply-cap.js';
import type { ReporterFactory } from './types.js';

export const createTapReporter: ReporterFactory = (context) => createFileReporter(context, 'tap', { run: tapReport, invalid: invalidTapReport });

/** A description: one line, `#` and `\` escaped (TAP 14 "Escaping"), so no directive is forged. */
export function tapText(text: string): string {
  return escapeControl(text).replace(/[\\#]/g, (ch) => `\\${ch}`);
}

/** A directive's reason runs to the end of the line: one line is all it needs. */
const reason = (text: string): string => escapeControl(text);

/** A YAML diagnostic block, indented by 2 (TAP 14): `key: "value"` per line. */
function yamlBlock(fields: Readonly<Record<string, string | number | readonly string[] | undefined>>): string[] {
  const lines = ['  ---'];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (typeof value === 'number') lines.push(`  ${key}: ${value}`);
    else if (typeof value === 'string') lines.push(`  ${key}: ${JSON.stringify(escapeMultiline(value))}`);
    else if (value.length > 0) lines.push(`  ${key}:`, ...value.map((v) => `    - ${JSON.stringify(escapeMultiline(v))}`));
  }
  lines.push('  ...');
  return lines;
}

function failureFields(failure: Failure, cwd: string): Record<string, string | readonly string[] | undefined> {
  return {
    message: failure.message,
    kind: failure.kind,
    at: formatLocation(cwd, failure.span),
    included_from: failure.includedFrom.map((s) => formatLocation(cwd, s)),
    step: failure.stepName,
    expected: failure.expected,
    received: failure.actual,
  };
}

function testPoint(number: number, result: TestResult, cwd: string): string[] {
  const description = `${number} - ${tapText(`${result.test.suite} › ${result.test.name}`)}`;
  const load = result.runs !== undefined ? { runs: result.runs, failed_runs: result.failedRuns ?? 0 } : {};
  const at = formatLocation(cwd, result.test.span);
  switch (result.status) {
    case 'passed':
      return [`ok ${description}`];
    case 'skipped':
      return [`ok ${description} # SKIP ${reason(result.skipReason ?? 'skipped')}`];
    case 'xfailed':
      return [`not ok ${description} # TODO ${reason(`xfail: ${result.xfail ?? ''}`)}`];
    case 'failed':
    case 'errored': {
      const failure = result.failure;
      const fields = failure
        ? failureFields(failure, cwd)
        : { message: result.xfail !== undefined ? `passed, but it is marked xfail: ${result.xfail}` : `test ${result.status}`, at };
      const severity = result.status === 'errored' ? 'error' : 'fail';
      return [`not ok ${description}`, ...yamlBlock({ ...fields, severity, test: at, duration_ms: result.durationMs, ...load })];
    }
    default: {
      const never: never = result.status;
      throw new Error(`unknown test status ${String(never)}`);
    }
  }
}

export function tapReport(output: RunOutput): string {
  const results = groupBySuite(output.suites, output.results).flatMap((group) => group.results);
  const lines = ['TAP version 14', `1..${results.length}`];
  results.forEach((result, i) => lines.push(...testPoint(i + 1, capResult(result), output.cwd)));
  if (output.summary.interrupted) lines.push('# the run was interrupted: unfinished tests are errored');
  return `${lines.join('\n')}\n`;
}

/** Specs that did not load (format §8): a failing test point per file, its diagnostics in the block. */
export function invalidTapReport(files: readonly InvalidFile[], cwd: string): string {
  const lines = ['TAP version 14', `1..${files.length}`];
  files.forEach((file, i) => {
    const first = file.diagnostics[0];
    lines.push(
      `not ok ${i + 1} - ${tapText(`invalid spec ${formatFile(cwd, file.file)}`)}`,
      ...yamlBlock({ message: first?.message ?? 'invalid spec', severity: 'error', at: first ? formatLocation(cwd, first.span) : undefined, diagnostics: file.rendered }),
    );
  });
  return `${lines.join('\n')}\n`;
}
