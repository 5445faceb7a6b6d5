/**
 * Stage 1: text → YAML tree, keeping every node's offsets. YAML's own errors (syntax, tabs,
 * duplicate keys, several documents…) become diagnostics at their position, in our words
 * where we have better ones.
 *
 * The parser is js-yaml's event parser (see yaml-tree.ts for why); it stops at the first
 * syntax error, which is the one to show: the errors a parser finds after it are mostly its
 * echoes, and a list of them hides the one that matters. What can still be read of a broken
 * file is read by `yaml`, whose parser recovers from errors: only to find the secrets its
 * code frames must hide (a `vars:` line may be the broken one).
 */
import { parseEvents, YAMLException } from 'js-yaml';
import { parseDocument } from 'yaml';
import type { Diagnostic, DiagnosticCode } from '../kernel/diagnostic.js';
import type { SourceFile } from './source.js';
import { buildTree, MAX_ALIAS_EXPANSION, type YamlProblem, type YamlTree } from './yaml-tree.js';

export type YamlResult =
  | { readonly ok: true; readonly tree: YamlTree; readonly data: unknown }
  /** `partial`: what could be read of a broken document, for finding secrets to hide in its code frames. */
  | { readonly ok: false; readonly diagnostics: Diagnostic[]; readonly partial?: unknown };

/** Deeper than any spec (a step in a `repeat` in a `retry`… is a few dozen levels). */
const MAX_DEPTH = 256;

const EMPTY_HINT = 'a spec needs at least `name:` and `tests:`; a fragment `fragment:` and `steps:`';
const FLOW_HINT = "in flow style ({…} or […]) quote a value that holds { } [ ] , : or #, e.g. match: '/a{2}/'";

type Worded = { readonly code: DiagnosticCode; readonly message: string; readonly hint?: string };

/** Problems of a well-formed text, in our words. */
const PROBLEMS: Record<YamlProblem['code'], (p: YamlProblem) => Worded> = {
  'duplicate-key': (p) => ({ code: 'yaml-duplicate-key', message: `duplicate key \`${p.name ?? ''}\``, hint: 'each key may appear once in a map' }),
  'multiple-documents': () => ({ code: 'yaml-multiple-documents', message: 'a spec file holds one YAML document; this one has several (`---`)', hint: 'put each suite in its own file' }),
  'unknown-anchor': (p) => ({ code: 'yaml-unknown-anchor', message: `\`*${p.name ?? ''}\` refers to no anchor before it`, hint: `an alias repeats a node marked \`&${p.name ?? ''}\` earlier in the file` }),
  'yaml-version': (p) => ({ code: 'yaml-version', message: `specs are YAML 1.2; this file asks for YAML ${p.name ?? ''}`, hint: 'remove the `%YAML` line (in YAML 1.2 `yes`, `no` and `on` are strings)' }),
  'alias-expansion': () => ({ code: 'yaml-alias-expansion', message: `the YAML cannot be read: its aliases expand it past ${MAX_ALIAS_EXPANSION.toLocaleString('en')} nodes` }),
};

/** js-yaml's reasons we word ourselves; the others are shown as they are. */
const CONTROL: Worded = { code: 'yaml-control-character', message: 'a control character stands here', hint: 'write it as an escape in a double-quoted string, e.g. "\\x01" or "\\0"' };
const REASONS: Readonly<Record<string, Worded>> = {
  'tab characters must not be used in indentation': { code: 'yaml-tab-indent', message: 'a tab is used for indentation', hint: 'YAML indents with spaces only' },
  'expected valid JSON character': CONTROL,
  'the stream contains non-printable characters': CONTROL,
  'null byte is not allowed in input': CONTROL,
};

export function parseYaml(src: SourceFile): YamlResult {
  const text = src.text;
  let tree: YamlTree;
  try {
    tree = buildTree(text, parseEvents(text, { maxDepth: MAX_DEPTH }));
  } catch (e) {
    return { ok: false, diagnostics: [syntaxDiagnostic(e, src)], partial: salvage(text) };
  }
  if (tree.problems.length > 0) {
    const diagnostics = tree.problems.map((p): Diagnostic => {
      const { code, message, hint } = PROBLEMS[p.code](p);
      return { code, span: src.span(p.start, p.end), message, ...(hint ? { hint } : {}) };
    });
    return { ok: false, diagnostics, partial: tree.data };
  }
  if (tree.root === null) return { ok: false, diagnostics: [{ code: 'file-empty', span: src.head(), message: 'the file is empty', hint: EMPTY_HINT }], partial: null };
  return { ok: true, tree, data: tree.data };
}

/** Aliases may repeat a node this many times in all, in what is salvaged of a broken file. */
const MAX_SALVAGED_ALIASES = 1000;

/** What `yaml`'s recovering parser can read of a broken text, as data; undefined if nothing. */
function salvage(text: string): unknown {
  try {
    return parseDocument(text, { prettyErrors: false, uniqueKeys: false }).toJS({ maxAliasCount: MAX_SALVAGED_ALIASES });
  } catch {
    return undefined;
  }
}

function syntaxDiagnostic(e: unknown, src: SourceFile): Diagnostic {
  if (!(e instanceof YAMLException)) {
    // js-yaml documents that any exception may come out of a parse; none must reach the user raw.
    const message = e instanceof Error ? e.message : String(e);
    return { code: 'yaml-syntax', span: src.head(), message: `the YAML cannot be read: ${message}` };
  }
  const at = Math.min(Math.max(0, e.mark?.position ?? 0), src.text.length);
  const span = src.span(at, at + 1);
  const worded = REASONS[e.reason];
  if (worded) return { code: worded.code, span, message: worded.message, ...(worded.hint ? { hint: worded.hint } : {}) };
  const open = unclosedBracket(src.text, at);
  const hint = open === undefined ? undefined : onSameLine(src.text, open, at) ? FLOW_HINT : unclosedHint(src, open);
  return { code: 'yaml-syntax', span, message: `not valid YAML here: ${e.reason}`, ...(hint ? { hint } : {}) };
}

/**
 * The offset of the last `{` or `[` before `offset` that is not closed before it, if any
 * (quoted text and comments skipped): in flow style a `{` or `,` inside an unquoted value
 * is the usual mistake (format §5's quoting advice), and a bracket never closed the other.
 */
function unclosedBracket(text: string, offset: number): number | undefined {
  const open: number[] = [];
  for (let i = 0; i < offset; i += 1) {
    const c = text[i];
    if (c === '{' || c === '[') open.push(i);
    else if ((c === '}' || c === ']') && open.length > 0) open.pop();
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) i = lineEnd(text, i) - 1;
    else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1] ?? ''))) i = quoteEnd(text, i, c);
  }
  return open.at(-1);
}

function lineEnd(text: string, from: number): number {
  const eol = text.indexOf('\n', from);
  return eol < 0 ? text.length : eol;
}

/** The closing quote of the quoted scalar opening at `at` (`''` and `\"` escapes read as escapes). */
function quoteEnd(text: string, at: number, quote: string): number {
  for (let i = at + 1; i < text.length; i += 1) {
    if (quote === '"' && text[i] === '\\') i += 1;
    else if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") i += 1;
      else return i;
    }
  }
  return text.length;
}

function onSameLine(text: string, a: number, b: number): boolean {
  return !text.slice(a, b).includes('\n');
}

function unclosedHint(src: SourceFile, open: number): string {
  const where = src.span(open, open + 1);
  return `the \`${src.text[open] ?? '{'}\` at ${where.line}:${where.col} is not closed`;
}
