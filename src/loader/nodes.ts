/**
 * A thin view over the YAML tree's nodes that knows its file, so every value read from a
 * spec can say where it stands. The loader reads specs only through this (after the schema
 * has checked their shapes), never through the plain data, so no position is ever lost.
 */
import type { Span } from '../kernel/span.js';
import type { SourceFile } from './source.js';
import type { YamlNode, YamlScalar, YamlTree } from './yaml-tree.js';

export type NodeKind = 'map' | 'list' | 'string' | 'number' | 'boolean' | 'null';

export class YNode {
  private memo?: YNode[];
  private knownKind?: NodeKind;

  constructor(
    readonly src: SourceFile,
    /** The whole file's tree. */
    readonly tree: YamlTree,
    /** The value (`key:` with nothing after it is a null scalar); null only for an empty file. */
    readonly node: YamlNode | null,
    /** The key this value stands under, when it is a map value and a scalar. */
    readonly keyNode?: YamlScalar,
    /** The key's text, when it is a map value. */
    readonly key?: string,
  ) {}

  /** The node itself, or the node an alias stands for (an anchor is always on a node, never on an alias). */
  private get value(): YamlNode | null {
    const n = this.node;
    return n?.type === 'alias' ? n.target : n;
  }

  get kind(): NodeKind {
    this.knownKind ??= this.readKind();
    return this.knownKind;
  }

  private readKind(): NodeKind {
    const n = this.value;
    if (n?.type === 'map') return 'map';
    if (n?.type === 'seq') return 'list';
    if (n?.type === 'scalar') {
      const v = n.value;
      if (typeof v === 'string') return 'string';
      if (typeof v === 'number') return 'number';
      if (typeof v === 'boolean') return 'boolean';
    }
    return 'null';
  }

  /** Span of the value (quotes included), or of the key when there is no value node. */
  span(): Span {
    const n = this.node;
    return n ? this.src.span(n.start, n.end) : this.keySpan();
  }

  /** Span of the key this value stands under, or of the value itself. */
  keySpan(): Span {
    const n = this.keyNode ?? this.node;
    return n ? this.src.span(n.start, n.end) : this.src.head();
  }

  /** From the key to the end of the value (`s: 235`), or the value alone. */
  entrySpan(): Span {
    const k = this.keyNode;
    const n = this.node;
    if (k && n) return this.src.span(k.start, Math.max(k.end, n.end));
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
    if (n?.type !== 'map') return [];
    return n.items.map((pair) => new YNode(this.src, this.tree, pair.value, pair.key.type === 'scalar' ? pair.key : undefined, pair.name));
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
    if (n?.type !== 'seq') return [];
    return n.items.map((item) => new YNode(this.src, this.tree, item));
  }

  /** The scalar's value as the YAML core schema read it. */
  scalar(): unknown {
    const n = this.value;
    return n?.type === 'scalar' ? n.value : undefined;
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
    if (n?.type === 'scalar' && typeof n.value !== 'string') return this.src.text.slice(n.start, n.end);
    return this.str();
  }

  /**
   * Where the characters of a string scalar's value stand in the file, when they stand
   * there one for one (plain, or quoted without escapes, on one line): the offset of the
   * first character. Undefined when escapes, folding or block style break the mapping.
   */
  valueOffset(): number | undefined {
    const n = this.node;
    if (n?.type !== 'scalar' || typeof n.value !== 'string') return undefined;
    const { start, end } = n;
    const quoted = n.style === 'double' || n.style === 'single';
    if (!quoted && n.style !== 'plain') return undefined;
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
    const n = this.node;
    if (n?.type !== 'scalar' || n.style !== 'literal' || typeof n.value !== 'string') return undefined;
    const text = this.src.text;
    const headerEnd = text.indexOf('\n', n.start);
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
      return (lineStarts[line] ?? n.start) + rest;
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

export function rootNode(src: SourceFile, tree: YamlTree): YNode {
  return new YNode(src, tree, tree.root);
}
