/**
 * What the builder knows about model nodes that the model itself does not say, for the
 * semantic checks: where each key of a matcher was written (to point at `code:` itself),
 * and which nodes are placeholders for parts that failed (so the checks do not pile
 * invented problems on top of a real one).
 */
import type { Template } from '../template/types.js';
import type { Span } from './span.js';

/** The span of `length` characters at `offset` in a template's source. */
export type Locator = (offset: number, length: number) => Span;

export class BuildNotes {
  private readonly keys = new WeakMap<object, ReadonlyMap<string, Span>>();
  private readonly broken = new WeakSet<object>();
  private readonly locators = new WeakMap<Template, Locator>();

  setLocator(t: Template, locate: Locator): void {
    this.locators.set(t, locate);
  }

  /** Where `length` characters at `offset` of a template stand; the whole string when unknown. */
  locate(t: Template, offset: number, length: number): Span {
    return this.locators.get(t)?.(offset, Math.max(1, length)) ?? t.span;
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
