/**
 * FETCH data items (RFC 3501 §6.4.5, §7.4.2): the subset the demo serves. Message bodies go
 * out as `{n}` literals, whatever their content, so a client can always read them by count.
 */
import { imapDateTime } from './date.js';
import { atom, ImapSyntaxError, quote } from './imap-parser.js';
import type { ImapToken } from './imap-parser.js';
import type { StoredMessage } from './mailbox.js';
import { selectFields, splitMessage } from './message.js';

type Section =
  | { readonly kind: 'all' }
  | { readonly kind: 'header' }
  | { readonly kind: 'text' }
  | { readonly kind: 'fields'; readonly names: readonly string[]; readonly not: boolean };

export type FetchItem =
  | { readonly kind: 'uid' }
  | { readonly kind: 'flags' }
  | { readonly kind: 'internaldate' }
  | { readonly kind: 'size' }
  | {
      readonly kind: 'section';
      /** The item's name in the response, without a partial (`BODY[TEXT]`, `RFC822`). */
      readonly name: string;
      readonly section: Section;
      /** BODY.PEEK and RFC822.HEADER leave \Seen alone. */
      readonly peek: boolean;
      readonly partial?: { readonly offset: number; readonly length: number };
    };

const SIMPLE: Readonly<Record<string, readonly FetchItem[]>> = {
  UID: [{ kind: 'uid' }],
  FLAGS: [{ kind: 'flags' }],
  INTERNALDATE: [{ kind: 'internaldate' }],
  'RFC822.SIZE': [{ kind: 'size' }],
  FAST: [{ kind: 'flags' }, { kind: 'internaldate' }, { kind: 'size' }],
  RFC822: [{ kind: 'section', name: 'RFC822', section: { kind: 'all' }, peek: false }],
  'RFC822.HEADER': [{ kind: 'section', name: 'RFC822.HEADER', section: { kind: 'header' }, peek: true }],
  'RFC822.TEXT': [{ kind: 'section', name: 'RFC822.TEXT', section: { kind: 'text' }, peek: false }],
};

const BODY_ITEM = /^(BODY(?:\.PEEK)?)\[([^\]]*)\](?:<(\d{1,10})\.(\d{1,10})>)?$/i;

function parseSection(text: string): Section {
  const upper = text.toUpperCase();
  // A single-part message's part 1 is its body (RFC 3501 §6.4.5).
  if (upper === '' ) return { kind: 'all' };
  if (upper === 'HEADER') return { kind: 'header' };
  if (upper === 'TEXT' || upper === '1') return { kind: 'text' };
  const fields = /^HEADER\.FIELDS(\.NOT)? \(([^()]*)\)$/i.exec(text);
  if (fields) {
    const names = (fields[2] ?? '').split(' ').filter(Boolean).map((n) => n.replace(/^"(.*)"$/, '$1'));
    if (names.length === 0) throw new ImapSyntaxError('HEADER.FIELDS needs at least one field name');
    return { kind: 'fields', names, not: fields[1] !== undefined };
  }
  throw new ImapSyntaxError(`section [${text}] is not supported by the demo (single-part sections only)`);
}

function parseItem(text: string): FetchItem[] {
  const simple = SIMPLE[text.toUpperCase()];
  if (simple) return [...simple];
  const body = BODY_ITEM.exec(text);
  if (!body) throw new ImapSyntaxError(`FETCH item ${text} is not supported by the demo`);
  const [, kind = '', sectionText = '', offset, length] = body;
  return [
    {
      kind: 'section',
      name: `BODY[${sectionText}]`,
      section: parseSection(sectionText),
      peek: kind.toUpperCase() === 'BODY.PEEK',
      ...(offset !== undefined ? { partial: { offset: Number(offset), length: Number(length) } } : {}),
    },
  ];
}

/** The data items of a FETCH: one item, or a parenthesised list. */
export function parseFetchItems(token: ImapToken | undefined): FetchItem[] {
  if (token?.type === 'list') {
    if (token.items.length === 0) throw new ImapSyntaxError('empty FETCH item list');
    return token.items.flatMap((item) => {
      const name = atom(item);
      if (name === undefined) throw new ImapSyntaxError('FETCH items are atoms');
      return parseItem(name);
    });
  }
  const name = atom(token);
  if (name === undefined) throw new ImapSyntaxError('FETCH needs data items');
  return parseItem(name);
}

function sectionBytes(raw: Buffer, section: Section): Buffer {
  switch (section.kind) {
    case 'all':
      return raw;
    case 'header':
      return splitMessage(raw).header;
    case 'text':
      return splitMessage(raw).body;
    case 'fields':
      return selectFields(raw, section.names, section.not);
    default: {
      const never: never = section;
      throw new Error(`unknown section ${String(never)}`);
    }
  }
}

export function formatFlags(flags: Iterable<string>): string {
  return `(${[...flags].join(' ')})`;
}

/** One data item, as the pieces of the response (literal bytes kept apart from text). */
function renderItem(item: FetchItem, message: StoredMessage): (string | Buffer)[] {
  switch (item.kind) {
    case 'uid':
      return [`UID ${message.uid}`];
    case 'flags':
      return [`FLAGS ${formatFlags(message.flags)}`];
    case 'internaldate':
      return [`INTERNALDATE ${quote(imapDateTime(message.internalDate))}`];
    case 'size':
      return [`RFC822.SIZE ${message.raw.length}`];
    case 'section': {
      let bytes = sectionBytes(message.raw, item.section);
      let name = item.name;
      if (item.partial) {
        // RFC 3501 §6.4.5: the response names only the origin octet.
        bytes = bytes.subarray(item.partial.offset, item.partial.offset + item.partial.length);
        name = `${name}<${item.partial.offset}>`;
      }
      return [`${name} {${bytes.length}}\r\n`, bytes];
    }
    default: {
      const never: never = item;
      throw new Error(`unknown fetch item ${String(never)}`);
    }
  }
}

/** True when serving these items sets \Seen (a non-peek body section, RFC 3501 §6.4.5). */
export function setsSeen(items: readonly FetchItem[]): boolean {
  return items.some((item) => item.kind === 'section' && !item.peek);
}

/** `* seq FETCH (…)` as bytes, CRLF included. */
export function renderFetch(seq: number, message: StoredMessage, items: readonly FetchItem[]): Buffer {
  const pieces: (string | Buffer)[] = [`* ${seq} FETCH (`];
  items.forEach((item, i) => {
    if (i > 0) pieces.push(' ');
    pieces.push(...renderItem(item, message));
  });
  pieces.push(')\r\n');
  return Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
}
