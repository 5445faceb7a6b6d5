/** Paths and spans as every reporter shows them. */
import path from 'node:path';
import type { Span } from '../kernel/span.js';
import { escapeControl } from './escape.js';

/**
 * A file inside `cwd` relative to it, with `/` separators (what a CI UI links to);
 * anything else as the engine gave it.
 */
export function displayPath(cwd: string, file: string): string {
  if (!path.isAbsolute(file)) return escapeControl(file);
  const rel = path.relative(cwd, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return escapeControl(file);
  return escapeControl(rel.split(path.sep).join('/'));
}

/** `specs/auth.yaml:23:12` */
export function formatLocation(cwd: string, span: Pick<Span, 'file' | 'line' | 'col'>): string {
  return `${displayPath(cwd, span.file)}:${span.line}:${span.col}`;
}
