/**
 * js-yaml's event stream → a tree of YAML nodes with source offsets, and the plain data the
 * schema checks, built in one pass.
 *
 * Why events and not a YAML library's document: `parseEvents` is js-yaml's parser alone (no
 * composing, no values), a flat list of offsets into the text; a spec parses about three
 * times faster this way than with `yaml`'s `parseDocument`, which would be more than half of
 * what `validate` spends. The tree keeps just what the loader reads: kinds, values,
 * offsets, aliases. Scalars are decoded with js-yaml's `getScalarValue` and resolved by the
 * YAML 1.2 core schema (YAML 1.2.2 §10.3.2), as `yaml` resolved them before, so a spec means
 * what it meant: `220` is a number, `2.7.0` and `5xx` are strings.
 */
import { CHOMPING_MODE, EVENT_ID, SCALAR_STYLE, getScalarValue, type Event, type ScalarEvent } from 'js-yaml';

export type ScalarValue = string | number | boolean | null;
export type ScalarStyle = 'plain' | 'single' | 'double' | 'literal' | 'folded';

/** A scalar. `start`/`end` cover what the user wrote: quotes included, a block scalar from its `|` or `>`. */
export class YamlScalar {
  readonly type = 'scalar';
  constructor(
    readonly start: number,
    readonly end: number,
    readonly value: ScalarValue,
    readonly style: ScalarStyle,
  ) {}
}

export interface YamlPair {
  readonly key: YamlNode;
  /** The key as a map of the data has it. */
  readonly name: string;
  /** `key:` with nothing after it is a null scalar where the value would stand. */
  readonly value: YamlNode;
}

/** A mapping or a sequence. `end`: after its `}` or `]`, or (block style) after its last node. */
abstract class YamlCollection<Item> {
  readonly items: Item[] = [];
  end: number;
  constructor(
    readonly start: number,
    readonly flow: boolean,
  ) {
    this.end = start;
  }
}

export class YamlMap extends YamlCollection<YamlPair> {
  readonly type = 'map';
}

export class YamlSeq extends YamlCollection<YamlNode> {
  readonly type = 'seq';
}

/** `*name`: stands for the node anchored `&name` before it. */
export class YamlAlias {
  readonly type = 'alias';
  constructor(
    readonly start: number,
    readonly end: number,
    readonly target: YamlNode,
  ) {}
}

export type YamlNode = YamlScalar | YamlMap | YamlSeq | YamlAlias;

/** What makes a well-formed YAML text no spec: each is reported at [start, end). */
export interface YamlProblem {
  readonly code: 'duplicate-key' | 'multiple-documents' | 'unknown-anchor' | 'alias-expansion' | 'yaml-version';
  readonly start: number;
  readonly end: number;
  /** The duplicate key, the unknown anchor's name, or the `%YAML` directive's version. */
  readonly name?: string;
}

export interface YamlTree {
  /** Null for a file with no document or an empty one. */
  readonly root: YamlNode | null;
  /** The document as plain data (objects, arrays, scalars): what the schema checks. */
  readonly data: unknown;
  readonly hasAlias: boolean;
  readonly problems: readonly YamlProblem[];
}

/**
 * Nodes aliases may add to a document, in all; past it, it is an attack (a "billion laughs"
 * file of a few lines expands to millions of nodes), not a spec.
 */
export const MAX_ALIAS_EXPANSION = 100_000;

const STYLES: Readonly<Record<number, ScalarStyle>> = {
  [SCALAR_STYLE.PLAIN]: 'plain',
  [SCALAR_STYLE.SINGLE_QUOTED]: 'single',
  [SCALAR_STYLE.DOUBLE_QUOTED]: 'double',
  [SCALAR_STYLE.LITERAL_BLOCK]: 'literal',
  [SCALAR_STYLE.FOLDED_BLOCK]: 'folded',
};

