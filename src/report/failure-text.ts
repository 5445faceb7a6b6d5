/** A failure's details as lines of text, shared by the console, JUnit and transcript files. */
import type { Failure, TestStatus } from '../engine/events.js';
import type { Palette } from './colors.js';
import { escapeControl, escapeMultiline } from './escape.js';
import { formatLocation } from './location.js';

const LABEL_WIDTH = 'expected:'.length;

/**
 * ```
 * specs/auth.yaml:23:12: expected reply code 235, got 535
 * included from specs/main.yaml:10:7
 * step: authenticate
 * expected: 235
 * actual:   535 5.7.8 Error: authentication failed
 * ```
 * `error:` precedes the message of an errored test (our side, not the server's).
 */
export function failureLines(failure: Failure, status: TestStatus, cwd: string, paint: Palette): string[] {
  const prefix = status === 'errored' ? 'error: ' : '';
  const lines = [`${paint.location(formatLocation(cwd, failure.span))}: ${paint.bold(prefix + escapeMultiline(failure.message))}`];
  for (const span of failure.includedFrom) lines.push(paint.dim(`included from ${formatLocation(cwd, span)}`));
  if (failure.stepName !== undefined) lines.push(`step: ${escapeControl(failure.stepName)}`);
  if (failure.expected !== undefined) lines.push(...labelled('expected:', failure.expected, paint.expected));
  if (failure.actual !== undefined) lines.push(...labelled('actual:', failure.actual, paint.actual));
  return lines.flatMap((l) => l.split('\n'));
}

/** `label value`, the value's later lines indented under its first. */
function labelled(label: string, value: string, paint: (s: string) => string): string[] {
  const [first = '', ...rest] = escapeMultiline(value).split('\n');
  const pad = ' '.repeat(LABEL_WIDTH + 1);
  return [`${label.padEnd(LABEL_WIDTH)} ${paint(first)}`, ...rest.map((l) => pad + paint(l))];
}
