/**
 * A thin view over `yaml` nodes that knows its file, so every value read from a spec can
 * say where it stands. The loader reads specs only through this (after the schema has
 * checked their shapes), never through `doc.toJS()`, so no position is ever lost.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Scalar } from 'yaml';
import type { Span } from './span.js';
import type { SourceFile } from './source.js';

export type NodeKind = 'map' | 'list' | 'string' | 'number' | 'boolean' | 'null';

export class YNode {
  private memo?: YNode[];
  /** `value` and `kind`, found once: the builders ask a node for them again and again. */
  private target?: Node | null;
  private knownKind?: NodeKind;

  constructor(
    readonly src: SourceFile,
    readonly doc: Document.Parsed,
    /** The value; null for a missing value (`key:` with nothing after it is a null scalar). */
    readonly node: Node | null,
    /** The key this value stands under, when it is a map value. */
    readonly keyNode?: Scalar,
    /** The key's text, when it is a map value. */
    readonly key?: string,
  ) {}

  /** The node itself, or the node an alias stands for. */
  private get value(): Node | null {
    if (this.target !== undefined) return this.target;
    let n: Node | null = this.node;
    for (let hops = 0; n && isAlias(n) && hops < 64; hops += 1) n = (n.resolve(this.doc) as Node | undefined) ?? null;
    this.target = n;
    return n;
  }

  get kind(): NodeKind {
    this.knownKind ??= this.readKind();
    return this.knownKind;
  }

  private readKind(): NodeKind {
    const n = this.value;
    if (isMap(n)) return 'map';
    if (isSeq(n)) return 'list';
    if (isScalar(n)) {
      const v = n.value;
      if (typeof v === 'string') return 'string';
      if (typeof v === 'number' || typeof v === 'bigint') return 'number';
      if (typeof v === 'boolean') return 'boolean';
    }
    return 'null';
  }

  /** Span of the value (quotes included), or of the key when there is no value node. */
  span(): Span {
    const n = this.node;
    if (n?.range) return this.src.span(n.range[0], n.range[1]);
    return this.keySpan();
  }

  /** Span of the key this value stands under, or of the value itself. */
  keySpan(): Span {
    const k = this.keyNode;
    if (k?.range) return this.src.span(k.range[0], k.range[1]);
    const n = this.node;
    if (n?.range) return this.src.span(n.range[0], n.range[1]);
    return this.src.head();
  }

  /** From the key to the end of the value (`s: 235`), or the value alone. */
  entrySpan(): Span {
    const k = this.keyNode?.range;
    const n = this.node?.range;
    if (k && n) return this.src.span(k[0], Math.max(k[1], n[1]));
    return this.span();
  }

  /**
   * A map's own position for "a test needs `name`": the key holding it, if any, else its
   * first key, else the value.
   */
  anchorSpan(): Span {
    if (this.keyNode) return this.keySpan();
    const first = this.entries()[0];
    return first ? first.keySpan() : this.span();
  }

  entries(): YNode[] {
    this.memo ??= this.readEntries();
    return this.memo;
  }

  private readEntries(): YNode[] {
    const n = this.value;
    if (!isMap(n)) return [];
    const out: YNode[] = [];
    for (const pair of n.items) {
      if (!isPair(pair)) continue;
      const keyNode = isScalar(pair.key) ? (pair.key as Scalar) : undefined;
      const key = keyNode ? String(keyNode.value) : String(pair.key);
      out.push(new YNode(this.src, this.doc, (pair.value as Node | null) ?? null, keyNode, key));
    }
    return out;
  }

  get(key: string): YNode | undefined {
    for (const entry of this.entries()) if (entry.key === key) return entry;
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  items(): YNode[] {
    const n = this.value;
    if (!isSeq(n)) return [];
    return n.items.map((item) => new YNode(this.src, this.doc, (item as Node | null) ?? null));
  }

  /** The scalar's value as the YAML core schema read it. */
  scalar(): unknown {
    const n = this.value;
    return isScalar(n) ? n.value : undefined;
  }

  str(): string {
    const v = this.scalar();
    return typeof v === 'string' ? v : String(v ?? '');
  }

  num(): number {
    const v = this.scalar();
    return typeof v === 'number' ? v : Number(v);
  }

  bool(): boolean {
    return this.scalar() === true;
  }

  /** A scalar as the user wrote it: `007` stays `007`, `1.10` stays `1.10`. */
  written(): string {
    const n = this.value;
    if (isScalar(n) && typeof n.value !== 'string' && n.range) {
      return this.src.text.slice(n.range[0], n.range[1]);
    }
    return this.str();
  }

  /**
   * Where the characters of a string scalar's value stand in the file, when they stand
   * there one for one (plain, or quoted without escapes, on one line): the offset of the
   * first character. Undefined when escapes, folding or block style break the mapping.
   */
  valueOffset(): number | undefined {
    const n = this.value;
    if (!isScalar(n) || typeof n.value !== 'string' || !n.range || n !== this.node) return undefined;
    const [start, end] = n.range;
    const quoted = n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE';
    if (!quoted && n.type !== 'PLAIN') return undefined;
    const inner = quoted ? 1 : 0;
    // The source between the quotes is the value itself (compared in place: no copy made).
    const same = end - start - 2 * inner === n.value.length && this.src.text.startsWith(n.value, start + inner);
    return same && !n.value.includes('\n') ? start + inner : undefined;
  }

  /**
   * Where each character of a string scalar's value stands in the file: a function from
   * an index in the value to an offset in the source. Known for single-line plain or
   * quoted strings without escapes, and for literal block scalars (`|`), line by line;
   * undefined otherwise (escapes, folding), when only the whole scalar can be pointed at.
   */
  charOffsets(): ((index: number) => number) | undefined {
    const start = this.valueOffset();
    if (start !== undefined) return (i) => start + i;
    const n = this.value;
    if (!isScalar(n) || n !== this.node || n.type !== 'BLOCK_LITERAL' || typeof n.value !== 'string' || !n.range) return undefined;
    const text = this.src.text;
    const headerEnd = text.indexOf('\n', n.range[0]);
    if (headerEnd < 0) return undefined;
    const valueLines = n.value.split('\n');
    const lineStarts: number[] = [];
    let at = headerEnd + 1;
    let indent: number | undefined;
    for (const line of valueLines) {
      const end = text.indexOf('\n', at);
      const source = text.slice(at, end < 0 ? text.length : end).replace(/\r$/, '');
      if (line !== '') {
        indent ??= source.length - source.trimStart().length;
        if (source.slice(indent) !== line) return undefined;
      }
      lineStarts.push(at + (line === '' ? 0 : (indent ?? 0)));
      if (end < 0) break;
      at = end + 1;
    }
    return (i) => {
      let line = 0;
      let rest = i;
      while (line < valueLines.length - 1 && rest > (valueLines[line] ?? '').length) {
        rest -= (valueLines[line] ?? '').length + 1;
        line += 1;
      }
      return (lineStarts[line] ?? n.range?.[0] ?? 0) + rest;
    };
  }

  /** Follow a path of keys and indices, as in a JSON pointer. */
  at(path: readonly (string | number)[]): YNode | undefined {
    const [seg, ...rest] = path;
    if (seg === undefined) return this;
    const next = this.kind === 'list' ? this.items()[Number(seg)] : this.kind === 'map' ? this.get(String(seg)) : undefined;
    return next?.at(rest);
  }
}

export function rootNode(src: SourceFile, doc: Document.Parsed): YNode {
  return new YNode(src, doc, doc.contents as Node | null);
}
