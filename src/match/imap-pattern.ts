/**
 * `imap:` patterns (format §5): imaptest's script syntax for one response, parsed when the
 * spec loads. Pure. A pattern is IMAP values (atoms, numbers, `"strings"`, `NIL`, `( )` and
 * `[ ]` lists) with imaptest's additions: `$name` (a variable, bound on first use), `$` (any
 * one value), `$1` (the sequence number message 1 had when the command was sent), and `$!`
 * directives at the start of a list. `${…}` is convospec's template: its
 * value becomes (part of) one word.
 *
 * Directives are resolved here, imaptest's defaults included, so matching is blind to
 * response kinds: `n FETCH ($!unordered=2)`, FETCH's `FLAGS ($!unordered $!noextra
 * $!ignore=\Recent)`, `LIST ($!unordered)`, `LSUB ($!unordered)`, `STATUS mailbox
 * ($!unordered=2)`; and, beyond imaptest, the flag lists of `* FLAGS (…)` and
 * `[PERMANENTFLAGS (…)]` like FETCH's. A list with any directive of its own takes none of
 * the defaults. Directives may also open a whole response (`* $!unordered CAPABILITY IMAP4rev1`).
 */
import type { ImapListOrder, ImapPattern, ImapPatternList, ImapPatternNode, ImapWordPart } from '../kernel/model.js';
import type { Template } from '../kernel/template.js';

export type ImapPatternParse =
  | { readonly ok: true; readonly pattern: Omit<ImapPattern, 'span' | 'template'> }
  | { readonly ok: false; readonly offset: number; readonly length: number; readonly message: string; readonly hint: string };

/** Where the pattern stands: an untagged response (`* ` optional), or a completion (`OK …`). */
export type ImapPatternRole = 'untagged' | 'completion';

const STATUS_WORDS: ReadonlySet<string> = new Set(['OK', 'NO', 'BAD', 'BYE', 'PREAUTH']);
const COMPLETION_WORDS: ReadonlySet<string> = STATUS_WORDS;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const MAX_DEPTH = 32;
const DELIMITERS = ' ()"';

const FLAGS_ORDER: ImapListOrder = { kind: 'unordered', chain: 1, extra: false, ignore: ['\\RECENT'], ban: [] };
const ORDERED: ImapListOrder = { kind: 'ordered', extra: false };

/** A character of the pattern, or a `${…}` standing where it was written. */
type Ch = { readonly c: string; readonly off: number } | { readonly slot: Template; readonly off: number; readonly c?: undefined };

