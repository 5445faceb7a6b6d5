/**
 * `imap:` (format §5): the reply's responses read as IMAP values and matched as imaptest
 * matches them. Untagged patterns are a set: each takes the first response, not yet taken,
 * that it matches, in the order written (no backtracking across patterns), else, as in
 * imaptest, a response an earlier pattern took. Received
 * responses are indexed by number and kind (`1 FETCH`, `EXISTS`), so a pattern is tried
 * only against responses of its own kind and number: matching stays near linear. Optional
 * patterns (imaptest's `?`) then take what they match, so that it is no extra. A `$n` is
 * read at the response it is tried against: the EXPUNGEs before that one have moved it.
 */
import type { ImapCompletion, ImapListOrder, ImapMatcher, ImapPattern, ImapPatternList, ImapPatternNode, Matcher } from '../kernel/model.js';
import type { Reply } from '../protocol/types.js';
import type { ImapResponse, ImapValue } from '../protocol/imap/response.js';
import type { Value } from '../template/types.js';
import type { MatchEnv, Miss } from './types.js';
import { parseResponses } from '../protocol/imap/response.js';
import { evaluate } from '../template/evaluate.js';
import { quote, shownLines } from './show.js';

/** Variables bound while matching, with an undo trail for the tries that fail. */
class Bindings {
  readonly values = new Map<string, string>();
  private readonly trail: string[] = [];
  /** `${…}` values of this match, evaluated once each. */
  private readonly slots = new Map<object, string>();

  /** The sequence numbers of the reply's EXPUNGE responses, in the order they came. */
  private expunges: readonly number[] = [];
  /** How many of them came before the response being matched. */
  private seen = 0;
  /** Per `$n`: how many EXPUNGEs were last applied to it, and its number then (0: expunged). */
  private readonly moved = new Map<number, readonly [number, number]>();

  constructor(private readonly env: MatchEnv) {}

  /** The EXPUNGEs of the reply, and (per response) how many came before it. */
  track(expunges: readonly number[]): void {
    this.expunges = expunges;
    this.seen = expunges.length;
  }

  at(before: number): void {
    this.seen = before;
  }

  /**
   * `$n` (imaptest's relative sequence): the number message n had when the command was sent,
   * moved down by each EXPUNGE of a lower number received before the response in hand;
   * undefined once it is expunged itself.
   */
  seq(n: number): string | undefined {
    // Responses are tried mostly in arrival order: go on from where this `$n` was last seen,
    // so following it through a reply costs one pass over its EXPUNGEs, not one per response.
    const last = this.moved.get(n);
    let [k, current] = last !== undefined && last[0] <= this.seen ? last : [0, n];
    for (; k < this.seen && current > 0; k++) {
      const gone = this.expunges[k] as number;
      if (gone === current) current = 0;
      else if (gone < current) current--;
    }
    this.moved.set(n, [this.seen, current]);
    return current > 0 ? String(current) : undefined;
  }

  mark(): number {
    return this.trail.length;
  }

  undo(mark: number): void {
    while (this.trail.length > mark) this.values.delete(this.trail.pop() as string);
  }

  /** A variable's value: the test's (set before this step), or bound in this match. */
  get(name: string): string | undefined {
    return this.env.scope.vars.get(name)?.text ?? this.values.get(name);
  }

  bind(name: string, text: string): void {
    this.values.set(name, text);
    this.trail.push(name);
  }

  slot(t: object & Parameters<typeof evaluate>[0]): string {
    let v = this.slots.get(t);
    if (v === undefined) {
      v = evaluate(t, this.env.scope).text;
      this.slots.set(t, v);
    }
    return v;
  }
}

const sameText = (a: string, b: string): boolean => a.length === b.length && a.toUpperCase() === b.toUpperCase();

/** The text of an atom or string; undefined for NIL and lists. */
function textOf(v: ImapValue | undefined): string | undefined {
  return v?.kind === 'atom' || v?.kind === 'string' ? v.text : undefined;
}

function wordText(n: Extract<ImapPatternNode, { kind: 'word' }>, b: Bindings): string {
  if (n.upper !== undefined) return n.upper;
  return n.parts.map((p) => (typeof p === 'string' ? p : b.slot(p))).join('');
}

