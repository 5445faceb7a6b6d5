/**
 * One spec file's rewrites: the text is parsed only to find each `s:` value's place and
 * shape; the new value is spliced in at that place, so every byte outside it stays. A
 * value in flow style (`- { s: 220 }`) is written in flow style; in block style a list goes
 * on the lines below its key, indented as the key's own lines are (format §11).
 */
import { Document, Scalar, YAMLMap, isCollection, isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { ReceivedReply, TestInfo } from '../engine/events.js';
import type { Span } from '../kernel/span.js';
import { matcherNode } from '../import/emit.js';
import { renderReplyLines, type MatcherValue } from '../import/matcher.js';
import type { Segment } from '../import/escape.js';

export interface Update {
  readonly received: ReceivedReply;
  /** Where the step failed (the matcher key that did not hold). */
  readonly failedAt: Span;
  /** The tests that failed there. */
  readonly tests: readonly TestInfo[];
}

export interface FileRewrite {
  readonly text: string;
  readonly updated: readonly Update[];
  readonly notUpdated: readonly { readonly update: Update; readonly reason: string }[];
  /** Where lines were added or removed: `delta` lines after line `line`. */
  readonly shifts: readonly LineShift[];
}

export interface LineShift {
  readonly line: number;
  readonly delta: number;
}

/** Where a line of the old text is in the new one. */
export function movedLine(line: number, shifts: readonly LineShift[]): number {
  let moved = line;
  for (const s of shifts) if (s.line < line) moved += s.delta;
  return moved;
}

/** Keys about what the reply says: replaced by what came. */
const CONTENT_KEYS = new Set(['code', 'enhanced', 'status', 'text', 'lines', 'match', 'contains', 'excludes', 'any']);
/** Keys about how to read it, or what to take from it: kept as written. */
const KEPT_KEYS = new Set(['timeout', 'multiline', 'capture']);
/** Keys that say more than one reply's text could: a rewrite would lose what they mean. */
const REFUSED: Readonly<Record<string, string>> = {
  ehlo: '`ehlo:` checks keywords as a set, so the spec holds on other servers: edit it by hand',
  imap: '`imap:` matches responses by structure, so the spec holds on other servers: edit it by hand',
  oneOf: '`oneOf` allows several replies on purpose: edit it by hand',
  until: '`until` reads several replies: edit it by hand',
  closed: 'the step expects the server to close the connection, and a reply came: edit it by hand',
};

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export function rewriteSpec(text: string, updates: readonly Update[]): FileRewrite {
  const doc = parseDocument(text, { keepSourceTokens: false });
  const pairs = sPairs(doc);
  const starts = lineStarts(text);
  const edits: Edit[] = [];
  const updated: Update[] = [];
  const notUpdated: { update: Update; reason: string }[] = [];
  for (const update of updates) {
    const step = update.received.step;
    const found = pairs.get((starts[step.line - 1] ?? -1) + step.col - 1);
    if (!found) {
      notUpdated.push({ update, reason: 'the step is no longer where the run found it (was the file changed during the run?)' });
      continue;
    }
    const edit = editFor(text, found, update, offsetOf(starts, update.failedAt));
    if (typeof edit === 'string') notUpdated.push({ update, reason: edit });
    else if (edit.text === text.slice(edit.start, edit.end)) notUpdated.push({ update, reason: 'written as it came, the step still fails' });
    else {
      edits.push(edit);
      updated.push(update);
    }
  }
  // A file written with CRLF gets CRLF in what is written into it too.
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  let out = text;
  const shifts: LineShift[] = [];
  const count = (t: string): number => t.split('\n').length - 1;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) {
    const old = out.slice(e.start, e.end);
    const written = eol === '\n' ? e.text : e.text.replaceAll('\n', eol);
    shifts.push({ line: count(text.slice(0, e.start)) + 1, delta: count(written) - count(old) });
    out = out.slice(0, e.start) + written + out.slice(e.end);
  }
  return { text: out, updated, notUpdated, shifts };
}

interface SPair {
  readonly key: Node;
  readonly value: Node | null;
  /** The step map is in flow style (`{ s: 220 }`), or inside one. */
  readonly flow: boolean;
}

/** Every `s:` key of the file, by its offset. */
function sPairs(doc: Document.Parsed): Map<number, SPair> {
  const found = new Map<number, SPair>();
  const walk = (node: unknown, flow: boolean): void => {
    if (!isCollection(node)) return;
    const inFlow = flow || node.flow === true;
    for (const item of node.items) {
      if (isPair(item)) {
        const key = item.key as Node | null;
        const value = item.value as Node | null;
        if (isScalar(key) && key.value === 's' && key.range) found.set(key.range[0], { key, value, flow: inFlow });
        walk(value, inFlow);
      } else walk(item, inFlow);
    }
  };
  walk(doc.contents, false);
  return found;
}