class PatternError extends Error {
  constructor(
    readonly offset: number,
    readonly length: number,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** A list as read, before defaults: `order` only when it had directives. */
interface RawList {
  readonly kind: 'rawlist';
  readonly open: '(' | '[';
  readonly items: RawNode[];
  order?: ImapListOrder;
  readonly off: number;
}
type RawNode = Exclude<ImapPatternNode, ImapPatternList> | RawList;

export function parseImapPattern(t: Template, role: ImapPatternRole): ImapPatternParse {
  try {
    return { ok: true, pattern: new Reader(chars(t), t.source.length, role).pattern() };
  } catch (error) {
    if (error instanceof PatternError) return { ok: false, offset: error.offset, length: error.length, message: error.message, hint: error.hint };
    throw error;
  }
}

/** The template as characters with their offsets in its source; each `${…}` one slot. */
function chars(t: Template): Ch[] {
  const out: Ch[] = [];
  const src = t.source;
  let at = 0;
  for (const part of t.parts) {
    if (part.kind === 'expr') {
      const end = exprEnd(src, part.offset);
      out.push({ slot: { source: src.slice(part.offset, end), parts: [part], span: t.span }, off: part.offset });
      at = end;
      continue;
    }
    for (let i = 0; i < part.value.length; i++) {
      // `$${` in the source is a literal `${` in the value.
      if (part.value.startsWith('${', i) && src.startsWith('$${', at)) {
        out.push({ c: '$', off: at }, { c: '{', off: at + 2 });
        at += 3;
        i++;
        continue;
      }
      out.push({ c: part.value[i] as string, off: at });
      at++;
    }
  }
  return out;
}

/** The offset after the `}` that closes the `${` at `from` (quoted `'…'` arguments skipped). */
function exprEnd(src: string, from: number): number {
  let quoted = false;
  for (let i = from + 2; i < src.length; i++) {
    const c = src[i];
    if (quoted && c === '\\') i++;
    else if (c === "'") quoted = !quoted;
    else if (!quoted && c === '}') return i + 1;
  }
  return src.length;
}

class Reader {
  private i = 0;
  private readonly vars: string[] = [];

  constructor(
    private readonly s: readonly Ch[],
    private readonly length: number,
    private readonly role: ImapPatternRole,
  ) {}

  pattern(): Omit<ImapPattern, 'span' | 'template'> {
    this.spaces();
    if (this.role === 'untagged' && this.peek() === '*' && this.delimitedAt(this.i + 1)) this.i++;
    // Directives may open the response too (`* $!unordered CAPABILITY IMAP4rev1 IDLE`).
    const order = this.directives() ?? ORDERED;
    const top = this.items(undefined, 0);
    const first = top[0];
    if (first === undefined) throw new PatternError(0, this.length, 'an empty IMAP pattern', this.role === 'completion' ? 'write the status word, such as `OK`' : 'write the response after `* `, such as `* 1 EXISTS`');
    const word = first.kind === 'word' ? first.upper : undefined;
    // `$` for the status word: any completion (imaptest's `""`).
    if (this.role === 'completion' && first.kind !== 'any' && (word === undefined || !COMPLETION_WORDS.has(word))) {
      throw new PatternError(0, this.length, 'a completion pattern starts with its status word', 'write `OK`, `NO`, `BAD` (or, for a greeting, `PREAUTH` or `BYE`), or `$` for any, then what the text must start with (`OK [READ-WRITE]`)');
    }
    const items = top.map((n, k) => resolve(n, topDefault(top, k), 0));
    const source = this.s.map((ch) => (ch.c === undefined ? ch.slot.source : ch.c)).join('');
    return {
      source,
      items: { kind: 'list', open: '', items, order },
      prefix: this.role === 'completion' || (word !== undefined && STATUS_WORDS.has(word)),
      vars: this.vars,
    };
  }

  private peek(): string | undefined {
    return this.s[this.i]?.c;
  }

  private offset(): number {
    return this.s[this.i]?.off ?? this.length;
  }

  private delimitedAt(at: number): boolean {
    const ch = this.s[at];
    return ch === undefined || (ch.c !== undefined && (DELIMITERS.includes(ch.c) || ch.c === ']'));
  }

  private spaces(): void {
    while (this.peek() === ' ') this.i++;
  }

  /** Values up to `close` (or the end, at the top). */
  private items(close: ')' | ']' | undefined, depth: number): RawNode[] {
    const out: RawNode[] = [];
    for (;;) {
      this.spaces();
      const ch = this.s[this.i];
      if (ch === undefined) {
        if (close !== undefined) throw new PatternError(this.length, 1, `a list that is never closed: \`${close}\` is missing`, `close it with \`${close}\``);
        return out;
      }
      if (ch.c === ')' || ch.c === ']') {
        if (ch.c !== close) throw new PatternError(ch.off, 1, `\`${ch.c}\` closes no list`, 'check the parentheses and brackets of the pattern');
        this.i++;
        return out;
      }
      out.push(this.value(depth));
    }
  }

  private value(depth: number): RawNode {
    const ch = this.s[this.i] as Ch;
    if (ch.c === '(' || ch.c === '[') {
      if (depth >= MAX_DEPTH) throw new PatternError(ch.off, 1, `lists nested more than ${MAX_DEPTH} deep`, 'no IMAP response nests that deep');
      this.i++;
      const list: RawList = { kind: 'rawlist', open: ch.c, items: [], off: ch.off };
      const order = this.directives();
      if (order) list.order = order;
      list.items.push(...this.items(ch.c === '(' ? ')' : ']', depth + 1));
      if (list.order?.kind === 'unordered' && list.items.length % list.order.chain !== 0) {
        throw new PatternError(ch.off, 1, `\`$!unordered=${list.order.chain}\` needs elements in chains of ${list.order.chain}; this list has ${list.items.length}`, 'each FETCH item is a name and a value');
      }
      return list;
    }
    if (ch.c === '"') return this.quoted();
    if (ch.c === '$') return this.dollar();
    return this.word();
  }

  private dollar(): RawNode {
    const start = this.offset();
    const at = this.i;
    this.i++;
    if (this.delimitedAt(this.i)) return { kind: 'any' };
    const next = this.peek();
    if (next === '!') throw new PatternError(start, this.wordLength(), 'a `$!` directive goes at the start of a list', 'move it right after the `(`');
    let name = '';
    while (this.peek() !== undefined && /[A-Za-z0-9_]/.test(this.peek() as string)) name += this.s[this.i++]?.c;
    if (name === '' || !this.delimitedAt(this.i)) {
      // Not a name (`$$`, `$-x`): the `$` starts a word.
      this.i = at;
      return this.word();
    }
    if (/^[0-9]+$/.test(name)) {
      const n = Number(name);
      if (n < 1 || !Number.isSafeInteger(n)) throw new PatternError(start, name.length + 1, `\`$${name}\` is no message: sequence numbers start at 1`, '`$1` is the first message when the command was sent');
      return { kind: 'seq', n };
    }
    if (!NAME.test(name) || name === 'env') throw new PatternError(start, name.length + 1, `\`$${name}\` is not a variable name`, 'a variable name is letters, digits and `_`, not starting with a digit, and not `env`');
    if (!this.vars.includes(name)) this.vars.push(name);
    return { kind: 'var', name };
  }

  private wordLength(): number {
    let n = 0;
    while (!this.delimitedAt(this.i + n)) n++;
    return Math.max(1, n + 1);
  }

  /** `$!…` directives at the start of a list: the list's order, or undefined when there are none. */
  private directives(): ImapListOrder | undefined {
    let unordered: number | undefined;
    let extra: boolean | undefined;
    const ignore: string[] = [];
    const ban: string[] = [];
    let any = false;
    for (;;) {
      this.spaces();
      if (this.peek() !== '$' || this.s[this.i + 1]?.c !== '!') break;
      const start = this.offset();
      let text = '';
      while (!this.delimitedAt(this.i)) text += this.s[this.i++]?.c ?? '${…}';
      const at = (): PatternError => new PatternError(start, text.length, `unknown directive \`${text}\``, 'imaptest directives: `$!ordered`, `$!unordered`, `$!unordered=n`, `$!noextra`, `$!extra`, `$!ignore=e`, `$!ban=e`');
      any = true;
      const [head, arg] = [text.split('=')[0], text.includes('=') ? text.slice(text.indexOf('=') + 1) : undefined];
      switch (head) {
        case '$!ordered':
          if (arg !== undefined) throw at();
          unordered = undefined;
          break;
        case '$!unordered': {
          const n = arg === undefined ? 1 : Number(arg);
          if (!Number.isInteger(n) || n < 1 || n > 16) throw at();
          unordered = n;
          break;
        }
        case '$!noextra':
        case '$!extra':
          if (arg !== undefined) throw at();
          extra = head === '$!extra';
          break;
        case '$!ignore':
        case '$!ban':
          if (arg === undefined || arg === '') throw at();
          (head === '$!ignore' ? ignore : ban).push(arg.toUpperCase());
          break;
        default:
          throw at();
      }
    }
    if (!any) return undefined;
    if (unordered === undefined) return { kind: 'ordered', extra: extra ?? false };
    return { kind: 'unordered', chain: unordered, extra: extra ?? true, ignore, ban };
  }

  private quoted(): RawNode {
    const start = this.offset();
    this.i++;
    const parts: ImapWordPart[] = [];
    for (;;) {
      const ch = this.s[this.i++];
      if (ch === undefined) throw new PatternError(start, this.length - start, 'a quoted string that is never closed', 'end it with `"`');
      if (ch.c === undefined) parts.push(ch.slot);
      else if (ch.c === '"') return wordOf(parts);
      else if (ch.c === '\\' && this.s[this.i]?.c !== undefined) parts.push(this.s[this.i++]?.c as string);
      else parts.push(ch.c);
    }
  }

  /** Atom characters and `${…}`; a `[` runs to its matching `]` (`BODY[HEADER.FIELDS (FROM)]`). */
  private word(): RawNode {
    const parts: ImapWordPart[] = [];
    let depth = 0;
    let plain = true;
    for (;;) {
      const ch = this.s[this.i];
      if (ch === undefined) break;
      if (ch.c === undefined) {
        parts.push(ch.slot);
        plain = false;
      } else if (ch.c === '[') depth++;
      else if (ch.c === ']') {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && DELIMITERS.includes(ch.c)) break;
      if (ch.c !== undefined) parts.push(ch.c);
      this.i++;
    }
    const node = wordOf(parts);
    if (plain && node.kind === 'word' && node.upper === 'NIL') return { kind: 'nil' };
    return node;
  }
}

/** Adjacent text merged; `upper` when it is text alone. */
function wordOf(parts: readonly ImapWordPart[]): RawNode {
  const merged: ImapWordPart[] = [];
  for (const p of parts) {
    const last = merged[merged.length - 1];
    if (typeof p === 'string' && typeof last === 'string') merged[merged.length - 1] = last + p;
    else merged.push(p);
  }
  const only = merged.length === 0 ? '' : merged.length === 1 ? merged[0] : undefined;
  return typeof only === 'string' ? { kind: 'word', parts: merged, upper: only.toUpperCase() } : { kind: 'word', parts: merged };
}

const upperOf = (n: RawNode | undefined): string | undefined => (n?.kind === 'word' ? n.upper : undefined);

/** imaptest's default order of the top-level item at `k` (a list), or of nothing special. */
function topDefault(top: readonly RawNode[], k: number): ImapListOrder {
  const before = upperOf(top[k - 1]);
  if (k === 2 && before === 'FETCH') return { kind: 'unordered', chain: 2, extra: true, ignore: [], ban: [] };
  if (k === 1 && (before === 'LIST' || before === 'LSUB')) return { kind: 'unordered', chain: 1, extra: true, ignore: [], ban: [] };
  if (k === 2 && upperOf(top[0]) === 'STATUS') return { kind: 'unordered', chain: 2, extra: true, ignore: [], ban: [] };
  if (k === 1 && before === 'FLAGS') return FLAGS_ORDER;
  return ORDERED;
}

/** Inside a list: a flag list after `FLAGS` (FETCH) or `PERMANENTFLAGS` (a response code). */
function innerDefault(items: readonly RawNode[], k: number): ImapListOrder {
  const before = upperOf(items[k - 1]);
  return before === 'FLAGS' || before === 'PERMANENTFLAGS' ? FLAGS_ORDER : ORDERED;
}

function resolve(n: RawNode, order: ImapListOrder, depth: number): ImapPatternNode {
  if (n.kind !== 'rawlist') return n;
  return {
    kind: 'list',
    open: n.open,
    items: n.items.map((item, k) => resolve(item, innerDefault(n.items, k), depth + 1)),
    order: n.order ?? order,
  };
}
