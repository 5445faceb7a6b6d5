/**
 * Diagnostics for people (Hurl style): `path:line:col: message [code]`, the source line under a
 * line-number gutter, a caret run under the span with the hint beside it, and where a
 * fragment was included from. Display only: the data is `Diagnostic`.
 */
import { createColors } from 'picocolors';
import type { Diagnostic } from '../kernel/diagnostic.js';
import { formatSpan, type Span } from '../kernel/span.js';

export interface RenderOptions {
  readonly color: boolean;
  /**
   * Applied to every piece of source text, message and hint shown, with the file the
   * diagnostic is about (that file's literal secrets → `***`: see `fileRedactor`).
   */
  readonly redact?: (text: string, file: string) => string;
}

/**
 * All diagnostics, in the order given, separated by blank lines; ends with a newline.
 * `sources`: the text of each file (display path → text), or just the lines the
 * diagnostics point at (`FrameLines`).
 */
export function renderDiagnostics(diags: readonly Diagnostic[], sources: ReadonlyMap<string, string> | FrameLines, options: RenderOptions): string {
  const c = createColors(options.color);
  const redact = options.redact;
  const lineOf = sources instanceof FrameLines ? (d: Diagnostic) => sources.line(d.span.file, d.span.line) : wholeFileLines(sources);
  return diags.map((d) => renderOne(d, lineOf(d), c, redact ? (s: string) => redact(s, d.span.file) : (s: string) => s)).join('\n');
}

/** The source line of each diagnostic, from whole texts (each split once). */
function wholeFileLines(sources: ReadonlyMap<string, string>): (d: Diagnostic) => string | undefined {
  const cache = new Map<string, string[] | undefined>();
  return (d) => {
    const file = d.span.file;
    if (!cache.has(file)) cache.set(file, splitLines(sources.get(file)));
    return cache.get(file)?.[d.span.line - 1];
  };
}

function splitLines(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : text.split(/\r?\n/);
}

/**
 * The source lines code frames need, and no more: for each diagnostic kept, the line it
 * points at. Lets `validate` drop each file's text once the file is checked.
 */
export class FrameLines {
  private readonly files = new Map<string, Map<number, string>>();

  /** Keep the lines `diags` point at; `source` gives a file's text (undefined: none, so no frame). */
  keep(diags: readonly Diagnostic[], source: (file: string) => string | undefined): void {
    const split = new Map<string, string[] | undefined>();
    for (const d of diags) {
      const file = d.span.file;
      if (!split.has(file)) split.set(file, splitLines(source(file)));
      const line = split.get(file)?.[d.span.line - 1];
      if (line === undefined) continue;
      let lines = this.files.get(file);
      if (!lines) this.files.set(file, (lines = new Map()));
      lines.set(d.span.line, line);
    }
  }

  /** The text of line `line` (1-based) of `file`, if it was kept. */
  line(file: string, line: number): string | undefined {
    return this.files.get(file)?.get(line);
  }
}

type Colors = ReturnType<typeof createColors>;

function renderOne(d: Diagnostic, line: string | undefined, c: Colors, redact: (s: string) => string): string {
  const out: string[] = [];
  const where = line === undefined ? d.span.file : formatSpan(d.span);
  const warning = d.severity === 'warning';
  const paint = warning ? c.yellow : c.red;
  // A warning's words are the loader's own, never a value from the spec: shown as they are
  // (a 1-character secret would mask its own message); its source line is redacted.
  const words = warning ? (s: string) => s : redact;
  // The code last, as eslint puts its rule: the message reads first, the kind is there to grep.
  out.push(`${c.bold(where)}: ${c.bold(paint(`${warning ? 'warning: ' : ''}${words(d.message)}`))} ${c.dim(`[${d.code}]`)}`);
  if (line !== undefined) {
    const gutter = `   ${d.span.line}`;
    const blank = ' '.repeat(gutter.length);
    const { before, marked, after } = cut(line, d.span);
    // Redacted whole, then cut to the window: a secret is never shown in part.
    const shownBefore = tail(visible(redact(before)), WINDOW.before);
    const shownMarked = head(visible(redact(marked)), WINDOW.marked);
    const shownAfter = head(visible(redact(after)), WINDOW.after);
    out.push(`${c.dim(gutter)} ${c.dim('|')} ${shownBefore}${shownMarked}${shownAfter}`.trimEnd());
    const pad = [...shownBefore].map((ch) => (ch === '\t' ? '\t' : ' ')).join('');
    const carets = '^'.repeat(Math.max(1, [...shownMarked].length));
    const hint = d.hint ? ` ${c.cyan(words(d.hint))}` : '';
    out.push(`${blank} ${c.dim('|')} ${pad}${paint(carets)}${hint}`);
  } else if (d.hint) {
    out.push(`   ${c.cyan(words(d.hint))}`);
  }
  for (const from of d.includedFrom ?? []) out.push(`   ${c.dim(`included from ${formatSpan(from)}`)}`);
  return `${out.join('\n')}\n`;
}

/**
 * Control characters of a source line as their Unicode pictures (U+0001 → ␁, DEL → ␡, C1 → �),
 * one column each so the carets stay under them: printed raw they are invisible, or (ESC) a
 * terminal escape sequence from a spec file. Tabs stay tabs (the carets' padding copies them),
 * and so does a CR (a CRLF file's line end).
 */
function visible(text: string): string {
  return text.replace(/[\x00-\x08\x0a-\x0c\x0e-\x1f\x7f-\x9f]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? '\u2421' : '\ufffd';
  });
}

/**
 * How much of a long line a code frame shows, in characters: before the span, of the span,
 * after it. A line of megabytes must not become megabytes of output.
 */
const WINDOW = { before: 100, marked: 100, after: 100 } as const;

/** The last `max` characters of `text`, `…` first when some were cut. */
function tail(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text.slice(-2 * max));
  return chars.length <= max ? chars.join('') : `…${chars.slice(chars.length - max + 1).join('')}`;
}

/** The first `max` characters of `text`, `…` last when some were cut. */
function head(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text.slice(0, 2 * max));
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

/** The line split at the span; a span running past the line is cut at its end. */
function cut(line: string, span: Span): { before: string; marked: string; after: string } {
  const start = Math.min(Math.max(0, span.col - 1), line.length);
  const end = span.endLine === span.line ? Math.min(Math.max(start, span.endCol - 1), line.length) : line.length;
  return { before: line.slice(0, start), marked: line.slice(start, end), after: line.slice(end) };
}
