/** Paths and spans as every reporter shows them. */
import { displayPath } from '../kernel/path.js';
import type { Span } from '../kernel/span.js';
import { escapeControl } from './escape.js';

/** A file as reporters show it: `displayPath`, its control characters escaped. */
export function formatFile(cwd: string, file: string): string {
  return escapeControl(displayPath(file, cwd));
}

/** `specs/auth.yaml:23:12` */
export function formatLocation(cwd: string, span: Pick<Span, 'file' | 'line' | 'col'>): string {
  return `${formatFile(cwd, span.file)}:${span.line}:${span.col}`;
}
