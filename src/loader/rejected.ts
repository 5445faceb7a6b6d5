/**
 * The parts of a file the schema rejected. A file that fails the schema is still built and
 * checked (`validate` shows every problem in one pass), but only where the schema found
 * nothing: a step, or a test, with a schema problem at or under it becomes a placeholder,
 * so the later stages add true problems and no follow-on ones. A key that nothing else
 * depends on (`timeout`, `tags`, `name`, an unknown key…) of the file or of a test is left
 * out when it is at fault, and the rest is checked. A problem anywhere else (`connect`,
 * `tls`, `vars`…) may change what every test means: then the file gets no later checks at
 * all (`rejectedParts` says so), or a test none (`hasOutsideSteps`).
 */
import type { Diagnostic } from '../kernel/diagnostic.js';
import type { YNode } from './nodes.js';
import type { Span } from '../kernel/span.js';
import { closest } from './suggest.js';

/** Keys that set a variable or change the connection somewhere under a step. */
const SCOPE_KEYS: ReadonlySet<string> = new Set(['set', 'capture', 'as', 'include', 'connect', 'use']);
/**
 * The keys of a file (spec or fragment) or a test whose value no other check depends on: at
 * fault, they are left out. A key the schema does not know is one too (it is read by no one).
 */
const INERT_KEYS: ReadonlySet<string> = new Set(['name', 'version', 'description', 'tags', 'timeout', 'deadline', 'serial', 'secrets', 'fragment', 'skip']);
/** The keys of a file or a test that the schema knows and other checks depend on. */
const SCOPE_OF_FILE: ReadonlySet<string> = new Set(['connect', 'tls', 'vars', 'tests', 'steps']);
/** Deeper than any valid step; a broken one counts as changing everything. */
const MAX_DEPTH = 32;

export class Rejected {
  constructor(private readonly spans: readonly Span[]) {}

  /** Whether a schema problem lies at or under `node`. */
  has(node: YNode): boolean {
    const outer = node.span();
    return this.spans.some((s) => inside(s, outer));
  }

  /**
   * Whether a test has a schema problem outside its steps and its inert keys (then it is not
   * checked at all).
   */
  hasOutsideSteps(test: YNode): boolean {
    const outer = test.span();
    const steps = test.kind === 'map' ? (test.get('steps')?.items() ?? []).map((n) => n.span()) : [];
    return this.spans.some((s) => inside(s, outer) && !steps.some((step) => inside(s, step)) && !inInertKey(test, s));
  }

  /** Whether `map`'s `key` is at fault and inert: then it is read as absent. */
  drops(map: YNode, key: string): boolean {
    if (!INERT_KEYS.has(key) || map.kind !== 'map') return false;
    const entry = map.get(key);
    if (!entry) return false;
    const at = entry.entrySpan();
    return this.spans.some((s) => inside(s, at));
  }
}

/**
 * Whether the problem at `span` lies in an inert key of `map`, or in an unknown one that is
 * no misspelling of a key others depend on (`conect` may have meant the test's connection).
 */
function inInertKey(map: YNode, span: Span): boolean {
  if (map.kind !== 'map') return false;
  const key = map.entries().find((e) => inside(span, e.entrySpan()))?.key;
  if (key === undefined || SCOPE_OF_FILE.has(key)) return false;
  return INERT_KEYS.has(key) || closest(key, SCOPE_OF_FILE) === undefined;
}

/**
 * Where the schema problems of a file stand, when each lies inside one of its tests (or
 * of its top-level steps); undefined when the file cannot be checked further.
 */
export function rejectedParts(root: YNode, problems: readonly Diagnostic[]): Rejected | undefined {
  // An alias can make one part's problem show at another part: no partial checks then.
  if (root.kind !== 'map' || root.tree.hasAlias) return undefined;
  const tests = root.get('tests');
  const steps = root.get('steps');
  const units = tests?.kind === 'list' ? tests.items() : steps?.kind === 'list' ? steps.items() : [];
  const spans = units.map((u) => u.span());
  const located = problems.map((d) => d.span);
  if (!located.every((p) => spans.some((s) => inside(p, s)) || inInertKey(root, p))) return undefined;
  return new Rejected(located);
}

/**
 * Whether a rejected step could have set variables or switched connections: its
 * placeholder must then make the checks after it stop guessing.
 */
export function mayChangeScope(node: YNode, depth = 0): boolean {
  if (depth > MAX_DEPTH) return true;
  if (node.kind === 'list') return node.items().some((n) => mayChangeScope(n, depth + 1));
  if (node.kind !== 'map') return false;
  return node.entries().some((e) => SCOPE_KEYS.has(e.key ?? '') || mayChangeScope(e, depth + 1));
}

function inside(inner: Span, outer: Span): boolean {
  if (inner.file !== outer.file) return false;
  const starts = inner.line > outer.line || (inner.line === outer.line && inner.col >= outer.col);
  const ends = inner.endLine < outer.endLine || (inner.endLine === outer.endLine && inner.endCol <= outer.endCol);
  return starts && ends;
}
