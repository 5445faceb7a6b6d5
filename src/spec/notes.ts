/**
 * What the builder knows about model nodes that the model itself does not say, for the
 * semantic checks: where each key of a matcher was written (to point at `code:` itself),
 * and which nodes are placeholders for parts that failed (so the checks do not pile
 * invented problems on top of a real one).
 */
import type { Span } from './span.js';

export class BuildNotes {
  private readonly keys = new WeakMap<object, ReadonlyMap<string, Span>>();
  private readonly broken = new WeakSet<object>();

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
