/**
 * Regexes that end in time whatever a server sends (format §5).
 *
 * The `convospec` command has V8 hand a regex that backtracks too much to its linear-time
 * engine (src/cli/launch.ts). V8 11.3 (Node 20) runs on that engine only regexes without
 * backreferences, lookaround and counted repetitions above 16, and with no flags but `m`
 * and `s` (measured: `i` and `u` are refused). So:
 * - a regex with `i` (and no `u`) is matched in a case-folded form without `i`: each letter
 *   `a` becomes `[Aa]` (every character that ignoreCase matches with it), classes take in
 *   the other cases of what they hold. The same matches, and the linear engine can run it.
 * - a regex the linear engine still cannot run is refused when the spec loads if a reply can
 *   make it backtrack for long (`regexHazard`): an unbounded repetition (`+`, `*`, `{2,}`)
 *   with more pattern after it, or any repetition inside another. One at its very end is
 *   harmless (its first match ends the search), so `/\p{L}+/u` is fine, `/\p{L}+$/u` is not;
 *   a bounded one (`{2,40}`) tries at most so many lengths at each position.
 */
import { orList } from '../kernel/list.js';
import type { RegexCache } from '../template/regex.js';
import { parseRegex, RegexSyntaxError } from './regex-tree.js';
import type { Alternatives, Atom, ClassItem, Term } from './regex-tree.js';

export interface Hazard {
  readonly message: string;
  readonly hint: string;
}

/**
 * Why a regex (its source with every `${…}` standing for a literal) would be unsafe on a
 * hostile reply; undefined when it is safe.
 */
export function regexHazard(source: string, flags: string): Hazard | undefined {
  const unicode = flags.includes('u');
  let tree: Alternatives;
  try {
    tree = parseRegex(source, unicode);
  } catch (error) {
    if (error instanceof RegexSyntaxError) return undefined;
    throw error;
  }
  const runs = linearForm(source, flags, tree);
  if (runs !== undefined && canRunLinear(runs.source, runs.flags, tree)) return undefined;
  const risk = riskIn(tree, false, false);
  if (risk === undefined) return undefined;
  const found = obstacles(tree, flags);
  const why = found.length > 0 ? orList(found, false) : 'counted repetitions nested too deep';
  return {
    message: `this regex can backtrack for hours on a reply shaped against it: ${risk}, and V8's linear-time engine cannot run it (${why})`,
    hint: `remove ${why}, or the repetition followed by more pattern (a repetition at the very end is safe)`,
  };
}

/**
 * The regex to match with: for `i` without `u`, the same regex case-folded and without `i`
 * (through `cache` when given), so V8's linear-time engine can take it over; else `regex`.
 */
export function linearRegex(regex: RegExp, cache?: RegexCache): RegExp {
  const { flags } = regex;
  if (!flags.includes('i') || flags.includes('u') || flags.includes('v')) return regex;
  const known = folds.get(regex);
  if (known !== undefined) return known;
  const folded = foldedRegex(regex, cache);
  folds.set(regex, folded);
  return folded;
}

/**
 * Folded forms by the regex they were made from: a cached regex is matched again and again
 * (a load run, once per session), and is folded once. Weak: it holds no regex alive, and
 * what it holds is a function of its key only.
 */
const folds = new WeakMap<RegExp, RegExp>();

function foldedRegex(regex: RegExp, cache: RegexCache | undefined): RegExp {
  const { flags } = regex;
  let tree: Alternatives;
  try {
    tree = parseRegex(regex.source, false);
  } catch (error) {
    if (error instanceof RegexSyntaxError) return regex;
    throw error;
  }
  const folded = linearForm(regex.source, flags, tree);
  if (folded === undefined) return regex;
  try {
    return cache ? cache.get(folded.source, folded.flags) : new RegExp(folded.source, folded.flags);
  } catch (error) {
    // A form V8 refuses would be this file's mistake: the regex as written still matches right.
    if (error instanceof SyntaxError) return regex;
    throw error;
  }
}

/** The source and flags V8 would run: case-folded for `i` without `u`; undefined when a backreference makes folding pointless. */
function linearForm(source: string, flags: string, tree: Alternatives): { source: string; flags: string } | undefined {
  if (!flags.includes('i') || flags.includes('u')) return { source, flags };
  if (has(tree, (atom) => atom.kind === 'backreference')) return undefined;
  return { source: foldAlternatives(tree), flags: flags.replace('i', '') };
}

/**
 * Whether V8's linear-time engine takes the regex: asked of V8 itself where it can tell (the
 * `l` flag, which `--enable-experimental-regexp-engine` turns on, refuses a regex it cannot
 * run), else judged from the tree by the same rules.
 */
function canRunLinear(source: string, flags: string, tree: Alternatives): boolean {
  try {
    new RegExp(source, `${flags}l`);
    return true;
  } catch (error) {
    if (/linear time/.test(String(error))) return false;
  }
  return obstacles(tree, flags).length === 0;
}

