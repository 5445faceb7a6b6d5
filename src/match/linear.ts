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
 *
 * The regex's tree is `@eslint-community/regexpp`'s (ECMAScript syntax with Annex B, as V8
 * reads it): a node's `raw` is its text in the source.
 */
import { RegExpParser, RegExpSyntaxError, visitRegExpAST } from '@eslint-community/regexpp';
import type { AST } from '@eslint-community/regexpp';
import { orList } from '../kernel/list.js';
import type { RegexCache } from '../template/regex.js';

export interface Hazard {
  readonly message: string;
  readonly hint: string;
}

/** A node whose body is alternatives: the pattern, a group, a lookaround. */
type Branching = AST.Pattern | AST.Group | AST.CapturingGroup | AST.LookaroundAssertion;

/** The tree of `source`, or undefined where the parser does not follow what V8 accepted. */
function parse(source: string, flags: string): AST.Pattern | undefined {
  try {
    return new RegExpParser().parsePattern(source, 0, source.length, { unicode: flags.includes('u'), unicodeSets: flags.includes('v') });
  } catch (error) {
    if (error instanceof RegExpSyntaxError) return undefined;
    throw error;
  }
}

/**
 * Why a regex (its source with every `${…}` standing for a literal) would be unsafe on a
 * hostile reply; undefined when it is safe.
 */
export function regexHazard(source: string, flags: string): Hazard | undefined {
  // Folding replaces characters by classes and keeps the structure, so where V8 says it can
  // run the regex without `i` in linear time, it can run the folded one: no tree needed.
  const unfolded = flags.includes('u') || flags.includes('v') ? flags : flags.replace('i', '');
  if (v8RunsLinear(source, unfolded) === true) return undefined;
  const tree = parse(source, flags);
  if (tree === undefined) return undefined;
  const runs = linearForm(flags, tree);
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
  const tree = parse(regex.source, regex.flags);
  const folded = tree === undefined ? undefined : linearForm(regex.flags, tree);
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
function linearForm(flags: string, tree: AST.Pattern): { source: string; flags: string } | undefined {
  if (!flags.includes('i') || flags.includes('u') || flags.includes('v')) return { source: tree.raw, flags };
  if (some(tree, (node) => node.type === 'Backreference')) return undefined;
  return { source: foldBranches(tree), flags: flags.replace('i', '') };
}

/**
 * Whether V8's linear-time engine takes the regex: asked of V8 itself where it can tell (the
 * `l` flag, which `--enable-experimental-regexp-engine` turns on, refuses a regex it cannot
 * run), else judged from the tree by the same rules.
 */
function canRunLinear(source: string, flags: string, tree: AST.Pattern): boolean {
  return v8RunsLinear(source, flags) ?? obstacles(tree, flags).length === 0;
}

/** V8's own answer (the `l` flag); undefined where V8 runs without that flag. */
function v8RunsLinear(source: string, flags: string): boolean | undefined {
  try {
    new RegExp(source, `${flags}l`);
    return true;
  } catch (error) {
    return /linear time/.test(String(error)) ? false : undefined;
  }
}

/** What keeps the linear-time engine from a regex, in words; empty when nothing does. */
function obstacles(tree: AST.Pattern, flags: string): string[] {
  const found: string[] = [];
  if (flags.includes('u')) found.push(flags.includes('i') ? 'the `u` flag (with `i`)' : 'the `u` flag');
  if (flags.includes('v')) found.push('the `v` flag');
  if (some(tree, (node) => node.type === 'Backreference')) found.push('a backreference');
  if (some(tree, (node) => node.type === 'Assertion' && (node.kind === 'lookahead' || node.kind === 'lookbehind'))) found.push('lookaround');
  if (some(tree, (node) => node.type === 'Quantifier' && (node.min > 16 || (node.max !== Infinity && node.max > 16)))) found.push('a counted repetition above 16');
  return found;
}

/**
 * A repetition a reply can make backtrack: an unbounded one (`*`, `+`, `{n,}`) with more
 * pattern after it (in its own sequence or after the groups it is in), or any one inside
 * another repetition. `after` says whether anything follows the alternatives of `node`;
 * `repeated`, whether they repeat.
 */
function riskIn(node: Branching, after: boolean, repeated: boolean): string | undefined {
  for (const { elements } of node.alternatives) {
    for (const [k, element] of elements.entries()) {
      const followed = after || k < elements.length - 1;
      const [inner, max] = element.type === 'Quantifier' ? [element.element, element.max] : [element, 1];
      const repeats = max > 1;
      if (repeats && repeated) return `it repeats \`${element.raw}\` inside another repetition`;
      // A bounded repetition tries at most `max` lengths per position: no blow-up on its own.
      if (max === Infinity && followed) return `it repeats \`${element.raw}\` with more pattern after it`;
      if (isBranching(inner)) {
        const risk = riskIn(inner, followed, repeated || repeats);
        if (risk !== undefined) return risk;
      }
    }
  }
  return undefined;
}

function isBranching(node: AST.Node): node is Branching {
  return node.type === 'Group' || node.type === 'CapturingGroup' || (node.type === 'Assertion' && (node.kind === 'lookahead' || node.kind === 'lookbehind'));
}

function some(tree: AST.Pattern, test: (node: AST.Node) => boolean): boolean {
  let found = false;
  const check = (node: AST.Node): void => {
    found ||= test(node);
  };
  visitRegExpAST(tree, { onBackreferenceEnter: check, onAssertionEnter: check, onQuantifierEnter: check });
  return found;
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

/** A node with alternatives, folded: its opening as written (`(?<n>`, `(?=`…), each alternative folded, its `)`. */
function foldBranches(node: Branching): string {
  const first = node.alternatives[0];
  const open = first === undefined ? '' : node.raw.slice(0, first.start - node.start);
  const close = node.type === 'Pattern' ? '' : ')';
  return `${open}${node.alternatives.map((alternative) => alternative.elements.map(foldElement).join('')).join('|')}${close}`;
}

function foldElement(node: AST.Element): string {
  switch (node.type) {
    case 'Character': {
      const variants = variantsOf(node.value);
      return variants.length === 1 ? node.raw : `[${variants.map(unit).join('')}]`;
    }
    case 'CharacterClass':
      return foldClass(node);
    case 'Quantifier':
      return `${foldElement(node.element)}${node.raw.slice(node.element.end - node.start)}`;
    case 'Group':
    case 'CapturingGroup':
      return foldBranches(node);
    case 'Assertion':
      return isBranching(node) ? foldBranches(node) : node.raw;
    default:
      // `.`, `\d`, `\w`, `\s` and their negations are closed under folding without `u`; a
      // backreference never reaches here (linearForm).
      return node.raw;
  }
}

/**
 * A class with every character it holds joined by those ignoreCase matches with it. Class
 * escapes (`\w`, `\d`, `\s` and their negations) are closed under folding without `u` already.
 */
function foldClass(node: AST.CharacterClass): string {
  const escapes: string[] = [];
  const codes = new Set<number>();
  for (const element of node.elements) {
    if (element.type === 'Character' || element.type === 'CharacterClassRange') {
      const [from, to] = element.type === 'Character' ? [element.value, element.value] : [element.min.value, element.max.value];
      for (let c = from; c <= to; c++) for (const v of variantsOf(c)) codes.add(v);
    } else {
      escapes.push(element.raw);
    }
  }
  if (codes.size === 0) return node.raw;
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
  return `[${node.negate ? '^' : ''}${escapes.join('')}${out}]`;
}

function unit(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}
