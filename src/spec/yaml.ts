/**
 * Stage 1: text → YAML document, keeping every node's range. YAML's own errors (duplicate
 * keys, bad indentation, several documents…) become diagnostics at their position, in
 * our words where we have better ones.
 */
import { isScalar, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import type { Diagnostic } from './diagnostic.js';
import type { SourceFile } from './source.js';
import type { Span } from './span.js';
import type { Scalar } from 'yaml';

export type YamlResult =
  | { readonly ok: true; readonly doc: Document.Parsed; readonly data: unknown }
  /** `partial`: what could be read of a broken document, for finding secrets to hide in its code frames. */
  | { readonly ok: false; readonly diagnostics: Diagnostic[]; readonly partial?: unknown };

/** Aliases may repeat a node this many times in all; past it, it is an attack, not a spec. */
const MAX_ALIAS_COUNT = 1000;

type Wording = (error: YAMLError, src: SourceFile, doc: Document.Parsed) => { message: string; hint?: string; span?: Span };

/** YAML error codes we word ourselves; others keep yaml's own message, lower-cased. */
const WORDING: Partial<Record<YAMLError['code'], Wording>> = {
  DUPLICATE_KEY: (e, src, doc) => {
    const key = keyAt(doc, e.pos[0]);
    return {
      message: key ? `duplicate key \`${String(key.value)}\`` : 'duplicate key',
      hint: 'each key may appear once in a map',
      ...(key?.range ? { span: src.span(key.range[0], key.range[1]) } : {}),
    };
  },
  MULTIPLE_DOCS: () => ({
    message: 'a spec file holds one YAML document; this one has several (`---`)',
    hint: 'put each suite in its own file',
  }),
  TAB_AS_INDENT: () => ({ message: 'a tab is used for indentation', hint: 'YAML indents with spaces only' }),
};

export function parseYaml(src: SourceFile): YamlResult {
  const doc = parseDocument(src.text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { ok: false, diagnostics: reportable(doc.errors).map((e) => yamlDiagnostic(e, src, doc)), partial: partialData(doc) };
  }
  if (doc.contents === null) {
    return {
      ok: false,
      diagnostics: [{ span: src.head(), message: 'the file is empty', hint: 'a spec needs at least `name:` and `tests:`; a fragment `fragment:` and `steps:`' }],
    };
  }
  try {
    return { ok: true, doc, data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, diagnostics: [{ span: src.head(), message: `the YAML cannot be read: ${lowerFirst(message)}` }] };
  }
}

function partialData(doc: Document.Parsed): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return undefined;
  }
}

/**
 * Errors we word ourselves all stand on their own (two duplicate keys are two mistakes); of
 * yaml's syntax errors only the first is reported: the rest are its echoes (one unquoted
 * `{` in a flow map gives four or five), and a list of them hides the one that matters.
 */
function reportable(errors: readonly YAMLError[]): YAMLError[] {
  const syntax = errors.find((e) => !WORDING[e.code]);
  return errors.filter((e) => WORDING[e.code] || e === syntax);
}

function yamlDiagnostic(error: YAMLError, src: SourceFile, doc: Document.Parsed): Diagnostic {
  const start = error.pos[0] ?? 0;
  const end = Math.max(start, error.pos[1] ?? start);
  const worded = WORDING[error.code]?.(error, src, doc);
  if (worded) return { span: worded.span ?? src.span(start, end), message: worded.message, ...(worded.hint ? { hint: worded.hint } : {}) };
  const hint = inFlowCollection(src.text, start)
    ? "in flow style ({…} or […]) quote a value that holds { } [ ] , : or #, e.g. match: '/a{2}/'"
    : undefined;
  return { span: src.span(start, end), message: `not valid YAML here: ${yamlWords(error.message)}`, ...(hint ? { hint } : {}) };
}

/** Whether `offset` stands after an unclosed `{` or `[` on its own line (spec-format §5's quoting advice). */
function inFlowCollection(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  let depth = 0;
  for (const ch of text.slice(lineStart, offset)) {
    if (ch === '{' || ch === '[') depth++;
    else if ((ch === '}' || ch === ']') && depth > 0) depth--;
  }
  return depth > 0;
}

/** The key scalar that starts at `offset`, if any (yaml points at the start of a duplicate key only). */
function keyAt(doc: Document.Parsed, offset: number): Scalar | undefined {
  let found: Scalar | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        found = pair.key;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** yaml's messages are sentences ("Map keys must be unique"); ours start lower-case, no period. */
function yamlWords(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return lowerFirst(first.replace(/ at line \d+, column \d+:?$/, '').replace(/\.$/, ''));
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