/** Builds the tree of `text` from its events (`parseEvents(text)`), which must be well formed. */
export function buildTree(text: string, events: readonly Event[]): YamlTree {
  const builder = new TreeBuilder(text);
  for (const event of events) if (!builder.add(event)) break;
  return builder.result();
}

interface Frame {
  readonly node: YamlMap | YamlSeq;
  readonly data: Record<string, unknown> | unknown[];
  /** Nodes under it, aliases counted at their target's size. */
  size: number;
  anchor: string | undefined;
  /** A map's key waiting for its value. */
  key: YamlNode | undefined;
  keyName: string;
  names: Set<string> | undefined;
}

interface Anchored {
  readonly node: YamlNode;
  readonly data: unknown;
  readonly size: number;
}

class TreeBuilder {
  private readonly stack: Frame[] = [];
  private readonly anchors = new Map<string, Anchored>();
  private readonly problems: YamlProblem[] = [];
  /** Offset after the last thing read: where a value left empty, or a block scalar's header, is looked for. */
  private cursor = 0;
  private documents = 0;
  private expansion = 0;
  private aliases = false;
  private root: YamlNode | null = null;
  private data: unknown = null;

  constructor(private readonly text: string) {}

  /** False once the rest cannot matter (a second document, an alias bomb). */
  add(event: Event): boolean {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        this.documents += 1;
        if (this.documents > 1) {
          const at = this.documentStart();
          this.problems.push({ code: 'multiple-documents', start: at, end: at + 3 });
          return false;
        }
        for (const directive of event.directives) {
          // A `%YAML 1.1` file would mean `yes` is true: specs are read as YAML 1.2 only.
          if (directive.kind === 'yaml' && directive.version !== '1.2') {
            const at = Math.max(0, this.text.search(/^%YAML[ \t]/m));
            this.problems.push({ code: 'yaml-version', start: at, end: at + '%YAML '.length + directive.version.length, name: directive.version });
          }
        }
        return true;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const flow = this.text.charCodeAt(event.start) === (event.type === EVENT_ID.MAPPING ? 0x7b : 0x5b); // { or [
        const node = event.type === EVENT_ID.MAPPING ? new YamlMap(event.start, flow) : new YamlSeq(event.start, flow);
        const data = node.type === 'map' ? {} : [];
        const anchor = event.anchorStart >= 0 ? this.text.slice(event.anchorStart, event.anchorEnd) : undefined;
        // The data is attached at once, so a broken file's partial data holds what was read.
        if (this.stack.length === 0 && this.root === null) this.data = data;
        this.stack.push({ node, data, size: 1, anchor, key: undefined, keyName: '', names: undefined });
        this.cursor = flow ? event.start + 1 : event.start;
        return true;
      }
      case EVENT_ID.SCALAR:
        return this.scalar(event);
      case EVENT_ID.ALIAS: {
        this.aliases = true;
        const name = this.text.slice(event.anchorStart, event.anchorEnd);
        const start = event.anchorStart - 1; // the `*`
        this.cursor = event.anchorEnd;
        const target = this.anchors.get(name);
        if (!target) {
          this.problems.push({ code: 'unknown-anchor', start, end: event.anchorEnd, name });
          return this.attach(new YamlScalar(start, event.anchorEnd, null, 'plain'), null, 1, undefined);
        }
        this.expansion += target.size;
        if (this.expansion > MAX_ALIAS_EXPANSION) {
          this.problems.push({ code: 'alias-expansion', start, end: event.anchorEnd });
          return false;
        }
        return this.attach(new YamlAlias(start, event.anchorEnd, target.node), target.data, target.size, undefined);
      }
      case EVENT_ID.POP: {
        const frame = this.stack.pop();
        if (!frame) return true; // the document's end
        const node = frame.node;
        node.end = node.flow ? this.closingBracket() : Math.max(node.start, this.cursor);
        this.cursor = node.end;
        return this.attach(node, frame.data, frame.size, frame.anchor);
      }
      default:
        return true;
    }
  }

  result(): YamlTree {
    return { root: this.root, data: this.data, hasAlias: this.aliases, problems: this.problems };
  }

  private scalar(event: ScalarEvent): boolean {
    const text = this.text;
    const style = STYLES[event.style] ?? 'plain';
    const tag = event.tagStart >= 0 ? coreTag(text.slice(event.tagStart, event.tagEnd)) : undefined;
    const anchor = event.anchorStart >= 0 ? text.slice(event.anchorStart, event.anchorEnd) : undefined;
    const props = Math.max(event.tagEnd, event.anchorEnd);
    let node: YamlScalar;
    if (event.valueStart < 0) {
      const at = props >= 0 ? props : this.emptyValueAt();
      node = new YamlScalar(at, at, tag === 'str' ? '' : null, 'plain');
    } else {
      const source = getScalarValue(text, event);
      const value = style === 'plain' || (tag !== undefined && tag !== 'str') ? resolve(source, tag) : source;
      let start = event.valueStart;
      let end = event.valueEnd;
      if (style === 'single' || style === 'double') {
        start -= 1;
        end += 1;
      } else if (style === 'literal' || style === 'folded') {
        start = this.blockHeader(Math.max(this.cursor, props), event.valueStart);
        // Kept trailing line breaks (`|+`) are part of the value; otherwise they belong to no node.
        end = event.chomping === CHOMPING_MODE.KEEP ? event.valueEnd : contentEnd(text, event.valueStart, event.valueEnd);
      }
      node = new YamlScalar(start, end, value, style);
      this.cursor = Math.max(end, event.valueEnd);
    }
    return this.attach(node, node.value, 1, anchor);
  }

  /** Hangs a finished node under the open collection, or makes it the root. */
  private attach(node: YamlNode, data: unknown, size: number, anchor: string | undefined): boolean {
    if (anchor !== undefined) this.anchors.set(anchor, { node, data, size });
    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      this.root = node;
      this.data = data;
      return true;
    }
    parent.size += size;
    if (parent.node.type === 'seq') {
      parent.node.items.push(node);
      (parent.data as unknown[]).push(data);
      return true;
    }
    if (parent.key === undefined) {
      parent.key = node;
      parent.keyName = keyName(this.text, node);
      return true;
    }
    const key = parent.key;
    const name = parent.keyName;
    parent.key = undefined;
    parent.names ??= new Set();
    if (parent.names.has(name)) this.problems.push({ code: 'duplicate-key', start: key.start, end: key.end, name });
    parent.names.add(name);
    parent.node.items.push({ key, name, value: node });
    const object = parent.data as Record<string, unknown>;
    // A key `__proto__` is data like any other, never the object's prototype.
    if (name === '__proto__') Object.defineProperty(object, name, { value: data, enumerable: true, writable: true, configurable: true });
    else object[name] = data;
    return true;
  }

  /** Where a value left empty stands: after its `:` (or `-`, `?`) and the blanks after it, as `yaml` placed it. */
  private emptyValueAt(): number {
    const text = this.text;
    let i = this.cursor;
    while (i < text.length && isBlank(text.charCodeAt(i), true)) i += 1;
    const c = text.charCodeAt(i);
    if (c === 0x3a || c === 0x2d || c === 0x3f) {
      i += 1;
      while (i < text.length && isBlank(text.charCodeAt(i), false)) i += 1;
    } else {
      i = this.cursor;
    }
    return i;
  }

  /** The `|` or `>` that opens a block scalar whose content starts at `content` (comments skipped). */
  private blockHeader(from: number, content: number): number {
    const text = this.text;
    for (let i = from; i < content; i += 1) {
      const c = text.charCodeAt(i);
      if (c === 0x7c || c === 0x3e) return i;
      if (c === 0x23 && (i === 0 || isBlank(text.charCodeAt(i - 1), true))) {
        const eol = text.indexOf('\n', i);
        if (eol < 0) break;
        i = eol;
      }
    }
    return content;
  }

  /** After the `]` or `}` that closes the flow collection being popped. */
  private closingBracket(): number {
    const text = this.text;
    for (let i = this.cursor; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      if (c === 0x5d || c === 0x7d) return i + 1;
      if (c === 0x23) {
        const eol = text.indexOf('\n', i);
        if (eol < 0) break;
        i = eol;
      }
    }
    return this.cursor;
  }

  /** Where the second document starts: its `---` (or the first document's `...`). */
  private documentStart(): number {
    const marker = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;
    marker.lastIndex = this.cursor;
    return marker.exec(this.text)?.index ?? this.cursor;
  }
}

