/**
 * IMAP command syntax (RFC 3501 §9, RFC 9051 §9): a command arrives as lines with literals
 * between them (`{n}` / `{n+}` at a line's end announces n bytes that follow the CRLF). The
 * tokenizer turns that into atoms, strings (quoted or literal) and parenthesised lists.
 */

export type ImapToken =
  | { readonly type: 'atom'; readonly value: string }
  | { readonly type: 'string'; readonly value: Buffer }
  | { readonly type: 'list'; readonly items: readonly ImapToken[] };

/** A command as read from the wire: text lines, each but the last followed by one literal. */
export interface RawCommand {
  readonly lines: readonly string[];
  readonly literals: readonly Buffer[];
}

export class ImapSyntaxError extends Error {}

/** `{n}` or `{n+}` (RFC 7888) at the end of a line. */
export const LITERAL_AT_END = /\{(\d{1,10})(\+?)\}$/;

/** RFC 3501 §9 atom-specials, minus `[` `]` which the atom rule handles (BODY[…]). */
const ATOM_END = new Set([' ', '(', ')', '{', '"']);

const MAX_DEPTH = 8;

class Cursor {
  line = 0;
  pos = 0;
  constructor(readonly raw: RawCommand) {}

  get text(): string {
    return this.raw.lines[this.line] ?? '';
  }

  peek(): string | undefined {
    return this.pos < this.text.length ? this.text[this.pos] : undefined;
  }

  /** At the end of the whole command. */
  done(): boolean {
    return this.pos >= this.text.length && this.line >= this.raw.lines.length - 1;
  }
}

function skipSpace(cursor: Cursor): void {
  while (cursor.peek() === ' ') cursor.pos += 1;
}

function readQuoted(cursor: Cursor): ImapToken {
  const text = cursor.text;
  let value = '';
  for (let i = cursor.pos + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      cursor.pos = i + 1;
      return { type: 'string', value: Buffer.from(value, 'utf8') };
    }
    if (c === '\\') {
      const next = text[i + 1];
      if (next !== '"' && next !== '\\') throw new ImapSyntaxError('bad escape in quoted string');
      value += next;
      i += 1;
    } else {
      value += c;
    }
  }
  throw new ImapSyntaxError('unterminated quoted string');
}

function readLiteral(cursor: Cursor): ImapToken {
  const rest = cursor.text.slice(cursor.pos);
  if (!/^\{\d{1,10}\+?\}$/.test(rest)) throw new ImapSyntaxError('a literal must end its line');
  const literal = cursor.raw.literals[cursor.line];
  if (literal === undefined) throw new ImapSyntaxError('missing literal');
  cursor.line += 1;
  cursor.pos = 0;
  return { type: 'string', value: literal };
}

function readAtom(cursor: Cursor): ImapToken {
  const text = cursor.text;
  let i = cursor.pos;
  while (i < text.length && !ATOM_END.has(text[i] ?? ' ')) {
    if (text[i] === '[') {
      // BODY[HEADER.FIELDS (A B)]<0.10>: the section may hold spaces and parentheses.
      const close = text.indexOf(']', i);
      if (close < 0) throw new ImapSyntaxError('unterminated [');
      i = close + 1;
    } else {
      i += 1;
    }
  }
  if (i === cursor.pos) throw new ImapSyntaxError(`unexpected ${JSON.stringify(text[i] ?? 'end')}`);
  const value = text.slice(cursor.pos, i);
  cursor.pos = i;
  return { type: 'atom', value };
}

function readToken(cursor: Cursor, depth: number): ImapToken {
  const c = cursor.peek();
  if (c === '"') return readQuoted(cursor);
  if (c === '{') return readLiteral(cursor);
  if (c === '(') {
    if (depth >= MAX_DEPTH) throw new ImapSyntaxError('lists nested too deep');
    cursor.pos += 1;
    const items: ImapToken[] = [];
    for (;;) {
      skipSpace(cursor);
      if (cursor.peek() === ')') {
        cursor.pos += 1;
        return { type: 'list', items };
      }
      if (cursor.peek() === undefined) throw new ImapSyntaxError('unterminated list');
      items.push(readToken(cursor, depth + 1));
    }
  }
  return readAtom(cursor);
}

/** Every token of the command, the tag and the command name included. */
export function tokenize(raw: RawCommand): ImapToken[] {
  const cursor = new Cursor(raw);
  const tokens: ImapToken[] = [];
  for (;;) {
    skipSpace(cursor);
    if (cursor.done()) return tokens;
    if (cursor.peek() === undefined) throw new ImapSyntaxError('missing literal');
    tokens.push(readToken(cursor, 0));
  }
}

/** An astring (RFC 3501 §9): an atom or a string, as text. */
export function astring(token: ImapToken | undefined): string | undefined {
  if (token === undefined) return undefined;
  switch (token.type) {
    case 'atom':
      return token.value;
    case 'string':
      return token.value.toString('utf8');
    case 'list':
      return undefined;
    default: {
      const never: never = token;
      throw new Error(`unknown token ${String(never)}`);
    }
  }
}

export function atom(token: ImapToken | undefined): string | undefined {
  return token?.type === 'atom' ? token.value : undefined;
}

/** A quoted string for a response (RFC 3501 §9 quoted). */
export function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

// ---- sequence sets (RFC 3501 §9 sequence-set) ----

export type SequenceSet = readonly (readonly [number, number])[];

/** Parses `1,3:5,7:*`; `*` is `star` (the largest number in use). Undefined when malformed. */
export function parseSequenceSet(text: string, star: number): SequenceSet | undefined {
  const ranges: [number, number][] = [];
  for (const part of text.split(',')) {
    const ends = part.split(':');
    if (ends.length > 2) return undefined;
    const values = ends.map((e) => (e === '*' ? star : /^[1-9]\d{0,9}$/.test(e) ? Number(e) : NaN));
    if (values.some((v) => Number.isNaN(v))) return undefined;
    const [a = 0, b = a] = values;
    ranges.push([Math.min(a, b), Math.max(a, b)]);
  }
  return ranges;
}

export function inSequenceSet(set: SequenceSet, n: number): boolean {
  return set.some(([lo, hi]) => n >= lo && n <= hi);
}