/** What keeps the linear-time engine from a regex, in words; empty when nothing does. */
function obstacles(tree: Alternatives, flags: string): string[] {
  const found: string[] = [];
  if (flags.includes('u')) found.push(flags.includes('i') ? 'the `u` flag (with `i`)' : 'the `u` flag');
  if (has(tree, (atom) => atom.kind === 'backreference')) found.push('a backreference');
  if (has(tree, (atom) => atom.kind === 'group' && atom.lookaround)) found.push('lookaround');
  if (someTerm(tree, (term) => term.min > 16 || (term.max !== Infinity && term.max > 16))) found.push('a counted repetition above 16');
  return found;
}

/**
 * A repetition a reply can make backtrack: an unbounded one (`*`, `+`, `{n,}`) with more
 * pattern after it (in its own sequence or after the groups it is in), or any one inside
 * another repetition. `after` says
 * whether anything follows the sequences of `tree`; `repeated`, whether they repeat.
 */
function riskIn(tree: Alternatives, after: boolean, repeated: boolean): string | undefined {
  for (const terms of tree) {
    for (const [k, term] of terms.entries()) {
      const followed = after || k < terms.length - 1;
      const repeats = term.max > 1;
      if (repeats && repeated) return `it repeats \`${textOf(term)}\` inside another repetition`;
      // A bounded repetition tries at most `max` lengths per position: no blow-up on its own.
      if (term.max === Infinity && followed) return `it repeats \`${textOf(term)}\` with more pattern after it`;
      if (term.atom.kind === 'group') {
        const inner = riskIn(term.atom.body, followed, repeated || repeats);
        if (inner !== undefined) return inner;
      }
    }
  }
  return undefined;
}

function textOf(term: Term): string {
  return `${atomText(term.atom)}${term.quantifier}`;
}

function atomText(atom: Atom): string {
  return atom.kind === 'group' ? `${atom.open}${atom.body.map((terms) => terms.map(textOf).join('')).join('|')})` : atom.src;
}

function has(tree: Alternatives, test: (atom: Atom) => boolean): boolean {
  return someTerm(tree, (term) => test(term.atom));
}

function someTerm(tree: Alternatives, test: (term: Term) => boolean): boolean {
  return tree.some((terms) => terms.some((term) => test(term) || (term.atom.kind === 'group' && someTerm(term.atom.body, test))));
}

// ---------------------------------------------------------------------------------------
// Case folding, as ignoreCase without `u` matches (ECMA-262 Canonicalize, rtl: false).

/** ignoreCase's canonical form of a code unit: its upper case, if that is one unit and does not turn non-ASCII into ASCII. */
function canonicalize(code: number): number {
  const upper = String.fromCharCode(code).toUpperCase();
  if (upper.length !== 1) return code;
  const cu = upper.charCodeAt(0);
  return code >= 128 && cu < 128 ? code : cu;
}

/** Code units by canonical form, for those that share it with another; made on first use. */
let sharing: Map<number, number[]> | undefined;

function variantsOf(code: number): readonly number[] {
  if (sharing === undefined) {
    const byCanon = new Map<number, number[]>();
    for (let c = 0; c <= 0xffff; c++) {
      const canon = canonicalize(c);
      const list = byCanon.get(canon);
      if (list) list.push(c);
      else byCanon.set(canon, [c]);
    }
    sharing = new Map([...byCanon].filter(([, list]) => list.length > 1));
  }
  return sharing.get(canonicalize(code)) ?? [code];
}

function foldAlternatives(tree: Alternatives): string {
  return tree.map((terms) => terms.map((term) => `${foldAtom(term.atom)}${term.quantifier}`).join('')).join('|');
}

function foldAtom(atom: Atom): string {
  switch (atom.kind) {
    case 'char': {
      const variants = variantsOf(atom.code);
      return variants.length === 1 ? atom.src : `[${variants.map(unit).join('')}]`;
    }
    case 'set':
      return atom.items === undefined ? atom.src : foldClass(atom.items, atom.escapes ?? [], atom.negated, atom.src);
    case 'group':
      return `${atom.open}${foldAlternatives(atom.body)})`;
    case 'assertion':
    case 'backreference':
      return atom.src;
    default: {
      const never: never = atom;
      throw new Error(`unknown atom ${JSON.stringify(never)}`);
    }
  }
}

/**
 * A class with every character it holds joined by those ignoreCase matches with it. Class
 * escapes (`\w`, `\d`, `\s` and their negations) are closed under folding without `u` already.
 */
function foldClass(items: readonly ClassItem[], escapes: readonly string[], negated: boolean, src: string): string {
  if (items.length === 0) return src;
  const codes = new Set<number>();
  for (const { from, to } of items) {
    for (let c = from; c <= to; c++) for (const v of variantsOf(c)) codes.add(v);
  }
  const sorted = [...codes].sort((a, b) => a - b);
  let out = '';
  for (let k = 0; k < sorted.length; ) {
    let end = k;
    while (end + 1 < sorted.length && sorted[end + 1] === (sorted[end] as number) + 1) end++;
    const first = sorted[k] as number;
    const last = sorted[end] as number;
    out += first === last ? unit(first) : `${unit(first)}-${unit(last)}`;
    k = end + 1;
  }
  return `[${negated ? '^' : ''}${escapes.join('')}${out}]`;
}

function unit(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}