function matchNode(p: ImapPatternNode, v: ImapValue, b: Bindings): boolean {
  switch (p.kind) {
    case 'any':
      return true;
    case 'nil':
      return v.kind === 'nil';
    case 'word': {
      const text = textOf(v);
      return text !== undefined && sameText(wordText(p, b), text);
    }
    case 'seq': {
      const text = textOf(v);
      const seq = b.seq(p.n);
      return text !== undefined && seq !== undefined && text === seq;
    }
    case 'var': {
      const text = textOf(v);
      if (text === undefined) return false;
      const bound = b.get(p.name);
      if (bound !== undefined) return sameText(bound, text);
      b.bind(p.name, text);
      return true;
    }
    case 'list':
      return v.kind === 'list' && v.open === p.open && matchList(p.items, p.order, v.items, b);
    default: {
      const never: never = p;
      throw new Error(`unknown IMAP pattern ${JSON.stringify(never)}`);
    }
  }
}

/** Every item, in order; on a miss the bindings made are undone. */
function matchSeq(ps: readonly ImapPatternNode[], vs: readonly ImapValue[], from: number, b: Bindings): boolean {
  const mark = b.mark();
  for (let k = 0; k < ps.length; k++) {
    const v = vs[from + k];
    if (v === undefined || !matchNode(ps[k] as ImapPatternNode, v, b)) {
      b.undo(mark);
      return false;
    }
  }
  return true;
}

