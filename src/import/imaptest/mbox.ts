/**
 * Reads an mbox file as imaptest appends it: a message starts at a `From ` line that carries
 * a date (the line itself is not part of the message, its date is the message's
 * INTERNALDATE), runs to the next such line, the empty line before it included, and every
 * line ends in CRLF.
 */

export interface MboxMessage {
  /** The lines, without line ends. */
  readonly lines: readonly string[];
  /** The `From ` line's date as an IMAP date-time (`"22-Feb-2008 17:06:23 +0000"`). */
  readonly date: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * `From sender [Www] Mmm dd hh:mm[:ss] [zone] yyyy [zone]`: the date as IMAP writes it, or
 * undefined when the line is not an mbox separator. A date with no zone is taken as UTC.
 */
export function fromLineDate(line: string): string | undefined {
  const m = /^From \S+\s+(?:[A-Za-z]{3}\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:([+-]\d{4})\s+)?(\d{4})(?:\s+([+-]\d{4}))?\s*$/.exec(line);
  if (!m) return undefined;
  const [, month, day, hour, minute, second, zoneBefore, year, zoneAfter] = m;
  const mon = MONTHS.find((name) => name.toLowerCase() === month?.toLowerCase());
  if (mon === undefined) return undefined;
  const two = (n: string | undefined): string => (n ?? '0').padStart(2, '0');
  return `${(day ?? '').padStart(2, ' ')}-${mon}-${year} ${two(hour)}:${two(minute)}:${two(second)} ${zoneAfter ?? zoneBefore ?? '+0000'}`;
}

export function readMbox(text: string): MboxMessage[] {
  const messages: MboxMessage[] = [];
  let current: { lines: string[]; date: string } | undefined;
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const date = fromLineDate(line);
    if (date !== undefined) {
      if (current) messages.push(current);
      current = { lines: [], date };
    } else if (current) current.lines.push(line);
  }
  if (current) messages.push(current);
  return messages;
}

/** `count` messages, wrapping around the mbox (imaptest's `messages:` header). */
export function pickMessages(messages: readonly MboxMessage[], count: number | undefined, start = 0): MboxMessage[] {
  if (messages.length === 0) return [];
  const n = count ?? messages.length;
  return Array.from({ length: n }, (_, i) => messages[(start + i) % messages.length] as MboxMessage);
}
