/**
 * The template functions of format §7, as a table: the loader checks names and
 * argument counts against it, `evaluate` calls through it. Every function is pure apart
 * from the clock and randomness, which come from the Scope.
 */
import { createHmac } from 'node:crypto';
import type { Scope, Value } from './types.js';
import { ArgumentError } from './error.js';
import { derivedValue, literalValue } from './value.js';

export interface TemplateFunction {
  readonly minArgs: number;
  readonly maxArgs: number;
  /** One line for help and "did you mean" hints, e.g. `sasl_plain(user, pass[, authzid])`. */
  readonly summary: string;
  /** Throws ArgumentError for bad arguments. The result is secret if any argument is. */
  readonly fn: (args: readonly Value[], scope: Scope) => Value;
}

/** `repeat` builds long lines on purpose; past this it is a mistake, not a test. */
export const MAX_REPEAT_CHARS = 16 * 1024 * 1024;
export const MAX_RANDOM_DIGITS = 65_536;

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

function arg(args: readonly Value[], i: number): string {
  return args[i]?.text ?? '';
}

function toBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Strict RFC 4648 §4 alphabet; padding may be left out. Node's own decoder accepts junk. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

function decodeBase64(text: string, what: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact)) throw new ArgumentError(`${what} is not base64: "${text.slice(0, 40)}"`, `${what} is not base64`);
  return Buffer.from(compact, 'base64');
}

function count(text: string, what: string, max: number): number {
  if (!/^[0-9]+$/.test(text)) throw new ArgumentError(`${what} must be a whole number, got "${text.slice(0, 40)}"`, `${what} must be a whole number`);
  const n = Number(text);
  if (n > max) throw new ArgumentError(`${what} is ${n}, more than the limit of ${max}`, `${what} is more than the limit of ${max}`);
  return n;
}

/**
 * RFC 3501 §5.1.3 modified UTF-7 to text: `&-` is `&`, `&…-` modified base64 (`,` for `/`)
 * of UTF-16. Other characters stand for themselves (a UTF-8 name passes through).
 */
function fromModifiedUtf7(name: string): string {
  const bad = (): ArgumentError => new ArgumentError(`the mailbox name is not modified UTF-7: "${name.slice(0, 40)}"`, 'the mailbox name is not modified UTF-7');
  return name.replace(/&([^-]*)(-?)/g, (_all, b64: string, end: string) => {
    if (end !== '-') throw bad();
    if (b64 === '') return '&';
    if (!/^[A-Za-z0-9+,]+$/.test(b64) || b64.length % 4 === 1) throw bad();
    const bytes = Buffer.from(b64.replaceAll(',', '/'), 'base64');
    if (bytes.length % 2 !== 0) throw bad();
    const units: number[] = [];
    for (let i = 0; i < bytes.length; i += 2) units.push(bytes.readUInt16BE(i));
    return String.fromCharCode(...units);
  });
}

