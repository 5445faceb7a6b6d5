/**
 * A failed spec test as the error vitest shows: the step's `file:line:col` and what went
 * wrong first, the end of the conversation under it, `expected`/`actual` for vitest's diff,
 * and a stack whose one frame is the step in the YAML file, so vitest points at that line.
 */
import { resolve } from 'node:path';
import type { Failure, InvalidFile, TestResult } from '../engine/events.js';
import type { Span } from '../kernel/span.js';
import { createPalette } from '../report/colors.js';
import { failureLines } from '../report/failure-text.js';
import { failureWindow, formatEntry } from '../report/transcript-text.js';

/** Transcript lines shown under a failure, as the console shows them. */
const TAIL_LINES = 10;

export class SpecFailure extends Error {
  override name = 'SpecFailure';
  /** What the step expected, for vitest's diff. */
  readonly expected?: string;
  /** What came. */
  readonly actual?: string;

  constructor(result: TestResult, failure: Failure, cwd: string) {
    // Both sides: vitest draws them as a diff, so the message leaves them out.
    const pair = failure.expected !== undefined && failure.actual !== undefined;
    const lines = failureLines(pair ? { ...failure, expected: undefined, actual: undefined } : failure, result.status, cwd, createPalette(false));
    const window = failureWindow(result.transcript, TAIL_LINES);
    if (window.entries.length > 0) {
      lines.push('transcript:');
      if (window.omitted > 0) lines.push(`  … ${window.omitted} earlier line${window.omitted === 1 ? '' : 's'}`);
      window.entries.forEach((entry, i) => lines.push(`${i >= window.exchangeStart ? '>' : ' '} ${formatEntry(entry)}`));
    }
    super(lines.join('\n'));
    if (pair) {
      this.expected = failure.expected;
      this.actual = failure.actual;
    }
    this.stack = yamlStack(this, failure.stepName ?? 'step', failure.span, cwd);
  }
}

/** A spec file that did not load: every diagnostic with its code frame, as `convospec validate` prints them. */
export class InvalidSpec extends Error {
  override name = 'InvalidSpec';

  constructor(file: InvalidFile, cwd: string) {
    const count = file.diagnostics.length;
    super(`${count} error${count === 1 ? '' : 's'} in ${file.file}\n\n${file.rendered}`);
    const first = file.diagnostics[0];
    if (first !== undefined) this.stack = yamlStack(this, first.code, first.span, cwd);
  }
}

/** A stack of one frame, the YAML line: what vitest shows as the failure's place. */
function yamlStack(error: Error, label: string, span: Span, cwd: string): string {
  return `${error.name}: ${error.message}\n    at ${label} (${resolve(cwd, span.file)}:${span.line}:${span.col})`;
}
