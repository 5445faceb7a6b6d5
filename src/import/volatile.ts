/**
 * Values in server lines that change from one run to the next: queue ids, dates, message
 * ids, counters, sizes, addresses. Each recogniser finds them in a line and says which
 * regex stands for them; the rest of the line stays literal.
 */
import { decodeBase64 } from './sasl.js';

export interface Volatile {
  /** For the step's comment: "queue id", "date". */
  readonly name: string;
  /** Global regex; the match (lookbehinds keep context out of it) is what varies. */
  readonly find: RegExp;
  /** Regex source that matches any such value. */
  readonly regex: string;
  /** Further check on a match (a message id, not an address). */
  readonly accept?: (match: string) => boolean;
}

const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';

/** Earlier entries win where matches overlap and start at the same place. */
export const VOLATILES: readonly Volatile[] = [
  {
    // RFC 5322 §3.3 date-time, with an optional comment zone (`(CET)`).
    name: 'date',
    find: new RegExp(`(?:${DAY}, )?\\b\\d{1,2} ${MONTH} \\d{2,4} \\d{2}:\\d{2}(?::\\d{2})?(?: (?:[+-]\\d{4}|UT|GMT|[ECMP][SD]T|Z))?(?: \\([^)]*\\))?`, 'g'),
    regex: '(?:[A-Z][a-z]{2}, )?\\d{1,2} [A-Z][a-z]{2} \\d{2,4} \\d{2}:\\d{2}(?::\\d{2})?(?: (?:[+-]\\d{4}|[A-Z]{1,3}))?(?: \\([^)]*\\))?',
  },
  {
    // IMAP date-time (RFC 9051 §9, INTERNALDATE).
    name: 'date',
    find: new RegExp(`\\b\\d{1,2}-${MONTH}-\\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}`, 'g'),
    regex: '\\d{1,2}-[A-Z][a-z]{2}-\\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}',
  },
  {
    // C's ctime(), as some greetings print it.
    name: 'date',
    find: new RegExp(`\\b${DAY} ${MONTH} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}(?: [A-Z]{3,4})? \\d{4}\\b`, 'g'),
    regex: '[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}(?: [A-Z]{3,4})? \\d{4}',
  },
  {
    name: 'date',
    find: /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?/g,
    regex: '\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?',
  },
  { name: 'time', find: /\b\d{2}:\d{2}:\d{2}(?:\.\d+)?\b/g, regex: '\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?' },
  {
    // A generated id (`<20250304.4F3A@host>`, APOP's `<1896.697170952@dbc>`), not an address
    // such as `<test@test.com>`: a long local part with digits in it.
    name: 'message id',
    find: /<[^<>@\s]+@[^<>\s]+>/g,
    regex: '<[^<>@\\s]+@[^<>\\s]+>',
    accept: (m) => {
      const local = m.slice(1, m.indexOf('@'));
      return local.length >= 8 && /\d/.test(local);
    },
  },
  // Postfix "250 2.0.0 Ok: queued as 4F3A2B1C0D"; Exim "OK id=1tpQxY-000Abc-7Z";
  // sendmail "250 2.0.0 52S9F2Zx012345 Message accepted for delivery".
  { name: 'queue id', find: /(?<=\bqueued as )[A-Za-z0-9]+/gi, regex: '[A-Za-z0-9]+' },
  { name: 'queue id', find: /(?<=\bid=)[A-Za-z0-9-]+/g, regex: '[A-Za-z0-9-]+' },
  // Received: headers, "with ESMTPS id 4F3A2B1C0D" (Postfix), "with LMTP id kKXbFqLSxmc0BQAA" (Dovecot).
  { name: 'queue id', find: /(?<=\bwith [A-Z]+ id )[A-Za-z0-9+/._-]+/g, regex: '[A-Za-z0-9+\\/._-]+' },
  { name: 'queue id', find: /\b[A-Za-z0-9]{8,20}(?= Message accepted)/g, regex: '[A-Za-z0-9]+' },
  // Dovecot LMTP's delivery, one reply per recipient: "250 2.0.0 <bob@example.net> kNdpFQCeFms9YgAAg+zDdQ Saved".
  { name: 'delivery id', find: /(?<=> )[A-Za-z0-9+/]{16,}(?= Saved\b)/g, regex: '[A-Za-z0-9+\\/]+' },
  { name: 'message number', find: /(?<=\b[Mm]essage )\d+\b/g, regex: '\\d+' },
  {
    name: 'session id',
    find: /(?<=\bsession(?:[ -]?id)?[=:]? )[A-Za-z0-9._-]+|(?<=\bsession(?:[ -]?id)?[=:])[A-Za-z0-9._-]+/gi,
    regex: '[A-Za-z0-9._-]+',
    accept: (m) => /\d/.test(m),
  },
  { name: 'uuid', find: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, regex: '[0-9a-fA-F-]{36}' },
  // IMAP mailbox state (RFC 9051 §7.1, §7.3): it changes as mail comes and goes.
  { name: 'mailbox counter', find: /(?<=\b(?:UIDVALIDITY|UIDNEXT|HIGHESTMODSEQ|UNSEEN) )\d+/g, regex: '\\d+' },
  { name: 'message count', find: /(?<=^\* )\d+(?= (?:EXISTS|RECENT)$)/g, regex: '\\d+' },
  // POP3 STAT and LIST n (RFC 1939 §5): "+OK 2 320"; Dovecot's LIST "+OK 2 messages:".
  { name: 'message count and size', find: /(?<=^\+OK )\d+ \d+$/g, regex: '\\d+ \\d+' },
  { name: 'message count', find: /(?<=^\+OK )\d+(?= messages?\b)/g, regex: '\\d+' },
  // Dovecot's command timings: "Select completed (0.002 + 0.000 + 0.001 secs)."
  { name: 'timing', find: /(?<=\()\d+\.\d+(?: \+ \d+\.\d+)* secs(?=\))/g, regex: '\\d+\\.\\d+(?: \\+ \\d+\\.\\d+)* secs' },
  { name: 'size', find: /(?<=\bRFC822\.SIZE )\d+/g, regex: '\\d+' },
  { name: 'size', find: /(?<=\{)\d+(?=\+?\}$)/g, regex: '\\d+' },
  { name: 'size', find: /\b\d+(?= octets\b)/g, regex: '\\d+' },
  {
    // A SASL challenge that carries a timestamp (CRAM-MD5, RFC 2195 §2).
    name: 'challenge',
    find: /(?<=^(?:334|\+) )[A-Za-z0-9+/]{16,}={0,2}$/g,
    regex: '[A-Za-z0-9+\\/]+=*',
    accept: (m) => /<[^>]*\d[^>]*@[^>]*>/.test(decodeBase64(m) ?? ''),
  },
  { name: 'address', find: /\[IPv6:[0-9A-Fa-f:.]+\]/g, regex: '\\[IPv6:[0-9A-Fa-f:.]+\\]' },
  { name: 'address', find: /\b(?:\d{1,3}\.){3}\d{1,3}\b/g, regex: '(?:\\d{1,3}\\.){3}\\d{1,3}' },
  {
    // Hex ids (`4F3A2B1C0D`, Dovecot session ids): letters and digits mixed, 8 or more.
    name: 'id',
    find: /\b[0-9A-Fa-f]{8,}\b/g,
    regex: '[0-9A-Fa-f]+',
    accept: (m) => /\d/.test(m) && /[A-Fa-f]/.test(m),
  },
];

export interface VolatileSpan {
  readonly start: number;
  readonly end: number;
  readonly volatile: Volatile;
}

/** Non-overlapping volatile values in a line, left to right; the longest wins a tie. */
export function findVolatiles(text: string, table: readonly Volatile[] = VOLATILES): VolatileSpan[] {
  const found: VolatileSpan[] = [];
  for (const volatile of table) {
    for (const m of text.matchAll(volatile.find)) {
      if (m[0] === '' || (volatile.accept && !volatile.accept(m[0]))) continue;
      found.push({ start: m.index, end: m.index + m[0].length, volatile });
    }
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const chosen: VolatileSpan[] = [];
  for (const span of found) {
    const last = chosen.at(-1);
    if (!last || span.start >= last.end) chosen.push(span);
  }
  return chosen;
}
