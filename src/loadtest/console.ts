/**
 * The console view of a load run: a headline, then per test one line and a compact table
 * of its steps (count, failures, latency percentiles), and the first failures' messages.
 */
import type { Palette } from '../report/colors.js';
import { formatElapsed } from '../kernel/duration.js';
import { escapeControl } from '../report/escape.js';
import type { LatencySummary } from './histogram.js';
import type { LoadReport, LoadTestReport, SessionCounts } from './report.js';
import type { ThresholdResult } from './thresholds.js';

const COLUMNS = ['count', 'failed', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'] as const;

export function loadConsoleLines(report: LoadReport, paint: Palette): string[] {
  const out: string[] = [];
  for (const test of report.tests) out.push(...testLines(test, paint), '');
  out.push(headline(report, paint));
  return out;
}

function headline(report: LoadReport, paint: Palette): string {
  const { sessions, settings } = report;
  const bad = sessions.failed + sessions.errored;
  const how = [
    `concurrency ${settings.concurrency}`,
    ...(settings.repeat !== undefined ? [`repeat ${settings.repeat}`] : []),
    ...(settings.durationMs !== undefined ? [`duration ${formatElapsed(settings.durationMs)}`] : []),
    ...(settings.ratePerSecond !== undefined ? [`rate ${settings.ratePerSecond}/s`] : []),
    ...(settings.shard ? [`shard ${settings.shard.index}/${settings.shard.count}`] : []),
  ].join(', ');
  const others = expectedOutcomes(sessions, paint);
  const result = `${bad > 0 ? paint.fail(`${bad} failed`) : paint.pass(others === '' ? 'all passed' : 'none failed')}${others}`;
  const interrupted = report.interrupted ? paint.fail(' (interrupted)') : '';
  return `${paint.bold(`${sessions.total} sessions`)} in ${formatElapsed(report.durationMs)}, ${paint.bold(`${fmtRate(report.sessionsPerSecond)} sessions/s`)}: ${result}${interrupted} (${how})`;
}

/** `, 3 xfailed, 2 skipped`: sessions that neither passed nor failed the run; '' when none. */
function expectedOutcomes(sessions: SessionCounts, paint: Palette): string {
  return [
    ...((sessions.xfailed ?? 0) > 0 ? [`${sessions.xfailed} xfailed`] : []),
    ...((sessions.skipped ?? 0) > 0 ? [`${sessions.skipped} skipped`] : []),
  ].map((part) => `, ${paint.skip(part)}`).join('');
}

function testLines(test: LoadTestReport, paint: Palette): string[] {
  const { sessions } = test;
  const bad = sessions.failed + sessions.errored;
  // As in a normal run: an expected failure is a ✗ in the colour of skips.
  const icon = sessions.total === 0 || sessions.skipped === sessions.total ? paint.skip('↓')
    : bad > 0 ? paint.fail('✗')
    : (sessions.xfailed ?? 0) > 0 ? paint.skip('✗')
    : paint.pass('✓');
  const title = `${escapeControl(test.suite)} › ${escapeControl(test.name)}`;
  const counts = `${sessions.total} sessions${bad > 0 ? `, ${paint.fail(`${bad} failed`)}` : ''}${expectedOutcomes(sessions, paint)}`;
  const lines = [`${icon} ${title}  ${paint.dim(`${test.file}:${test.line}`)}  ${counts}`];
  const rows: string[][] = [['session', ...latencyCells(sessions.total, bad, test.latency)]];
  for (const step of test.steps) rows.push([`${step.line}:${step.col} ${step.label}`, ...latencyCells(step.count, step.failed, step.latency)]);
  lines.push(...table(['', ...COLUMNS], rows, paint).map((l) => `    ${l}`));
  if (bad > 0) {
    const kinds = Object.entries(test.failures.byKind).map(([kind, n]) => `${kind} ${n}`).join(', ');
    lines.push(`    ${paint.fail(`failures: ${kinds}`)}; the first ${test.failures.samples.length}:`);
    for (const s of test.failures.samples) {
      lines.push(`      ${paint.location(`${s.file}:${s.line}:${s.col}`)} session ${s.session}: ${escapeControl(s.message)}`);
    }
  }
  return lines;
}

function latencyCells(count: number, failed: number, l: LatencySummary): string[] {
  const none = count === 0;
  return [String(count), String(failed), ...[l.p50, l.p95, l.p99, l.max].map((ms) => (none ? '-' : fmtMs(ms)))];
}

/** First column left-aligned, numbers right-aligned; the header dimmed. */
function table(header: readonly string[], rows: readonly string[][], paint: Palette): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: readonly string[]): string =>
    r.map((cell, i) => (i === 0 ? pad(cell, widths[i]!, 'end') : pad(cell, widths[i]!, 'start'))).join('  ').trimEnd();
  return [paint.dim(line(header)), ...rows.map(line)];
}

function pad(text: string, width: number, side: 'start' | 'end'): string {
  const fill = ' '.repeat(Math.max(0, width - [...text].length));
  return side === 'start' ? fill + text : text + fill;
}

/** Three significant figures or so: `0.412`, `12.3`, `1234`. */
export function fmtMs(ms: number): string {
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

function fmtRate(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

/** `✓ threshold p99<800ms: p99 312 ms`, `✗ threshold failed<1%: 2.5% failed (5 of 200), …`. */
export function thresholdLines(results: readonly ThresholdResult[], paint: Palette): string[] {
  return results.map((r) =>
    r.passed
      ? `${paint.pass('✓')} threshold ${escapeControl(r.threshold)}: ${escapeControl(r.detail)}`
      : `${paint.fail('✗')} threshold ${paint.bold(escapeControl(r.threshold))} breached: ${escapeControl(r.detail)}`,
  );
}
