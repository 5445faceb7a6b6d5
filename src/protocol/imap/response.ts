/**
 * IMAP responses read as values (RFC 9051 §4, §7): what `imap:` matchers compare (format §5).
 * Pure: the framed reply's raw bytes in, one `ImapResponse` per response out.
 *
 * A response is its values after `*` or the tag: atoms (numbers and `\Flags` included),
 * quoted strings, literals, `NIL`, and lists in `( )`; `[ ]` is a list too (a response code,
 * `[UIDVALIDITY 3]`), unless it follows atom characters (`BODY[HEADER.FIELDS (FROM)]<0>`,
 * one atom). Literals are read as the framer reads them (framer.ts): only in untagged
 * responses that are not status responses. Status responses and completions carry
 * resp-text, read as values leniently (its human text need not be IMAP).
 *
 * Bad input never throws and never recurses: lists are built with an explicit stack, and a
 * response with unbalanced parentheses or an unterminated string is kept with `malformed`
 * set (it then matches no pattern).
 */
import { decodeUtf8 } from '../reply-builder.js';

export type ImapValue =
  | { readonly kind: 'atom'; readonly text: string }
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'nil' }
  | { readonly kind: 'list'; readonly open: '(' | '['; readonly items: readonly ImapValue[] };

export type ImapResponseKind = 'untagged' | 'tagged' | 'continuation';

export interface ImapResponse {
  readonly kind: ImapResponseKind;
  /** The tag of a completion. */
  readonly tag?: string;
  /** The values after `*`, the tag or `+`. */
  readonly values: readonly ImapValue[];
  /** Its first line, for messages. */
  readonly line: string;
  /** Why it could not be read as IMAP. */
  readonly malformed?: string;
}

const LF = 0x0a;
const CR = 0x0d;
const STATUS_WORDS: ReadonlySet<string> = new Set(['OK', 'NO', 'BAD', 'BYE', 'PREAUTH']);
const LITERAL_AT_END = /~?\{(\d+)\+?\}$/;

/** Every response in the raw bytes of one reply (each line ends in LF, literals exact). */
export function parseResponses(raw: Buffer): ImapResponse[] {
  const out: ImapResponse[] = [];
  let at = 0;
  // Each turn consumes at least one byte (a line and its LF, or the rest).
  while (at < raw.length) {
    const first = lineAt(raw, at);
    const firstLine = first.text;
    const head = /^(\S*)(?: |$)/.exec(firstLine)?.[1] ?? '';
    const kind: ImapResponseKind = head === '*' ? 'untagged' : head === '+' ? 'continuation' : 'tagged';
    const word = /^\S+ (\S+)/.exec(firstLine)?.[1]?.toUpperCase() ?? '';
    const literals = kind === 'untagged' && !STATUS_WORDS.has(word);
    const reader = new ValueReader();
    reader.feed(firstLine.slice(head.length));
    at = first.next;
    for (let literal = literals ? LITERAL_AT_END.exec(firstLine) : null; literal; ) {
      const count = Number(literal[1]);
      const bytes = raw.subarray(at, Math.min(raw.length, at + count));
      at += bytes.length;
      reader.literal(decodeUtf8(bytes));
      if (bytes.length < count) break;
      const rest = lineAt(raw, at);
      at = rest.next;
      reader.feed(rest.text);
      literal = LITERAL_AT_END.exec(rest.text);
    }
    const read = reader.finish();
    out.push({
      kind,
      ...(kind === 'tagged' ? { tag: head } : {}),
      values: read.values,
      line: firstLine,
      ...(read.malformed !== undefined && literals ? { malformed: read.malformed } : {}),
    });
  }
  return out;
}

function lineAt(raw: Buffer, at: number): { text: string; next: number } {
  const lf = raw.indexOf(LF, at);
  const end = lf < 0 ? raw.length : lf;
  const cut = end > at && raw[end - 1] === CR ? end - 1 : end;
  return { text: decodeUtf8(raw.subarray(at, cut)), next: lf < 0 ? raw.length : lf + 1 };
}

/** Values of one response, fed a line (segment) at a time, literals between. */
class ValueReader {
  private readonly stack: { open: '(' | '['; items: ImapValue[] }[] = [];
  private top: ImapValue[] = [];
  private malformed: string | undefined;

  private get items(): ImapValue[] {
    return this.stack[this.stack.length - 1]?.items ?? this.top;
  }

  literal(text: string): void {
    // The `{n}` that announced it was read as an atom at the end of the segment: it is the literal.
    const items = this.items;
    const last = items[items.length - 1];
    if (last?.kind === 'atom' && LITERAL_AT_END.test(last.text)) items.pop();
    items.push({ kind: 'string', text });
  }

  feed(s: string): void {
    let i = 0;
    // Each turn consumes at least one character.
    while (i < s.length) {
      const c = s[i] as string;
      if (c === ' ') {
        i++;
      } else if (c === '(' || c === '[') {
        this.stack.push({ open: c, items: [] });
        i++;
      } else if (c === ')' || c === ']') {
        const open = this.stack[this.stack.length - 1];
        if (open === undefined || (open.open === '(') !== (c === ')')) {
          this.malformed ??= `unbalanced \`${c}\``;
          this.items.push({ kind: 'atom', text: c });
        } else {
          this.stack.pop();
          this.items.push({ kind: 'list', open: open.open, items: open.items });
        }
        i++;
      } else if (c === '"') {
        i = this.quoted(s, i);
      } else {
        i = this.atom(s, i);
      }
    }
  }

  private quoted(s: string, start: number): number {
    let text = '';
    let i = start + 1;
    for (; i < s.length; i++) {
      const c = s[i] as string;
      if (c === '"') {
        this.items.push({ kind: 'string', text });
        return i + 1;
      }
      if (c === '\\' && i + 1 < s.length) i++;
      text += s[i];
    }
    this.malformed ??= 'a quoted string that does not end';
    this.items.push({ kind: 'string', text });
    return i;
  }

  /** An atom; a `[` inside it runs to its matching `]` (`BODY[HEADER.FIELDS (FROM)]`). */
  private atom(s: string, start: number): number {
    let i = start;
    let depth = 0;
    for (; i < s.length; i++) {
      const c = s[i];
      if (c === '[') depth++;
      else if (c === ']') {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && (c === ' ' || c === '(' || c === ')' || c === '"')) break;
    }
    const text = s.slice(start, i);
    this.items.push(text.toUpperCase() === 'NIL' ? { kind: 'nil' } : { kind: 'atom', text });
    return i;
  }

  finish(): { values: ImapValue[]; malformed?: string } {
    if (this.stack.length > 0) {
      this.malformed ??= `${this.stack.length} unclosed \`${this.stack[this.stack.length - 1]?.open ?? '('}\``;
      // Close what is open, so the values are still a tree.
      while (this.stack.length > 0) {
        const open = this.stack.pop() as { open: '(' | '['; items: ImapValue[] };
        this.items.push({ kind: 'list', open: open.open, items: open.items });
      }
    }
    return this.malformed === undefined ? { values: this.top } : { values: this.top, malformed: this.malformed };
  }
}
