/**
 * GitHub Actions (`--github`, or on by itself when `GITHUB_ACTIONS=true`): a workflow command
 * `::error file=…,line=…,col=…,title=…::message` per failing test on stdout, which GitHub
 * shows on the failing step's line of the spec in the pull request, and a Markdown summary
 * appended to the file `$GITHUB_STEP_SUMMARY` names (counts and failures; in load mode the
 * sessions and p50/p95/p99 per step). A spec that does not load gets an `::error` per
 * diagnostic, at its line. Escaping follows GitHub's workflow-command rules
 * (`%`, CR, LF in the message; `:` and `,` as well in a property): a reply cannot end the
 * command early or start another. Without `GITHUB_STEP_SUMMARY` only the annotations are
 * written.
 */
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { InvalidFile, RunSummary, SuiteInfo, TestResult } from '../engine/events.js';
import { displayPath } from '../kernel/path.js';
import { escapeControl, escapeMultiline } from './escape.js';
import { groupBySuite } from './grouping.js';
import { formatFile, formatLocation } from './location.js';
import { ReportWriteError, reason } from './output-file.js';
import { capResult } from './reply-cap.js';
import { completeRun } from './unfinished.js';
import type { LoadStatistics, ReporterContext, ReporterFactory } from './types.js';

/** A workflow command's message (GitHub's `escapeData`). */
export function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** A workflow command's property value (GitHub's `escapeProperty`). */
export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

/** `::error file=a.yaml,line=3,col=5::message`, every part escaped. */
export function workflowCommand(command: string, properties: Readonly<Record<string, string | number>>, message: string): string {
  const props = Object.entries(properties).map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
  return `::${command}${props === '' ? '' : ` ${props}`}::${escapeData(message)}`;
}

/**
 * The path GitHub links an annotation to: relative to the checkout (`GITHUB_WORKSPACE`) when
 * the run is inside it, else as reports show it (relative to the working folder).
 */
function annotationFile(file: string, context: ReporterContext): string {
  const workspace = context.env?.GITHUB_WORKSPACE;
  const absolute = path.resolve(context.cwd, file);
  return escapeControl(displayPath(absolute, workspace !== undefined && workspace !== '' ? workspace : context.cwd));
}

/**
 * At most this many characters of one failure's message in an annotation or the summary:
 * GitHub shows a few lines of an annotation, and takes at most 1 MiB of summary per step.
 */
export const GITHUB_MESSAGE_CHARS = 2000;

function clip(text: string): string {
  const chars = [...text];
  if (chars.length <= GITHUB_MESSAGE_CHARS) return text;
  return `${chars.slice(0, GITHUB_MESSAGE_CHARS).join('')}… (${chars.length - GITHUB_MESSAGE_CHARS} more characters: the reports hold the whole reply)`;
}

/** The failure's sentence, then `expected:`/`received:`, as one message. */
function failureMessage(result: TestResult): string {
  const failure = result.failure;
  const lines: string[] = [];
  if (result.runs !== undefined) lines.push(`${result.failedRuns ?? 0} of ${result.runs} sessions failed`);
  if (failure === undefined) {
    lines.push(result.xfail !== undefined ? `passed, but it is marked xfail: ${result.xfail}` : `test ${result.status}`);
    return lines.join('\n');
  }
  lines.push(failure.message);
  if (failure.stepName !== undefined) lines.push(`step: ${failure.stepName}`);
  if (failure.expected !== undefined) lines.push(`expected: ${failure.expected}`);
  if (failure.actual !== undefined) lines.push(`received: ${failure.actual}`);
  return clip(escapeMultiline(lines.join('\n')));
}

function annotation(result: TestResult, context: ReporterContext): string {
  const where = result.failure?.span ?? result.test.span;
  return workflowCommand(
    'error',
    {
      file: annotationFile(where.file, context),
      line: where.line,
      col: where.col,
      endLine: where.endLine,
      endColumn: where.endCol,
      title: escapeControl(`${result.test.suite} › ${result.test.name}`),
    },
    failureMessage(result),
  );
}

const failing = (r: TestResult): boolean => r.status === 'failed' || r.status === 'errored';

// --- the step summary (Markdown) -------------------------------------------------------------

/**
 * Text inside a line of Markdown (never at its start) and its HTML: nothing a server sent
 * becomes markup, a link, code or a table cell.
 */
