/**
 * What the builder knows about model nodes that the model itself does not say, for the
 * semantic checks: where each key of a matcher was written (to point at `code:` itself),
 * and which nodes are placeholders for parts that failed (so the checks do not pile
 * invented problems on top of a real one).
 */
import type { Template } from '../template/types.js';
import type { Span } from '../kernel/span.js';

/** The span of `length` characters at `offset` in a template's source. */
export type Locator = (offset: number, length: number) => Span;

export class BuildNotes {
  private readonly keys = new WeakMap<object, ReadonlyMap<string, Span>>();
  private readonly broken = new WeakSet<object>();
  private readonly locators = new WeakMap<Template, Locator>();

  setLocator(t: Template, locate: Locator): void {
    this.locators.set(t, locate);
  }

  /**
   * Where `length` characters at `offset` of a template stand. A template whose span is
   * one line exactly as long as its source maps one to one and needs no locator; others
   * (block scalars) have one; else the whole string is shown.
   */
  locate(t: Template, offset: number, length: number): Span {
    const located = this.locators.get(t);
    if (located) return located(offset, Math.max(1, length));
    const s = t.span;
    if (s.line !== s.endLine || s.endCol - s.col !== t.source.length) return s;
    const col = s.col + offset;
    return { ...s, col, endCol: Math.min(s.endCol, col + Math.max(1, length)) };
  }

  setKeySpans(node: object, spans: ReadonlyMap<string, Span>): void {
    this.keys.set(node, spans);
  }

  keySpan(node: object, key: string): Span | undefined {
    return this.keys.get(node)?.get(key);
  }

  markBroken<T extends object>(node: T): T {
    this.broken.add(node);
    return node;
  }

  isBroken(node: object): boolean {
    return this.broken.has(node);
  }
}
