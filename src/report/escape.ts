/**
 * Last-line-of-defence escaping for everything a reporter writes. The engine already
 * escapes transcript lines (format §4), so on its output these functions change nothing;
 * they exist because names, messages and diagnostics also reach terminals and XML files,
 * and XML 1.0 (§2.2 Char) cannot hold most C0 controls, lone surrogates, U+FFFE or U+FFFF
 * at all. Rather than delete such characters, as XML libraries do, we keep them visible.
 *
 * Convention (same as the engine's `\xHH`, lower-case): a character we must not print is
 * shown as the hex of its UTF-8 bytes (for a lone surrogate, the bytes a server would have
 * sent to produce it: `\xed\xa0\x80`). Tab is kept. A backslash is NOT escaped, so applying
 * these functions twice gives the same text as applying them once.
 */

const SINGLE_LINE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const MULTI_LINE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const hex = (b: number): string => `\\x${b.toString(16).padStart(2, '0')}`;

/** UTF-8 bytes of one UTF-16 unit or BMP code point, surrogates included (WTF-8). */
function utf8Bytes(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}

const toHex = (ch: string): string => utf8Bytes(ch.charCodeAt(0)).map(hex).join('');

/** One line of output: every control character (tab aside), line ends included, as `\xHH`. */
export function escapeControl(text: string): string {
  return text.replace(SINGLE_LINE, toHex);
}

/** Text that may span lines: like `escapeControl`, but `\n` stays (a `\r` does not). */
export function escapeMultiline(text: string): string {
  return text.replace(MULTI_LINE, toHex);
}

/** For an XML attribute value: the writer (xml.ts) turns `\n` and tab into `&#xA;`/`&#x9;`. */
export function xmlAttr(text: string): string {
  return escapeMultiline(text);
}

/**
 * For XML character data written as CDATA, where `]]>` would end the section early and
 * break the file: we write every `]]>` as `]]\x3e`.
 */
export function xmlCdata(text: string): string {
  return escapeMultiline(text).replaceAll(']]>', ']]\\x3e');
}