function editFor(text: string, pair: SPair, update: Update, failedAt: number | undefined): Edit | string {
  const value = pair.value;
  if (!value?.range) return 'the step has no value to rewrite';
  // Other places may use it by its name (`*name`): they would lose what they point at.
  if ('anchor' in value && value.anchor) return `its value is the YAML anchor \`&${value.anchor}\`, which other places may use: edit it by hand`;
  const kept: [string, Node][] = [];
  if (isMap(value)) {
    for (const item of value.items) {
      const key = isScalar(item.key) ? String(item.key.value) : '';
      const reason = REFUSED[key];
      if (reason !== undefined) return reason;
      if (KEPT_KEYS.has(key)) {
        const node = item.value as Node;
        if (key === 'capture' && failedAt !== undefined && node.range && failedAt >= node.range[0] && failedAt < node.range[2]) {
          return '`capture` found nothing in the new reply: edit it by hand (a later step uses what it takes)';
        }
        kept.push([key, node]);
      } else if (!CONTENT_KEYS.has(key)) return `\`${key}\` is not a key \`--update\` knows how to rewrite`;
    }
  }
  const rendered = renderReplyLines(update.received.lines.map(segments), update.received.protocol).value;
  const newValue = kept.length > 0 ? withKept(rendered, kept) : rendered;
  const start = value.range[0];
  const end = contentEnd(text, value);
  if (pair.flow) return { start, end, text: flowText(newValue) };
  const column = (offset: number): number => offset - (text.lastIndexOf('\n', offset - 1) + 1);
  const keyStart = pair.key.range?.[0] ?? start;
  const afterColon = text.indexOf(':', pair.key.range?.[1] ?? keyStart) + 1;
  const between = text.slice(afterColon, start);
  // Only blanks between `s:` and the value: the new value starts right after `s:`; after a
  // comment there, where the old value starts.
  const from = /^[ \t\r\n]*$/.test(between) ? afterColon : start;
  // A list, a map holding a list of several lines, and a regex with what `serve:` sends
  // (import's block map) go on lines of their own; a list keeps the old value's indentation
  // when that stood on lines of its own.
  if (Array.isArray(newValue) || (newValue instanceof YAMLMap && holdsLongList(newValue)) || servesBeside(newValue)) {
    if (newValue instanceof YAMLMap) newValue.flow = false;
    const indent = ' '.repeat(between.includes('\n') ? column(start) : column(keyStart) + 2);
    const items = blockText(newValue).split('\n').map((l) => indent + l).join('\n');
    return from === afterColon ? { start: from, end, text: `\n${items}` } : { start, end, text: items.trimStart() };
  }
  const one = blockText(newValue);
  return { start: from, end, text: from === afterColon ? ` ${one}` : one };
}

/** Import's form of a reply that varies: the regex, and the reply as it came in `serve:`. */
function servesBeside(value: MatcherValue | YAMLMap): boolean {
  return typeof value === 'object' && !Array.isArray(value) && !(value instanceof YAMLMap) && 'serve' in value;
}

function holdsLongList(map: YAMLMap): boolean {
  return map.items.some((item) => isSeq(item.value) && item.value.items.length > 1);
}

/** The reply's pieces as the importer's segments. */
function segments(pieces: ReceivedReply['lines'][number]): Segment[] {
  return pieces.map((p) => (typeof p === 'string' ? { kind: 'text', value: p } : { kind: 'expr', template: `\${${p.variable}}` }));
}

/** A map with what came in place of the content keys, and the kept keys as written. */
function withKept(rendered: MatcherValue, kept: readonly [string, Node][]): YAMLMap {
  const doc = new Document();
  const map = new YAMLMap();
  map.flow = true;
  const base =
    typeof rendered === 'number' ? { code: rendered }
    : typeof rendered === 'string' ? { lines: [rendered] }
    : Array.isArray(rendered) ? { lines: rendered }
    : rendered;
  const node = matcherNode(doc, base as MatcherValue);
  if (isMap(node)) {
    for (const item of node.items) {
      // Flow or block as the map will be.
      if (isSeq(item.value)) item.value.flow = false;
      map.items.push(item);
    }
  }
  for (const [key, value] of kept) map.set(key, value.clone() as Node);
  return map;
}

/** A value on one line, quoted as a flow collection needs. */
function flowText(value: MatcherValue | YAMLMap): string {
  const doc = new Document();
  const node = value instanceof YAMLMap ? value : matcherNode(doc, value);
  if (isSeq(node) || isMap(node)) {
    node.flow = true;
    doc.contents = node;
    return doc.toString({ lineWidth: 0 }).trimEnd();
  }
  // A scalar alone could be written plain where a flow map would end it (`, ` or `}`).
  const seq = doc.createNode([]);
  (seq as { items: unknown[] }).items.push(node);
  (seq as { flow: boolean }).flow = true;
  doc.contents = seq;
  return doc.toString({ lineWidth: 0 }).trimEnd().replace(/^\[ ?/, '').replace(/ ?\]$/, '');
}

/** A value in block style: a list's items unindented; a scalar or a (flow) map on one line. */
function blockText(value: MatcherValue | YAMLMap): string {
  const doc = new Document();
  doc.contents = value instanceof YAMLMap ? value : matcherNode(doc, value);
  return doc.toString({ lineWidth: 0 }).trimEnd();
}

/**
 * The end of a node's own text: a block collection's last item, not the comment or line
 * break after it; a block scalar (`|`, `>`) without the line breaks that end it.
 */
function contentEnd(text: string, node: Node): number {
  if (isCollection(node) && !node.flow) {
    const last = node.items.at(-1);
    const lastNode = isPair(last) ? ((last.value ?? last.key) as Node | null) : (last as Node | undefined);
    if (lastNode && typeof lastNode === 'object' && 'range' in lastNode && lastNode.range) return contentEnd(text, lastNode);
  }
  const [start = 0, end = 0] = node.range ?? [];
  if (!isScalar(node) || (node.type !== Scalar.BLOCK_LITERAL && node.type !== Scalar.BLOCK_FOLDED)) return end;
  let at = end;
  while (at > start && /[\r\n \t]/.test(text[at - 1] ?? '')) at--;
  return at;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function offsetOf(starts: readonly number[], span: Span): number | undefined {
  const line = starts[span.line - 1];
  return line === undefined ? undefined : line + span.col - 1;
}