/** RFC 5092 `enc-mailbox`: the name's UTF-8, every byte that is no `bchar` as `%XX`. */
function urlMailbox(name: string): string {
  let out = '';
  for (const byte of Buffer.from(fromModifiedUtf7(name), 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~!$'()*+,&=:@/]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time, always in UTC (`+0000`) so no host time zone leaks in. */
export function rfc5322Date(d: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

/** RFC 9562 §5.4: version 4, variant 10xx. */
function uuidV4(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  if (b.length < 16) throw new ArgumentError('the random source gave fewer than 16 bytes');
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const table: Record<string, TemplateFunction> = {
  base64: {
    minArgs: 1,
    maxArgs: 1,
    summary: 'base64(s): s as UTF-8, base64-encoded',
    fn: (a) => derivedValue(toBase64(arg(a, 0)), a),
  },
  unbase64: {
    minArgs: 1,
    maxArgs: 1,
    summary: 'unbase64(s): base64 decoded to UTF-8 text',
    fn: (a) => {
      const bytes = decodeBase64(arg(a, 0), 'the argument');
      let text: string;
      try {
        text = utf8Fatal.decode(bytes);
      } catch {
        throw new ArgumentError('the decoded bytes are not UTF-8 text');
      }
      return derivedValue(text, a);
    },
  },
  hex: {
    minArgs: 1,
    maxArgs: 1,
    summary: 'hex(s): s as UTF-8, in lower-case hex',
    fn: (a) => derivedValue(Buffer.from(arg(a, 0), 'utf8').toString('hex'), a),
  },
  concat: {
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'concat(a, b, …): the arguments joined',
    fn: (a) => derivedValue(a.map((v) => v.text).join(''), a),
  },
  repeat: {
    minArgs: 2,
    maxArgs: 2,
    summary: 'repeat(s, n): s repeated n times',
    fn: (a) => {
      const s = arg(a, 0);
      const n = count(arg(a, 1), 'the count', MAX_REPEAT_CHARS);
      if (s.length * n > MAX_REPEAT_CHARS) {
        throw new ArgumentError(`the result would be ${s.length * n} characters, more than the limit of ${MAX_REPEAT_CHARS}`);
      }
      return derivedValue(s.repeat(n), a);
    },
  },
  len: {
    minArgs: 1,
    maxArgs: 1,
    summary: 'len(s): the length of s in bytes (UTF-8), for IMAP literals `{n}` and `BDAT n`',
    // A length says next to nothing of a secret, and a redacted "12" would blank every 12 of a
    // transcript: the result is never secret.
    fn: (a) => literalValue(String(Buffer.byteLength(arg(a, 0), 'utf8'))),
  },
  lower: {
    minArgs: 1,
    maxArgs: 1,
    summary: 'lower(s): s in lower case',
    fn: (a) => derivedValue(arg(a, 0).toLowerCase(), a),
  },
  upper: {
    minArgs: 1,
    maxArgs: 1,
    summary: 'upper(s): s in upper case',
    fn: (a) => derivedValue(arg(a, 0).toUpperCase(), a),
  },
  sasl_plain: {
    minArgs: 2,
    maxArgs: 3,
    summary: 'sasl_plain(user, pass[, authzid]): AUTH PLAIN response (RFC 4616)',
    // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd.
    fn: (a) => derivedValue(toBase64(`${arg(a, 2)}\0${arg(a, 0)}\0${arg(a, 1)}`), a),
  },
  cram_md5: {
    minArgs: 3,
    maxArgs: 3,
    summary: 'cram_md5(user, pass, challenge): AUTH CRAM-MD5 response to a base64 challenge (RFC 2195)',
    // RFC 2195 §2: user SP lower-case hex of HMAC-MD5(key = password, text = challenge).
    fn: (a) => {
      const challenge = decodeBase64(arg(a, 2), 'the challenge');
      const digest = createHmac('md5', Buffer.from(arg(a, 1), 'utf8')).update(challenge).digest('hex');
      return derivedValue(toBase64(`${arg(a, 0)} ${digest}`), a);
    },
  },
  xoauth2: {
    minArgs: 2,
    maxArgs: 2,
    summary: 'xoauth2(user, token): AUTH XOAUTH2 initial response',
    // Google's XOAUTH2: "user=" user ^A "auth=Bearer " token ^A ^A, base64-encoded.
    fn: (a) => derivedValue(toBase64(`user=${arg(a, 0)}\x01auth=Bearer ${arg(a, 1)}\x01\x01`), a),
  },
  uuid: {
    minArgs: 0,
    maxArgs: 0,
    summary: 'uuid(): a random UUID (version 4)',
    fn: (_a, scope) => literalValue(uuidV4(scope.randomBytes(16))),
  },
  date: {
    minArgs: 0,
    maxArgs: 0,
    summary: 'date(): the current date and time as in a Date: header (RFC 5322)',
    fn: (_a, scope) => literalValue(rfc5322Date(scope.now())),
  },
  random: {
    minArgs: 1,
    maxArgs: 1,
    summary: 'random(n): n random hex digits',
    fn: (a, scope) => {
      const n = count(arg(a, 0), 'the number of digits', MAX_RANDOM_DIGITS);
      const hex = scope.randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);
      if (hex.length < n) throw new ArgumentError('the random source gave too few bytes');
      return derivedValue(hex, a);
    },
  },
  local_part: {
    minArgs: 1,
    maxArgs: 1,
    summary: 'local_part(address): what comes before its first `@` (all of it without one)',
    fn: (a) => derivedValue(arg(a, 0).split('@')[0] as string, a),
  },
  domain: {
    minArgs: 1,
    maxArgs: 1,
    summary: 'domain(address): what comes after its first `@` (empty without one)',
    fn: (a) => {
      const at = arg(a, 0).indexOf('@');
      return derivedValue(at < 0 ? '' : arg(a, 0).slice(at + 1), a);
    },
  },
  imap_url_mailbox: {
    minArgs: 1,
    maxArgs: 1,
    summary: 'imap_url_mailbox(name): an IMAP mailbox name (modified UTF-7) as the mailbox of an IMAP URL (RFC 5092 enc-mailbox)',
    fn: (a) => derivedValue(urlMailbox(arg(a, 0)), a),
  },
};

export const FUNCTIONS: ReadonlyMap<string, TemplateFunction> = new Map(Object.entries(table));
