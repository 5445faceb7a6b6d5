/**
 * Stage 1: text → YAML document, keeping every node's range. YAML's own errors (duplicate
 * keys, bad indentation, several documents…) become diagnostics at their position, in
 * our words where we have better ones.
 */
import { parseDocument, type Document, type YAMLError } from 'yaml';
import type { Diagnostic } from './diagnostic.js';
import type { SourceFile } from './source.js';

export type YamlResult =
  | { readonly ok: true; readonly doc: Document.Parsed; readonly data: unknown }
  | { readonly ok: false; readonly diagnostics: Diagnostic[] };

/** Aliases may repeat a node this many times in all; past it, it is an attack, not a spec. */
const MAX_ALIAS_COUNT = 1000;

type Wording = (error: YAMLError, src: SourceFile) => { message: string; hint?: string };

/** YAML error codes we word ourselves; others keep yaml's own message, lower-cased. */
const WORDING: Partial<Record<YAMLError['code'], Wording>> = {
  DUPLICATE_KEY: (e, src) => ({
    message: `duplicate key \`${src.text.slice(e.pos[0], e.pos[1]).trim()}\``,
    hint: 'each key may appear once in a map',
  }),
  MULTIPLE_DOCS: () => ({
    message: 'a spec file holds one YAML document; this one has several (`---`)',
    hint: 'put each suite in its own file',
  }),
  TAB_AS_INDENT: () => ({ message: 'a tab is used for indentation', hint: 'YAML indents with spaces only' }),
};

export function parseYaml(src: SourceFile): YamlResult {
  const doc = parseDocument(src.text, { lineCounter: src.lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { ok: false, diagnostics: doc.errors.map((e) => yamlDiagnostic(e, src)) };
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

function yamlDiagnostic(error: YAMLError, src: SourceFile): Diagnostic {
  const start = error.pos[0] ?? 0;
  const end = Math.max(start, error.pos[1] ?? start);
  const { message, hint } = WORDING[error.code]?.(error, src) ?? { message: yamlWords(error.message) };
  return { span: src.span(start, end), message, ...(hint ? { hint } : {}) };
}

/** yaml's messages are sentences ("Map keys must be unique"); ours start lower-case, no period. */
function yamlWords(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return lowerFirst(first.replace(/ at line \d+, column \d+:?$/, '').replace(/\.$/, ''));
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
