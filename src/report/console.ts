/**
 * The console reporter: one line per test as it ends, the details of each failure right
 * under it (with `--verbose`, every test's whole transcript, once, under its line: never
 * interleaved with other tests' lines), and one summary. Colours only when `context.color`; the progress line only when
 * stdout is a TTY. It prints only what the events hold (already redacted), never reads
 * spec files itself: a source line could hold a secret the engine would have masked.
 */
import type { InvalidFile, RunSummary, SuiteInfo, TestInfo, TestResult, TestStatus, TranscriptEntry } from '../engine/events.js';
import type { Palette } from './colors.js';
import { createPalette } from './colors.js';
import { formatElapsed } from '../kernel/duration.js';
import { escapeControl, escapeMultiline } from './escape.js';
import { failureLines } from './failure-text.js';
import { formatLocation } from './location.js';
import { createProgressLine } from './progress.js';
import { capResult } from './reply-cap.js';
import { completeRun } from './unfinished.js';
import { failureWindow, formatEntry } from './transcript-text.js';
import type { TranscriptWindow } from './transcript-text.js';
import type { Reporter, ReporterFactory } from './types.js';

/** A run is "long" (worth a progress line) from this many tests, or after this long. */
const PROGRESS_MIN_TESTS = 10;
const PROGRESS_AFTER_MS = 1000;
/** A test slower than this has its time highlighted. */
const SLOW_MS = 1000;
/** Transcript lines shown under a failure (widened to reach the last `c:`). */
const TAIL_LINES = 10;

const ICON: Record<TestStatus, string> = { passed: '✓', failed: '✗', errored: '✗', skipped: '↓', xfailed: '✗' };
const ICON_PAINT: Record<TestStatus, keyof Palette> = { passed: 'pass', failed: 'fail', errored: 'fail', skipped: 'skip', xfailed: 'skip' };

export const createConsoleReporter: ReporterFactory = (context) => {
  const paint = createPalette(context.color);
  const out = createProgressLine(context.stdout, context.isTTY);
  // Whether the last line printed was blank: the summary starts with one, never two.
  let blankBefore = true;
  const lines = (ls: readonly string[]): void => {
    const from = blankBefore && ls[0] === '' ? 1 : 0;
    if (ls.length > from) out.print(ls.slice(from).map((l) => `${l}\n`).join(''));
    if (ls.length > 0) blankBefore = ls[ls.length - 1] === '';
  };
  const run = { total: 0, done: 0, notPassed: 0, startedAt: context.now(), suites: [] as readonly SuiteInfo[] };

  const updateProgress = (): void => {
    const elapsed = context.now().getTime() - run.startedAt.getTime();
    if (run.total < PROGRESS_MIN_TESTS && elapsed < PROGRESS_AFTER_MS) return;
    const failed = run.notPassed > 0 ? `, ${run.notPassed} failed` : '';
    out.status(paint.dim(`running ${run.done}/${run.total}…${failed}`));
  };

  const reporter: Reporter = {
    onRunStart(suites: readonly SuiteInfo[], startedAt: Date) {
      run.total = suites.reduce((n, s) => n + s.tests.length, 0);
      run.suites = suites;
      run.startedAt = startedAt;
      updateProgress();
    },

    onTestStart() {
      updateProgress();
    },

    onTestEnd(result: TestResult) {
      run.done += 1;
      if (result.status === 'failed' || result.status === 'errored') run.notPassed += 1;
      lines(resultLines(capResult(result), context.cwd, context.verbose, paint));
      updateProgress();
    },

    onRunEnd(results: readonly TestResult[], summary: RunSummary) {
      out.status(undefined);
      // The counts of the file reports: unfinished tests of an interrupted run count as errored.
      lines(summaryLines(results, completeRun(run.suites, results, summary).summary, context.cwd, paint));
    },

    onInvalidSpecs(files: readonly InvalidFile[]) {
      out.status(undefined);
      const rendered = files.map((f) => escapeMultiline(f.rendered).replace(/\n*$/, '\n')).join('\n');
      const n = files.length;
      const verdict = `${n} spec file${n === 1 ? ' is' : 's are'} invalid; nothing ran.`;
      context.stderr.write(`${rendered}\n${paint.fail(verdict)}\n`);
    },
  };
  return reporter;
};

function testTitle(test: TestInfo): string {
  return `${escapeControl(test.suite)} › ${escapeControl(test.name)}`;
}

