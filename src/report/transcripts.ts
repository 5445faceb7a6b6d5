/**
 * `--transcripts DIR`: one text file per test, `DIR/<file-slug>/<test-slug>.txt`, written
 * as each test ends (so an interrupted run keeps what finished). Names are handed out in
 * declaration order at run start, so the same spec always gives the same file names.
 * Existing files are overwritten, never deleted.
 */
import path from 'node:path';
import type { TestInfo, TestResult } from '../engine/events.js';
import { createPalette } from './colors.js';
import { formatElapsed } from '../kernel/duration.js';
import { escapeControl } from './escape.js';
import { failureLines } from './failure-text.js';
import { testKey } from './grouping.js';
import { formatFile, formatLocation } from './location.js';
import { requireOutputPath, writeReportFile } from './output-file.js';
import { capResult } from './reply-cap.js';
import { createSlugger } from './slug.js';
import { formatEntry } from './transcript-text.js';
import type { ReporterFactory } from './types.js';

const PLAIN = createPalette(false);

export const createTranscriptsReporter: ReporterFactory = (context) => {
  const dir = requireOutputPath(context, 'transcripts');
  const slug = createSlugger();
  const folders = new Map<string, string>();
  const files = new Map<string, string>();

  /** `specs-auth/auth-plain-after-starttls.txt`, stable for the run. */
  const fileFor = (test: TestInfo): string => {
    const key = testKey(test);
    const known = files.get(key);
    if (known !== undefined) return known;
    const folder = folders.get(test.file) ?? slug('', formatFile(context.cwd, test.file));
    folders.set(test.file, folder);
    const file = `${folder}/${slug(folder, test.name)}.txt`;
    files.set(key, file);
    return file;
  };

  return {
    onRunStart(suites) {
      for (const suite of suites) for (const test of suite.tests) fileFor(test);
    },
    async onTestEnd(result) {
      await writeReportFile(path.join(dir, ...fileFor(result.test).split('/')), transcriptText(capResult(result), context.cwd));
    },
  };
};

/**
 * ```
 * suite: Submission port
 * test: AUTH PLAIN after STARTTLS
 * file: specs/auth.yaml:12:5
 * status: failed (45ms)
 * failure: mismatch
 *   specs/auth.yaml:23:12: expected reply code 235, got 535
 *   expected: 235
 *   actual:   535 5.7.8 Error: authentication failed
 *
 *    0ms  -- connect 127.0.0.1:587
 *   12ms  s: 220 mail.test ESMTP
 * ```
 */
export function transcriptText(result: TestResult, cwd: string): string {
  const { test } = result;
  const status =
    result.status === 'skipped'
      ? `skipped${result.skipReason ? ` (${escapeControl(result.skipReason)})` : ''}`
      : `${result.status}${result.xfail !== undefined ? ` (xfail: ${escapeControl(result.xfail)})` : ''} (${formatElapsed(result.durationMs)})`;
  const header = [
    `suite: ${escapeControl(test.suite)}`,
    `test: ${escapeControl(test.name)}`,
    `file: ${formatLocation(cwd, test.span)}`,
    `status: ${status}`,
  ];
  if (result.runs !== undefined) header.push(`runs: ${result.runs}, failed: ${result.failedRuns ?? 0}`);
  if (result.failure !== undefined) {
    header.push(`failure: ${result.failure.kind}`, ...failureLines(result.failure, result.status, cwd, PLAIN).map((l) => `  ${l}`));
  }
  const width = Math.max(0, ...result.transcript.map((e) => formatElapsed(e.atMs).length));
  const body = result.transcript.map((e) => `${formatElapsed(e.atMs).padStart(width)}  ${formatEntry(e)}`);
  return `${[...header, '', ...body].join('\n')}\n`;
}
