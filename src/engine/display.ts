/**
 * Bytes → printable text for transcripts and messages (format §4): valid UTF-8 stays as is,
 * but for what would make the shown text lie about what came:
 * - invalid bytes, NUL and other control characters (tab aside), C1 controls included,
 *   become `\xHH` (the bytes as received);
 * - a backslash that could start an escape is doubled (`shownBackslash`): a server's text
 *   `\x00` shows as `\\x00` and never reads like a NUL byte, while IMAP's `\Seen` stays as it is;
 * - invisible format characters (bidi overrides and isolates U+202A–U+202E, U+2066–U+2069,
 *   zero-width characters, the BOM… Unicode category Cf) and the line and paragraph
 *   separators U+2028/U+2029 become `\u{202E}`: they reorder or hide what a terminal shows.
 */
import { codePointEscape, shownBackslash } from '../kernel/escape.js';

const HEX = (b: number): string => `\\x${b.toString(16).padStart(2, '0')}`;

/** Characters shown by code point (see above). */
const INVISIBLE = /^[\p{Cf}\p{Zl}\p{Zp}]$/u;

/** How each ASCII byte is shown: itself or `\xHH` (the backslash: see `shownBackslash`). */
const ASCII: readonly string[] = Array.from({ length: 0x80 }, (_, b) => {
  if ((b < 0x20 && b !== 0x09) || b === 0x7f) return HEX(b);
  return String.fromCharCode(b);
});

const BACKSLASH = 0x5c;

export function escapeBytes(bytes: Buffer): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = utf8SequenceLength(bytes, i);
    if (len === 0) {
      out += HEX(b);
      i += 1;
    } else if (b === BACKSLASH) {
      out += shownBackslash(bytes[i + 1]);
      i += 1;
    } else if (len === 1) {
      out += ASCII[b]!;
      i += 1;
    } else {
      out += showCharacter(bytes, i, len);
      i += len;
    }
  }
  return out;
}

/** A valid multi-byte sequence: itself, or escaped when it is a control or invisible. */
function showCharacter(bytes: Buffer, i: number, len: number): string {
  const ch = bytes.toString('utf8', i, i + len);
  const cp = ch.codePointAt(0)!;
  // C1 controls are invisible or move the cursor in terminals.
  if (cp < 0xa0) return [...bytes.subarray(i, i + len)].map(HEX).join('');
  return INVISIBLE.test(ch) ? codePointEscape(cp) : ch;
}

/** Escape a string that is already decoded (c: lines, templates' values). */
export function escapeText(text: string): string {
  return escapeBytes(Buffer.from(text, 'utf8'));
}

/** Length of the valid UTF-8 sequence at `i`, or 0 if the byte there starts none. */
function utf8SequenceLength(bytes: Buffer, i: number): number {
  const b = bytes[i]!;
  if (b < 0x80) return 1;
  let len: number;
  let min: number;
  if (b >= 0xc2 && b <= 0xdf) [len, min] = [2, 0x80];
  else if (b >= 0xe0 && b <= 0xef) [len, min] = [3, 0x800];
  else if (b >= 0xf0 && b <= 0xf4) [len, min] = [4, 0x10000];
  else return 0;
  if (i + len > bytes.length) return 0;
  let cp = b & (0xff >> (len + 1));
  for (let k = 1; k < len; k++) {
    const c = bytes[i + k]!;
    if ((c & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (c & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}