/** `✓ suite › test 12ms`, then (failure, verbose) the details indented under it. */
function resultLines(result: TestResult, cwd: string, verbose: boolean, paint: Palette): string[] {
  const head = `${paint[ICON_PAINT[result.status]](ICON[result.status])} ${testTitle(result.test)} ${outcome(result, paint)}`;
  const body: string[] = [];
  if (result.failure !== undefined && (result.status === 'failed' || result.status === 'errored')) {
    body.push(...failureLines(result.failure, result.status, cwd, paint).map((l) => `  ${l}`));
  }
  // A known failure: where and what, one line, dim (its transcript with --verbose).
  if (result.failure !== undefined && result.status === 'xfailed') {
    body.push(paint.dim(`  failed as expected: ${formatLocation(cwd, result.failure.span)}: ${escapeControl(result.failure.message)}`));
    if (verbose) body.push(...transcriptLines({ omitted: 0, entries: result.transcript, exchangeStart: result.transcript.length }, false, paint));
  }
  if (result.status === 'failed' || result.status === 'errored') {
    const window = verbose ? failureWindow(result.transcript, Infinity, Infinity) : failureWindow(result.transcript, TAIL_LINES);
    body.push(...transcriptLines(window, true, paint));
  } else if (verbose && result.status === 'passed') {
    body.push(...transcriptLines({ omitted: 0, entries: result.transcript, exchangeStart: result.transcript.length }, false, paint));
  }
  // A blank line after details keeps one test's block apart from the next line.
  return body.length > 0 ? [head, ...body, ''] : [head];
}

/** What follows the title: the time, load-mode counts, or why it was skipped. */
function outcome(result: TestResult, paint: Palette): string {
  if (result.status === 'skipped') {
    const reason = result.skipReason ? ` (${escapeControl(result.skipReason)})` : '';
    return paint.skip(`skipped${reason}`);
  }
  const time = formatElapsed(result.durationMs);
  if (result.status === 'xfailed') return `${paint.skip(`xfail (${escapeControl(result.xfail ?? '')})`)} ${paint.dim(time)}`;
  const timed = result.durationMs >= SLOW_MS ? paint.slow(time) : paint.dim(time);
  if (result.runs === undefined) return timed;
  const failedRuns = result.failedRuns ?? 0;
  const counts = `${result.runs} runs, ${failedRuns} failed`;
  return `${failedRuns > 0 ? paint.fail(counts) : paint.dim(counts)} ${timed}`;
}

/**
 * ```
 *   transcript:
 *     … 12 earlier lines
 *     s: 250 OK
 *   > c: AUTH PLAIN ***
 *   > s: 535 5.7.8 Error: authentication failed
 * ```
 */
function transcriptLines(window: TranscriptWindow, mark: boolean, paint: Palette): string[] {
  if (window.entries.length === 0) return [];
  const lines = ['  transcript:'];
  if (window.omitted > 0) lines.push(paint.dim(`    … ${window.omitted} earlier line${window.omitted === 1 ? '' : 's'}`));
  window.entries.forEach((entry, i) => {
    const inExchange = mark && i >= window.exchangeStart;
    lines.push(`  ${inExchange ? paint.fail('>') : ' '} ${inExchange ? paintEntry(entry, paint) : paint.dim(formatEntry(entry))}`);
  });
  return lines;
}

function paintEntry(entry: TranscriptEntry, paint: Palette): string {
  const text = formatEntry(entry);
  return entry.dir === 'c' ? paint.client(text) : entry.dir === 's' ? text : paint.dim(text);
}

/**
 * ```
 * failed:
 *   ✗ suite › test  specs/a.yaml:3:7
 *
 * 12 passed, 1 failed, 1 errored, 2 skipped (1.3s)
 * ```
 * One summary line, in the words and counts of the JUnit and JSON reports (`failed`: the
 * server did not do what the spec says; `errored`: the test could not run to its end on our
 * side). Each count is painted as a whole, so `grep "0 failed"` finds it in a coloured log.
 */
function summaryLines(results: readonly TestResult[], summary: RunSummary, cwd: string, paint: Palette): string[] {
  const lines = [''];
  const bad = results.filter((r) => r.status === 'failed' || r.status === 'errored');
  if (bad.length > 0) {
    lines.push(paint.fail('failed:'));
    for (const r of bad) {
      const where = r.failure === undefined ? '' : `  ${paint.location(formatLocation(cwd, r.failure.span))}`;
      lines.push(`  ${paint.fail(ICON[r.status])} ${testTitle(r.test)}${where}`);
    }
    lines.push('');
  }
  const parts = [
    paint.pass(`${summary.passed} passed`),
    summary.failed > 0 ? paint.fail(`${summary.failed} failed`) : undefined,
    summary.errored > 0 ? paint.fail(`${summary.errored} errored`) : undefined,
    summary.skipped > 0 ? paint.skip(`${summary.skipped} skipped`) : undefined,
    (summary.xfailed ?? 0) > 0 ? paint.skip(`${summary.xfailed} xfailed`) : undefined,
  ].filter((p) => p !== undefined);
  const head = summary.interrupted ? paint.skip('interrupted: ') : '';
  lines.push(`${head}${parts.join(', ')} ${paint.dim(`(${formatElapsed(summary.durationMs)})`)}`);
  return lines;
}