export function markdownText(text: string): string {
  return escapeControl(text)
    .replace(/[\\`*_[\]|~]/g, (ch) => `\\${ch}`)
    .replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A block of text as `<pre>`, HTML-escaped: Markdown is not read inside it. */
function preformatted(text: string): string {
  return `<pre>${escapeMultiline(text).replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`)}</pre>`;
}

/** What the summary reads of the load statistics (`LoadReport`, src/loadtest/report.ts). */
export interface SummaryLoad {
  readonly sessions: { readonly total: number; readonly passed: number; readonly failed: number; readonly errored: number };
  readonly durationMs: number;
  readonly sessionsPerSecond: number;
  readonly tests: readonly {
    readonly suite: string;
    readonly name: string;
    readonly steps: readonly {
      readonly label: string;
      readonly file: string;
      readonly line: number;
      readonly count: number;
      readonly failed: number;
      readonly latency: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
    }[];
  }[];
  readonly thresholds?: readonly { readonly threshold: string; readonly passed: boolean; readonly detail: string }[];
}

const ms = (n: number): string => `${n} ms`;

function countsLine(summary: RunSummary): string {
  const parts = [`${summary.passed} passed`, `${summary.failed} failed`, `${summary.errored} errored`, `${summary.skipped} skipped`];
  if ((summary.xfailed ?? 0) > 0) parts.push(`${summary.xfailed} xfailed`);
  return parts.join(' · ');
}

function loadSection(load: SummaryLoad): string[] {
  const { sessions } = load;
  const lines = [
    '',
    `**Load:** ${sessions.total} sessions in ${(load.durationMs / 1000).toFixed(1)} s (${load.sessionsPerSecond} sessions/s), ${sessions.failed + sessions.errored} failed`,
  ];
  for (const t of load.thresholds ?? []) {
    lines.push(`- ${t.passed ? '✓' : '✗'} threshold \`${escapeControl(t.threshold).replaceAll('`', "'")}\` ${t.passed ? 'holds' : '**breached**'}: ${markdownText(t.detail)}`);
  }
  for (const test of load.tests) {
    lines.push(
      '',
      `#### ${markdownText(`${test.suite} › ${test.name}`)}`,
      '',
      '| step | where | count | failed | p50 | p95 | p99 | max |',
      '|---|---|--:|--:|--:|--:|--:|--:|',
      ...test.steps.map(
        (s) => `| ${markdownText(s.label)} | ${markdownText(`${s.file}:${s.line}`)} | ${s.count} | ${s.failed} | ${ms(s.latency.p50)} | ${ms(s.latency.p95)} | ${ms(s.latency.p99)} | ${ms(s.latency.max)} |`,
      ),
    );
  }
  return lines;
}

/** The Markdown appended to `$GITHUB_STEP_SUMMARY`. */
export function stepSummary(results: readonly TestResult[], summary: RunSummary, cwd: string, load?: SummaryLoad): string {
  const bad = results.filter(failing);
  const breached = load?.thresholds?.filter((t) => !t.passed).length ?? 0;
  const verdict = [...(bad.length > 0 ? [`${bad.length} failed`] : []), ...(breached > 0 ? [`${breached} threshold${breached > 1 ? 's' : ''} breached`] : [])];
  const lines = [`### convospec: ${verdict.length === 0 ? 'passed' : verdict.join(', ')}${summary.interrupted ? ' (interrupted)' : ''}`, '', countsLine(summary)];
  if (load !== undefined) lines.push(...loadSection(load));
  if (bad.length > 0) {
    lines.push('', '#### Failures', '');
    for (const result of bad) {
      const where = formatLocation(cwd, result.failure?.span ?? result.test.span);
      lines.push(`- **${markdownText(`${result.test.suite} › ${result.test.name}`)}** at \`${where.replaceAll('`', "'")}\``);
      lines.push(`  ${preformatted(failureMessage(result))}`.replaceAll('\n', '&#10;'));
    }
  }
  return `${lines.join('\n')}\n\n`;
}

/** A spec that did not load: an `::error` per diagnostic, at its place, titled by its code. */
function invalidAnnotations(files: readonly InvalidFile[], context: ReporterContext): string[] {
  return files.flatMap((file) =>
    file.diagnostics.map((d) =>
      workflowCommand(
        'error',
        { file: annotationFile(d.span.file, context), line: d.span.line, col: d.span.col, endLine: d.span.endLine, endColumn: d.span.endCol, title: `convospec: ${d.code}` },
        escapeMultiline(d.hint !== undefined ? `${d.message}\n${d.hint}` : d.message),
      ),
    ),
  );
}

/** Appends to `$GITHUB_STEP_SUMMARY`, when the runner set it. */
async function appendSummary(context: ReporterContext, markdown: string): Promise<void> {
  const file = context.env?.GITHUB_STEP_SUMMARY;
  if (file === undefined || file === '') return;
  const target = path.resolve(context.cwd, file);
  await appendFile(target, markdown, 'utf8').catch((error: unknown) => {
    throw new ReportWriteError(`cannot write the GitHub step summary ${target}: ${reason(error)}`, { cause: error });
  });
}

export const createGithubReporter: ReporterFactory = (context) => {
  let suites: readonly SuiteInfo[] = [];
  let load: SummaryLoad | undefined;
  return {
    onRunStart(declared) {
      suites = declared;
    },
    onLoadEnd(statistics: LoadStatistics) {
      load = statistics as SummaryLoad;
    },
    async onRunEnd(results, summary) {
      const complete = completeRun(suites, results, summary);
      const ordered = groupBySuite(suites, complete.results).flatMap((g) => g.results).map(capResult);
      const commands = ordered.filter(failing).map((r) => `${annotation(r, context)}\n`);
      context.stdout.write(commands.join(''));
      await appendSummary(context, stepSummary(ordered, complete.summary, context.cwd, load));
    },
    async onInvalidSpecs(files) {
      context.stdout.write(invalidAnnotations(files, context).map((l) => `${l}\n`).join(''));
      const list = files.map((f) => `- \`${formatFile(context.cwd, f.file).replaceAll('`', "'")}\`: ${preformatted(f.rendered).replaceAll('\n', '&#10;')}`);
      await appendSummary(context, `### convospec: ${files.length} spec file${files.length > 1 ? 's' : ''} did not load, nothing ran\n\n${list.join('\n')}\n\n`);
    },
  };
};
