/**
 * How a backslash from the server is shown (format §4), in transcripts and failure messages
 * alike: alone where what follows cannot make it read as an escape — a printable ASCII
 * character other than `\`, `x`, `u` and `n` (IMAP's `\Seen`, `\Noselect`) — and doubled
 * otherwise: before those four (`\\`, `\xHH`, `\u{…}` and, in messages, `\n` are how the
 * outputs spell escapes), before a character shown escaped, and at the end.
 *
 * `next` is the code of the byte or UTF-16 unit after the backslash (the same in ASCII).
 */
export function shownBackslash(next: number | undefined): string {
  const plain = next !== undefined && next >= 0x20 && next < 0x7f && next !== 0x5c && next !== 0x78 && next !== 0x75 && next !== 0x6e;
  return plain ? '\\' : '\\\\';
}

/** A character shown by its code point: `\u{202E}`, upper-case hex, at least four digits. */
export function codePointEscape(cp: number): string {
  return `\\u{${cp.toString(16).toUpperCase().padStart(4, '0')}}`;
}
