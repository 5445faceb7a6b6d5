/**
 * Bytes → printable text for transcripts and messages (spec §4): valid UTF-8 stays as is,
 * invalid bytes, NUL and other control characters (tab aside) become `\xHH`.
 */
const HEX = (b: number): string => `\\x${b.toString(16).padStart(2, '0')}`;

export function escapeBytes(bytes: Buffer): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = utf8SequenceLength(bytes, i);
    if (len === 0) {
      out += HEX(b);
      i += 1;
    } else if (len === 1) {
      out += b < 0x20 && b !== 0x09 ? HEX(b) : b === 0x7f ? HEX(b) : String.fromCharCode(b);
      i += 1;
    } else {
      const ch = bytes.toString('utf8', i, i + len);
      const cp = ch.codePointAt(0)!;
      // C1 controls are invisible or move the cursor in terminals.
      out += cp >= 0x80 && cp < 0xa0 ? [...bytes.subarray(i, i + len)].map(HEX).join('') : ch;
      i += len;
    }
  }
  return out;
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
