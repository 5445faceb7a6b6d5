/** Dates as mail protocols write them. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function clock(date: Date): string {
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/** RFC 5322 §3.3 date-time, in UTC: `Thu, 28 Nov 2024 17:47:00 +0000`. */
export function rfc5322Date(date: Date): string {
  const day = DAYS[date.getUTCDay()] ?? 'Sun';
  const month = MONTHS[date.getUTCMonth()] ?? 'Jan';
  return `${day}, ${date.getUTCDate()} ${month} ${date.getUTCFullYear()} ${clock(date)} +0000`;
}

/** RFC 3501 §9 date-time (INTERNALDATE), in UTC: `28-Nov-2024 17:47:00 +0000`. */
export function imapDateTime(date: Date): string {
  const month = MONTHS[date.getUTCMonth()] ?? 'Jan';
  return `${String(date.getUTCDate()).padStart(2, ' ')}-${month}-${date.getUTCFullYear()} ${clock(date)} +0000`;
}

/** Parses an RFC 3501 date-time (APPEND); undefined when malformed. */
export function parseImapDateTime(text: string): Date | undefined {
  const match = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [, d, mon, y, hh, mm, ss, sign, zh, zm] = match;
  const month = MONTHS.findIndex((m) => m.toLowerCase() === (mon ?? '').toLowerCase());
  if (month < 0) return undefined;
  const offset = (Number(zh) * 60 + Number(zm)) * (sign === '-' ? -1 : 1);
  const utc = Date.UTC(Number(y), month, Number(d), Number(hh), Number(mm), Number(ss)) - offset * 60_000;
  return Number.isNaN(utc) ? undefined : new Date(utc);
}
