/**
 * The parts of a file the schema rejected. A file that fails the schema is still built and
 * checked (issue 2: `validate` shows every problem in one pass), but only where the schema
 * found nothing: a step, or a test, with a schema problem at or under it becomes a
 * placeholder, so the later stages add true problems and no follow-on ones. A problem
 * anywhere else (the file's own keys, `connect`, `vars`…) may change what every test
 * means: then the file gets no later checks at all (`rejectedParts` says so).
 */
import type { Diagnostic } from './diagnostic.js';
import type { YNode } from './nodes.js';
import type { Span } from './span.js';

/** Keys that set a variable or change the connection somewhere under a step. */
const SCOPE_KEYS: ReadonlySet<string> = new Set(['set', 'capture', 'as', 'include', 'connect', 'use']);
/** Deeper than any valid step; a broken one counts as changing everything. */
const MAX_DEPTH = 32;

export class Rejected {
  constructor(private readonly spans: readonly Span[]) {}

  /** Whether a schema problem lies at or under `node`. */
  has(node: YNode): boolean {
    const outer = node.span();
    return this.spans.some((s) => inside(s, outer));
  }

  /** Whether a test has a schema problem outside its steps (then it is not checked at all). */
  hasOutsideSteps(test: YNode): boolean {
    const outer = test.span();
    const steps = test.kind === 'map' ? (test.get('steps')?.items() ?? []).map((n) => n.span()) : [];
    return this.spans.some((s) => inside(s, outer) && !steps.some((step) => inside(s, step)));
  }
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
  if (!located.every((p) => spans.some((s) => inside(p, s)))) return undefined;
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
