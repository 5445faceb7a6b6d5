/**
 * Text as it appears in failure messages: printable, quoted, bounded. As in transcripts
 * (format §4): control characters are shown as `\xHH` (C1 controls as their UTF-8 bytes), a
 * backslash that could start an escape as `\\` (`shownBackslash`; IMAP's `\Seen` stays as it
 * is), invisible format characters (bidi controls, zero-width characters,
 * U+2028/U+2029) as `\u{202E}`; a line break between reply lines shows as `\n`, which reads
 * better in one-line messages. Redaction is the engine's job, before display.
 */
import { codePointEscape, shownBackslash } from '../kernel/escape.js';

const MAX_SHOWN = 200;

/** Everything `printable` rewrites; `SOURCE_SHOWN` is the same without the backslash. */
const SHOWN = /[\x00-\x1f\x7f-\x9f\\\p{Cf}\p{Zl}\p{Zp}]/gu;
const SOURCE_SHOWN = /[\x00-\x1f\x7f-\x9f\p{Cf}\p{Zl}\p{Zp}]/gu;

const hex = (b: number): string => `\\x${b.toString(16).padStart(2, '0')}`;

function show(c: string, at: number, text: string): string {
  const cp = c.codePointAt(0) as number;
  if (c === '\n') return '\\n';
  if (c === '\\') return shownBackslash(at + 1 < text.length ? text.charCodeAt(at + 1) : undefined);
  if (cp < 0x80) return hex(cp);
  // C1 controls: their UTF-8 bytes, as transcripts show them.
  if (cp < 0xa0) return hex(0xc0 | (cp >> 6)) + hex(0x80 | (cp & 0x3f));
  return codePointEscape(cp);
}

export function printable(text: string): string {
  return text.replace(SHOWN, show);
}

/** A regex's source as written in the spec: like `printable`, but backslashes are its own syntax and stay single. */
export function printableSource(source: string): string {
  return source.replace(SOURCE_SHOWN, show);
}

/** `"text"`, cut to a readable length. */
export function quote(text: string, max = MAX_SHOWN): string {
  const shown = printable(text);
  return `"${shown.length > max ? `${shown.slice(0, max)}…` : shown}"`;
}

/** For the `actual` field: the reply as its lines, bounded so a 16 MiB reply stays a message. */
export function shownLines(lines: readonly string[], max = 2000): string {
  const text = lines.map(printable).join('\n');
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