/** Space or tab; with `lines`, line breaks too. */
function isBlank(c: number, lines: boolean): boolean {
  return c === 0x20 || c === 0x09 || (lines && (c === 0x0a || c === 0x0d));
}

/** A block scalar's content without the blank lines after it (as `yaml`'s ranges had it). */
function contentEnd(text: string, start: number, end: number): number {
  let last = end;
  while (last > start && isBlank(text.charCodeAt(last - 1), true)) last -= 1;
  const eol = text.indexOf('\n', last);
  return eol < 0 || eol >= end ? end : eol + 1;
}

/** A key as the data's map has it: a scalar's value as text, anything else as written. */
function keyName(text: string, key: YamlNode): string {
  const node = key.type === 'alias' ? key.target : key;
  if (node.type === 'scalar') return node.value === null ? '' : String(node.value);
  return text.slice(key.start, key.end);
}

/** `!!str`, `!<tag:yaml.org,2002:str>` → `str`; `!` (non-specific) reads as a string; other tags are kept whole. */
function coreTag(tag: string): string {
  if (tag === '!') return 'str';
  if (tag.startsWith('!!')) return tag.slice(2);
  const verbatim = /^!<tag:yaml\.org,2002:(\w+)>$/.exec(tag);
  return verbatim?.[1] ?? tag;
}