function matchList(ps: readonly ImapPatternNode[], order: ImapListOrder, vs: readonly ImapValue[], b: Bindings): boolean {
  switch (order.kind) {
    case 'ordered':
      if (vs.length < ps.length || (!order.extra && vs.length !== ps.length)) return false;
      return matchSeq(ps, vs, 0, b);
    case 'unordered':
      return matchChains(ps, order, vs, b);
    default: {
      const never: never = order;
      throw new Error(`unknown list order ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Chains of `order.chain` elements, in any order: each pattern chain takes the first
 * received chain it matches, looked up by its first element (a FETCH item name).
 */
function matchChains(ps: readonly ImapPatternNode[], order: Extract<ImapListOrder, { kind: 'unordered' }>, vs: readonly ImapValue[], b: Bindings): boolean {
  const n = order.chain;
  if (vs.length % n !== 0) return false;
  const chains = vs.length / n;
  const used = new Uint8Array(chains);
  const byKey = new Map<string, number[]>();
  for (let c = 0; c < chains; c++) {
    const key = textOf(vs[c * n])?.toUpperCase();
    if (key === undefined) continue;
    const list = byKey.get(key);
    if (list) list.push(c);
    else byKey.set(key, [c]);
  }
  const mark = b.mark();
  for (let k = 0; k < ps.length; k += n) {
    const head = ps[k] as ImapPatternNode;
    const candidates = head.kind === 'word' && head.upper !== undefined ? (byKey.get(head.upper) ?? []) : undefined;
    const chain = ps.slice(k, k + n);
    let found = -1;
    const tryChain = (c: number): boolean => used[c] === 0 && matchSeq(chain, vs, c * n, b);
    if (candidates) found = candidates.find(tryChain) ?? -1;
    else for (let c = 0; c < chains && found < 0; c++) if (tryChain(c)) found = c;
    if (found < 0) {
      b.undo(mark);
      return false;
    }
    used[found] = 1;
  }
  for (let c = 0; c < chains; c++) {
    if (used[c] === 1) continue;
    const key = textOf(vs[c * n])?.toUpperCase() ?? '';
    const allowed = order.extra ? !order.ban.includes(key) : order.ignore.includes(key);
    if (!allowed) {
      b.undo(mark);
      return false;
    }
  }
  return true;
}

/** A whole response against a pattern: its values in order, more after them for a prefix. */
function matchResponse(p: ImapPattern, r: ImapResponse, b: Bindings): boolean {
  if (r.malformed !== undefined) return false;
  const order = p.prefix && p.items.order.kind === 'ordered' ? { kind: 'ordered' as const, extra: true } : p.items.order;
  return matchList(p.items.items, order, r.values, b);
}

/** `1 FETCH`, `EXISTS`, `CAPABILITY`: how responses are indexed. */
function keysOf(values: readonly ImapValue[]): { exact: string; kind: string } {
  const first = textOf(values[0])?.toUpperCase() ?? '';
  if (/^\d+$/.test(first)) {
    const kind = textOf(values[1])?.toUpperCase() ?? '';
    return { exact: `${first} ${kind}`, kind };
  }
  return { exact: first, kind: first };
}

/** The responses of a pattern's kind, or undefined when its kind is not written out (all responses). */
function lookup(p: ImapPatternList, index: Index): readonly number[] | undefined {
  const [a, c] = p.items;
  const first = a?.kind === 'word' ? a.upper : undefined;
  const second = c?.kind === 'word' ? c.upper : undefined;
  if (first !== undefined && /^\d+$/.test(first)) return second !== undefined ? (index.exact.get(`${first} ${second}`) ?? []) : undefined;
  if (first !== undefined) return index.kind.get(first) ?? [];
  if ((a?.kind === 'var' || a?.kind === 'any' || a?.kind === 'seq') && second !== undefined) return index.kind.get(second) ?? [];
  return undefined;
}

interface Index {
  readonly exact: Map<string, number[]>;
  readonly kind: Map<string, number[]>;
}

function indexOf(untagged: readonly ImapResponse[]): Index {
  const index: Index = { exact: new Map(), kind: new Map() };
  const add = (map: Map<string, number[]>, key: string, at: number): void => {
    const list = map.get(key);
    if (list) list.push(at);
    else map.set(key, [at]);
  };
  untagged.forEach((r, at) => {
    const keys = keysOf(r.values);
    add(index.exact, keys.exact, at);
    add(index.kind, keys.kind, at);
  });
  return index;
}

/** The variables bound, or why the reply does not hold. */
export function matchImap(m: ImapMatcher, reply: Reply, env: MatchEnv): Map<string, Value> | Miss {
  const responses = parseResponses(reply.raw);
  const b = new Bindings(env);
  const last = responses[responses.length - 1];
  // The reply's own completion is not one of its untagged responses when a pattern names it.
  const own = m.tagged.some((c) => c.tag === undefined) ? last : undefined;
  const untagged = responses.filter((r) => r.kind === 'untagged' && r !== own);
  const before = expungesOf(untagged, b);
  const miss = completions(m, responses, reply, b) ?? sets(m, untagged, before, reply, b);
  if (miss) return miss;
  const out = new Map<string, Value>();
  for (const [name, text] of b.values) out.set(name, { text, secret: false });
  return out;
}

/**
 * Tells the bindings the reply's EXPUNGE responses (for `$n`); returns, per untagged
 * response, how many EXPUNGEs came before it.
 */
function expungesOf(untagged: readonly ImapResponse[], b: Bindings): Int32Array {
  const seqs: number[] = [];
  const before = new Int32Array(untagged.length);
  untagged.forEach((r, at) => {
    before[at] = seqs.length;
    const [n, word] = r.values;
    if (n?.kind === 'atom' && /^\d+$/.test(n.text) && word?.kind === 'atom' && word.text.toUpperCase() === 'EXPUNGE') seqs.push(Number(n.text));
  });
  b.track(seqs);
  return before;
}

/** Unless said otherwise, a tagged completion must be OK (imaptest's `ok command`). */
const DEFAULT_OK = /^OK$/i;

function completions(m: ImapMatcher, responses: readonly ImapResponse[], reply: Reply, b: Bindings): Miss | undefined {
  const last = responses[responses.length - 1];
  const tagged: readonly ImapCompletion[] = m.tagged;
  if (tagged.length === 0) {
    if (last?.kind !== 'tagged' || DEFAULT_OK.test(textOf(last.values[0]) ?? '')) return undefined;
    return { span: m.span, message: `expected the completion OK (\`tagged:\` says otherwise), got ${quote(last.line)}`, expected: 'OK', actual: last.line };
  }
  for (const c of tagged) {
    const line = c.tag === undefined ? last : responses.find((r) => r.kind === 'tagged' && r.tag === c.tag);
    const whose = c.tag === undefined ? 'the completion' : `the completion of ${c.tag}`;
    if (line === undefined || line.kind === 'continuation' || (c.tag === undefined && line.kind === 'untagged' && !STATUS.test(textOf(line.values[0]) ?? ''))) {
      return { span: c.pattern.span, message: `expected ${whose} ${quote(c.pattern.source)}, got no such line`, expected: c.pattern.source, actual: shownLines(reply.lines) };
    }
    if (!matchResponse(c.pattern, line, b)) {
      return { span: c.pattern.span, message: `expected ${whose} to start ${quote(c.pattern.source)}, got ${quote(line.line)}`, expected: c.pattern.source, actual: line.line };
    }
  }
  return undefined;
}

const STATUS = /^(?:OK|NO|BAD|PREAUTH|BYE)$/i;

function sets(m: ImapMatcher, untagged: readonly ImapResponse[], before: Int32Array, reply: Reply, b: Bindings): Miss | undefined {
  const tryAt = (p: ImapPattern, at: number): boolean => {
    b.at(before[at] as number);
    return matchResponse(p, untagged[at] as ImapResponse, b);
  };
  const index = indexOf(untagged);
  const used = new Uint8Array(untagged.length);
  // Where each candidate list's first untaken response is: patterns that take responses in order stay linear.
  const start = new Map<readonly number[], number>();
  const all = untagged.map((_, at) => at);
  for (const p of m.untagged) {
    const candidates = lookup(p.items, index) ?? all;
    let k = start.get(candidates) ?? 0;
    while (k < candidates.length && used[candidates[k] as number] === 1) k++;
    start.set(candidates, k);
    let found = -1;
    for (let j = k; j < candidates.length; j++) {
      const at = candidates[j] as number;
      if (used[at] === 0 && tryAt(p, at)) {
        found = at;
        break;
      }
    }
    // As in imaptest, one response may satisfy several patterns (a FETCH with several items).
    if (found < 0) found = candidates.find((at) => used[at] === 1 && tryAt(p, at)) ?? -1;
    if (found < 0) return unmatched(p, candidates, untagged, reply);
    used[found] = 1;
  }
  for (const p of m.optional ?? []) {
    const at = (lookup(p.items, index) ?? all).find((k) => used[k] === 0 && tryAt(p, k));
    if (at !== undefined) used[at] = 1;
  }
  for (const p of m.forbid) {
    for (const at of lookup(p.items, index) ?? all) {
      const mark = b.mark();
      const hit = tryAt(p, at);
      b.undo(mark);
      if (hit) {
        const line = (untagged[at] as ImapResponse).line;
        return { span: p.span, message: `expected no untagged response like ${quote(p.source)}, got ${quote(line)}`, expected: `no ${p.source}`, actual: line };
      }
    }
  }
  if (!m.extra) {
    const at = used.indexOf(0);
    if (at >= 0) {
      const line = (untagged[at] as ImapResponse).line;
      return { span: m.span, message: `expected no untagged response besides those listed (extra: false), got ${quote(line)}`, actual: shownLines(reply.lines) };
    }
  }
  return undefined;
}

function unmatched(p: ImapPattern, candidates: readonly number[], untagged: readonly ImapResponse[], reply: Reply): Miss {
  const kind = candidates.map((at) => untagged[at] as ImapResponse);
  const malformed = untagged.find((r) => r.malformed !== undefined);
  const why = malformed ? `; ${quote(malformed.line, 80)} is no IMAP (${malformed.malformed ?? ''})` : '';
  const seen = candidates.length === 0 ? 'got no response of that kind' : `got ${candidates.length} of that kind, none matches`;
  return {
    span: p.span,
    message: `expected an untagged response like ${quote(p.source)}, ${seen}${why}`,
    expected: p.source,
    actual: kind.length > 0 ? shownLines(kind.map((r) => r.line)) : shownLines(reply.lines),
  };
}

/**
 * The tags whose completions a matcher waits for (`tagged: {a1: OK, a2: NO}`), its `oneOf`
 * alternatives' included, or undefined when it names none.
 */
export function waitedTags(m: Matcher): readonly string[] | undefined {
  const tags = new Set<string>();
  const visit = (x: Matcher): void => {
    for (const c of x.imap?.tagged ?? []) if (c.tag !== undefined) tags.add(c.tag);
    for (const alt of x.oneOf ?? []) visit(alt);
  };
  visit(m);
  return tags.size > 0 ? [...tags] : undefined;
}
