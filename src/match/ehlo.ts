/**
 * `ehlo:` (format §5): an SMTP/LMTP EHLO (or LHLO) reply's keywords as a set (RFC 5321
 * §4.1.1.1: each line after the first is a keyword and its parameters). `has` items must be
 * advertised, `lacks` items must not; an item is a keyword, or a keyword and parameters that
 * must all be among its parameters: `SIZE`, `AUTH PLAIN`, `AUTH=PLAIN` (the same). Order and
 * case do not matter, and neither do other keywords.
 */
import type { Check } from './types.js';
import { shownLines } from './show.js';

/** A keyword and its parameters, upper-cased. */
export interface Keyword {
  readonly keyword: string;
  readonly params: readonly string[];
}

/** `KEYWORD p1 p2` or `KEYWORD=p1 p2`. */
export function parseKeyword(text: string): Keyword | undefined {
  const [keyword, ...params] = text.trim().toUpperCase().split(/[\s=]+/).filter((w) => w !== '');
  return keyword === undefined ? undefined : { keyword, params };
}

/** The keywords of an EHLO reply: every line after the first, its `250-`/`250 ` taken off. */
export function ehloKeywords(lines: readonly string[]): Keyword[] {
  return lines
    .slice(1)
    .map((line) => parseKeyword(line.slice(4)))
    .filter((k): k is Keyword => k !== undefined);
}

/** Whether `wanted` (a keyword, maybe with parameters) is among `advertised`. */
export function advertises(advertised: readonly Keyword[], wanted: string): boolean {
  const want = parseKeyword(wanted);
  if (want === undefined) return true;
  return advertised.some((k) => k.keyword === want.keyword && want.params.every((p) => k.params.includes(p)));
}

export const checkEhlo: Check = (m, reply) => {
  const ehlo = m.ehlo;
  if (ehlo === undefined) return undefined;
  const keywords = ehloKeywords(reply.lines);
  for (const item of ehlo.has) {
    if (advertises(keywords, item.value)) continue;
    return { span: item.span, message: `expected the EHLO keyword ${item.value}, which the server does not advertise`, expected: `${item.value} among the keywords`, actual: shownLines(reply.lines) };
  }
  for (const item of ehlo.lacks) {
    if (!advertises(keywords, item.value)) continue;
    return { span: item.span, message: `expected no EHLO keyword ${item.value}, but the server advertises it`, expected: `no ${item.value}`, actual: shownLines(reply.lines) };
  }
  return undefined;
};
