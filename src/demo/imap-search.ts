/**
 * SEARCH keys (RFC 3501 §6.4.4): the subset the demo serves, parsed into one predicate.
 * String keys match as case-insensitive substrings of the raw (undecoded) text.
 */
import { astring, atom, ImapSyntaxError, inSequenceSet, parseSequenceSet } from './imap-parser.js';
import type { ImapToken } from './imap-parser.js';
import type { StoredMessage } from './mailbox.js';
import { headerValues, splitMessage } from './message.js';

export interface SearchTarget {
  readonly message: StoredMessage;
  /** Message sequence number in the session's view. */
  readonly seq: number;
}

export type SearchPredicate = (target: SearchTarget) => boolean;

export interface SearchBounds {
  /** Highest sequence number (for `*`). */
  readonly maxSeq: number;
  /** Highest UID in use (for `*`). */
  readonly maxUid: number;
}

/** RFC 3501 §6.4.4: the charsets every server must know. */
export const SEARCH_CHARSETS = ['US-ASCII', 'UTF-8'];

export class BadCharsetError extends Error {}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** RFC 3501 §9 date (`1-Feb-1994`), as the UTC day number. */
function parseDay(text: string | undefined): number {
  const match = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text ?? '');
  const month = MONTHS.indexOf((match?.[2] ?? '').toLowerCase());
  if (!match || month < 0) throw new ImapSyntaxError(`bad date ${JSON.stringify(text ?? '')}`);
  return Date.UTC(Number(match[3]), month, Number(match[1])) / 86_400_000;
}

const dayOf = (date: Date): number => Math.floor(date.getTime() / 86_400_000);

const contains = (haystack: string, needle: string): boolean => haystack.toLowerCase().includes(needle.toLowerCase());

const hasFlag = (flag: string, wanted: boolean): SearchPredicate => (t) => t.message.flags.has(flag) === wanted;

const header =
  (name: string, needle: string): SearchPredicate =>
  (t) => {
    const values = headerValues(t.message.raw, name);
    // RFC 3501 §6.4.4 HEADER: an empty string matches every message with the field.
    return needle === '' ? values.length > 0 : values.some((v) => contains(v, needle));
  };

/** Keys without arguments. */
const FLAG_KEYS: Readonly<Record<string, SearchPredicate>> = {
  ALL: () => true,
  ANSWERED: hasFlag('\\Answered', true),
  DELETED: hasFlag('\\Deleted', true),
  DRAFT: hasFlag('\\Draft', true),
  FLAGGED: hasFlag('\\Flagged', true),
  SEEN: hasFlag('\\Seen', true),
  UNANSWERED: hasFlag('\\Answered', false),
  UNDELETED: hasFlag('\\Deleted', false),
  UNDRAFT: hasFlag('\\Draft', false),
  UNFLAGGED: hasFlag('\\Flagged', false),
  UNSEEN: hasFlag('\\Seen', false),
  // The demo never reports messages as \Recent (RFC 9051 dropped it).
  NEW: () => false,
  RECENT: () => false,
  OLD: () => true,
};

/** Keys with one string argument. */
const STRING_KEYS: Readonly<Record<string, (needle: string) => SearchPredicate>> = {
  SUBJECT: (s) => header('Subject', s),
  FROM: (s) => header('From', s),
  TO: (s) => header('To', s),
  CC: (s) => header('Cc', s),
  BCC: (s) => header('Bcc', s),
  BODY: (s) => (t) => contains(splitMessage(t.message.raw).body.toString('utf8'), s),
  TEXT: (s) => (t) => contains(t.message.raw.toString('utf8'), s),
  KEYWORD: (s) => (t) => t.message.flags.has(s),
  UNKEYWORD: (s) => (t) => !t.message.flags.has(s),
  LARGER: (s) => (t) => t.message.raw.length > number(s),
  SMALLER: (s) => (t) => t.message.raw.length < number(s),
  BEFORE: (s) => {
    const day = parseDay(s);
    return (t) => dayOf(t.message.internalDate) < day;
  },
  ON: (s) => {
    const day = parseDay(s);
    return (t) => dayOf(t.message.internalDate) === day;
  },
  SINCE: (s) => {
    const day = parseDay(s);
    return (t) => dayOf(t.message.internalDate) >= day;
  },
};

function number(text: string): number {
  if (!/^\d{1,10}$/.test(text)) throw new ImapSyntaxError(`bad number ${JSON.stringify(text)}`);
  return Number(text);
}

class KeyReader {
  index = 0;
  constructor(
    readonly tokens: readonly ImapToken[],
    readonly bounds: SearchBounds,
  ) {}

  next(): ImapToken {
    const token = this.tokens[this.index++];
    if (token === undefined) throw new ImapSyntaxError('SEARCH key missing an argument');
    return token;
  }

  string(): string {
    const text = astring(this.next());
    if (text === undefined) throw new ImapSyntaxError('SEARCH expected a string');
    return text;
  }

  key(depth: number): SearchPredicate {
    if (depth > 16) throw new ImapSyntaxError('SEARCH nested too deep');
    const token = this.next();
    if (token.type === 'list') return all(new KeyReader(token.items, this.bounds).keys(depth + 1));
    const name = atom(token);
    if (name === undefined) throw new ImapSyntaxError('SEARCH expected a key');
    const upper = name.toUpperCase();
    const flag = FLAG_KEYS[upper];
    if (flag) return flag;
    const withString = STRING_KEYS[upper];
    if (withString) return withString(this.string());
    switch (upper) {
      case 'HEADER': {
        const field = this.string();
        return header(field, this.string());
      }
      case 'NOT': {
        const inner = this.key(depth + 1);
        return (t) => !inner(t);
      }
      case 'OR': {
        const a = this.key(depth + 1);
        const b = this.key(depth + 1);
        return (t) => a(t) || b(t);
      }
      case 'UID': {
        const set = parseSequenceSet(this.string(), this.bounds.maxUid);
        if (!set) throw new ImapSyntaxError('bad UID set');
        return (t) => inSequenceSet(set, t.message.uid);
      }
      default: {
        const set = parseSequenceSet(name, this.bounds.maxSeq);
        if (!set) throw new ImapSyntaxError(`SEARCH key ${name} is not supported by the demo`);
        return (t) => inSequenceSet(set, t.seq);
      }
    }
  }

  keys(depth: number): SearchPredicate[] {
    const keys: SearchPredicate[] = [];
    while (this.index < this.tokens.length) keys.push(this.key(depth));
    if (keys.length === 0) throw new ImapSyntaxError('SEARCH needs a key');
    return keys;
  }
}

function all(keys: readonly SearchPredicate[]): SearchPredicate {
  return (t) => keys.every((k) => k(t));
}

/** `[CHARSET name] key…` → one predicate (all keys must hold, RFC 3501 §6.4.4). */
export function parseSearch(tokens: readonly ImapToken[], bounds: SearchBounds): SearchPredicate {
  let rest = tokens;
  if (atom(tokens[0])?.toUpperCase() === 'CHARSET') {
    const charset = astring(tokens[1])?.toUpperCase();
    if (charset === undefined) throw new ImapSyntaxError('CHARSET needs a name');
    if (!SEARCH_CHARSETS.includes(charset)) throw new BadCharsetError(charset);
    rest = tokens.slice(2);
  }
  return all(new KeyReader(rest, bounds).keys(0));
}
