/**
 * Diagnostics for people (Hurl style): `path:line:col: message`, the source line under a
 * line-number gutter, a caret run under the span with the hint beside it, and where a
 * fragment was included from. Display only: the data is `Diagnostic`.
 */
import { createColors } from 'picocolors';
import type { Diagnostic } from './diagnostic.js';
import { formatSpan, type Span } from './span.js';
import { Redactor } from '../template/index.js';

export interface RenderOptions {
  readonly color: boolean;
  /** Applied to every piece of source text and message shown (literal secrets → `***`). */
  readonly redact?: (text: string) => string;
}

/** All diagnostics, in the order given, separated by blank lines; ends with a newline. */
export function renderDiagnostics(diags: readonly Diagnostic[], sources: ReadonlyMap<string, string>, options: RenderOptions): string {
  const c = createColors(options.color);
  const redact = options.redact ?? ((s: string) => s);
  const lines = (file: string): string[] | undefined => {
    const text = sources.get(file);
    return text === undefined ? undefined : text.split(/\r?\n/);
  };
  const cache = new Map<string, string[] | undefined>();
  const sourceLines = (file: string): string[] | undefined => {
    if (!cache.has(file)) cache.set(file, lines(file));
    return cache.get(file);
  };
  return diags.map((d) => renderOne(d, sourceLines(d.span.file), c, redact)).join('\n');
}

type Colors = ReturnType<typeof createColors>;

function renderOne(d: Diagnostic, lines: string[] | undefined, c: Colors, redact: (s: string) => string): string {
  const out: string[] = [];
  const line = lines?.[d.span.line - 1];
  const where = line === undefined ? d.span.file : formatSpan(d.span);
  out.push(`${c.bold(where)}: ${c.bold(c.red(redact(d.message)))}`);
  if (line !== undefined) {
    const gutter = `   ${d.span.line}`;
    const blank = ' '.repeat(gutter.length);
    const { before, marked, after } = cut(line, d.span);
    const shownBefore = redact(before);
    const shownMarked = redact(marked);
    out.push(`${c.dim(gutter)} ${c.dim('|')} ${shownBefore}${shownMarked}${redact(after)}`.trimEnd());
    const pad = [...shownBefore].map((ch) => (ch === '\t' ? '\t' : ' ')).join('');
    const carets = '^'.repeat(Math.max(1, [...shownMarked].length));
    const hint = d.hint ? ` ${c.cyan(redact(d.hint))}` : '';
    out.push(`${blank} ${c.dim('|')} ${pad}${c.red(carets)}${hint}`);
  } else if (d.hint) {
    out.push(`   ${c.cyan(redact(d.hint))}`);
  }
  for (const from of d.includedFrom ?? []) out.push(`   ${c.dim(`included from ${formatSpan(from)}`)}`);
  return `${out.join('\n')}\n`;
}

/** The line split at the span; a span running past the line is cut at its end. */
function cut(line: string, span: Span): { before: string; marked: string; after: string } {
  const start = Math.min(Math.max(0, span.col - 1), line.length);
  const end = span.endLine === span.line ? Math.min(Math.max(start, span.endCol - 1), line.length) : line.length;
  return { before: line.slice(0, start), marked: line.slice(start, end), after: line.slice(end) };
}

/** Replaces every literal secret with `***` (longest first, so one inside another goes whole). */
export function secretRedactor(literals: readonly string[]): (text: string) => string {
  // The engine's own redactor: one pass, longest secret first.
  const redactor = new Redactor();
  for (const secret of literals) redactor.add(secret);
  return (text) => redactor.redact(text);
}