/** Tags whose scalars the core schema resolves; any other tag (`!!str`, `!custom`) leaves the text a string, as `yaml` did. */
const RESOLVED_TAGS: ReadonlySet<string | undefined> = new Set([undefined, 'null', 'bool', 'int', 'float']);

/**
 * A plain scalar by the YAML 1.2 core schema (YAML 1.2.2 §10.3.2), with the patterns and
 * order of `yaml`'s core schema: null, bool, int (octal, decimal, hex), float (.inf/.nan,
 * exponent, decimal); anything else is a string.
 */
function resolve(source: string, tag: string | undefined): ScalarValue {
  if (!RESOLVED_TAGS.has(tag)) return source;
  const c = source.charCodeAt(0);
  // Most values are words: a first character no core pattern starts with decides at once.
  const maybe = source.length === 0 || c === 0x7e || c === 0x2b || c === 0x2d || c === 0x2e || (c >= 0x30 && c <= 0x39) || c === 0x6e || c === 0x4e || c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46;
  if (!maybe) return source;
  for (const rule of CORE) if (rule.test.test(source)) return rule.value(source);
  return source;
}

const CORE: readonly { readonly test: RegExp; readonly value: (source: string) => ScalarValue }[] = [
  { test: /^(?:~|[Nn]ull|NULL)?$/, value: () => null },
  { test: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, value: (s) => s[0] === 't' || s[0] === 'T' },
  { test: /^0o[0-7]+$/, value: (s) => parseInt(s.slice(2), 8) },
  { test: /^[-+]?[0-9]+$/, value: (s) => parseInt(s, 10) },
  { test: /^0x[0-9a-fA-F]+$/, value: (s) => parseInt(s.slice(2), 16) },
  { test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, value: (s) => (s.endsWith('n') || s.endsWith('N') ? NaN : s[0] === '-' ? -Infinity : Infinity) },
  { test: /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, value: (s) => parseFloat(s) },
  { test: /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, value: (s) => parseFloat(s) },
];
