/**
 * ajv's errors, in the user's words, at the YAML node they concern (style habit 3).
 * Never a JSON pointer, never a raw ajv message.
 *
 * A oneOf that fails makes ajv report every branch's complaints; we pick the one branch
 * the user meant (by the type of the value, and for maps by the keys it has: a step's
 * action key), then validate the value against that branch alone and explain those
 * errors. So a step with a misspelt matcher key gets one message, not fifteen.
 */
import type { AnySchemaObject } from 'ajv';
import type { Diagnostic } from '../kernel/diagnostic.js';
import type { YNode } from './nodes.js';
import type { CompiledSchema, SchemaError } from './schema.js';
import { andList, closest, didYouMean, orList } from './suggest.js';
import { checkRegexFlags, durationHint, sizeHint, splitRegexLiteral } from './values.js';

type Path = readonly (string | number)[];

/** Problems in one file's data, as diagnostics at its YAML nodes. */
export function explainSchemaErrors(schema: CompiledSchema, root: YNode, data: unknown): Diagnostic[] {
  const out: Diagnostic[] = [];
  explainAt(schema, root, data, '', [], out);
  return dedupe(out);
}

function explainAt(schema: CompiledSchema, root: YNode, data: unknown, pointer: string, base: Path, out: Diagnostic[]): void {
  const sub = valueAt(data, base);
  let errors = schema.validate(sub, pointer).map((e) => ({ ...e, path: [...base, ...e.path] }));
  // The outermost failing oneOf nodes; a nested one at the same path comes earlier in
  // ajv's list than the one that contains it, so of equal paths the later one wins.
  const oneOfs = errors
    .map((e, index) => ({ e, index }))
    .filter(({ e }) => e.keyword === 'oneOf')
    .sort((a, b) => a.e.path.length - b.e.path.length || b.index - a.index);
  const handled: Path[] = [];
  for (const { e } of oneOfs) {
    if (handled.some((p) => isUnder(e.path, p))) continue;
    handled.push(e.path);
    errors = errors.filter((x) => !isUnder(x.path, e.path));
    const choice = chooseBranch(schema, e.schemaNode, e.schemaPointer, valueAt(data, e.path), e.path, root);
    if (choice.kind === 'done') out.push(...choice.diagnostics);
    else if (e.schemaPointer.startsWith('/')) explainAt(schema, root, data, `${e.schemaPointer}/oneOf/${choice.index}`, e.path, out);
    // An error from a schema node we cannot place (never seen): still one plain message.
    else out.push({ code: 'schema-invalid', span: (root.at(e.path) ?? root).span(), message: `${subject(e.path)} is not valid here` });
  }
  // A value of the wrong type makes its other complaints noise; the first (outermost)
  // type complaint says it. The branches of an anyOf are summed up by the anyOf itself.
  const typed = new Set<string>();
  errors = errors.filter((e) => {
    const key = e.path.join('/');
    if (e.keyword === 'type') {
      if (typed.has(key)) return false;
      typed.add(key);
    }
    return !/\/anyOf\/\d+$/.test(e.schemaPointer);
  });
  errors = errors.filter((e) => e.keyword === 'type' || !typed.has(e.path.join('/')));
  // A required key that is missing because it was misspelt (or hidden in a `<<` merge):
  // the unknown key's message says it all.
  errors = errors.filter((e) => e.keyword !== 'required' || !errors.some((x) => misspelt(x, e)));
  for (const e of errors) {
    const d = describeError(schema, root, data, e);
    if (d) out.push(d);
  }
}

function misspelt(unknown: SchemaError, required: SchemaError): boolean {
  if (unknown.keyword !== 'additionalProperties' || unknown.path.join('/') !== required.path.join('/')) return false;
  // A YAML merge key would have brought the missing key: saying it is missing is noise.
  if (unknown.params.additionalProperty === '<<') return true;
  const allowed = Object.keys((unknown.schemaNode.properties ?? {}) as object);
  return closest(String(unknown.params.additionalProperty), allowed) === String(required.params.missingProperty);
}

// ---------------------------------------------------------------------------------------
// Choosing a oneOf branch

type Choice = { kind: 'branch'; index: number } | { kind: 'done'; diagnostics: Diagnostic[] };

function chooseBranch(schema: CompiledSchema, node: AnySchemaObject, pointer: string, value: unknown, path: Path, root: YNode): Choice {
  const branches = ((node.oneOf ?? []) as AnySchemaObject[]).map((b) => schema.resolve(b));
  const actual = jsonType(value);
  const fits = branches.map((b, index) => ({ b, index })).filter(({ b }) => acceptsType(schema, b, actual));
  const here = root.at(path);
  if (fits.length === 0) {
    const span = here ? here.span() : root.span();
    return { kind: 'done', diagnostics: [{ code: 'schema-type', span, message: `${subject(path)} must be ${nounOf(schema, pointer, node)}, got ${describeValue(value)}` }] };
  }
  if (fits.length === 1 || actual !== 'object') return { kind: 'branch', index: (fits[0] ?? { index: 0 }).index };

  // Several map branches: tell them apart by the keys that each requires.
  const keys = Object.keys(value as object);
  const discriminators = fits.map(({ b, index }) => ({ index, required: ((b.required ?? []) as string[]).filter((k) => keys.includes(k)) }));
  const present = [...new Set(discriminators.flatMap((d) => d.required))];
  if (present.length === 1) {
    const hit = discriminators.find((d) => d.required.length > 0);
    return { kind: 'branch', index: hit ? hit.index : 0 };
  }
  const span = here ? here.anchorSpan() : root.span();
  if (present.length > 1) {
    const second = here?.get(present[1] ?? '');
    const message =
      pointer === '/definitions/step'
        ? `a step has exactly one action; this one has ${andList(present)}`
        : `${subject(path)} takes ${orList(present)}, not both`;
    const hint = pointer === '/definitions/step' ? 'put each action in its own step (`- c: …`, then `- s: …`)' : undefined;
    return { kind: 'done', diagnostics: [{ code: 'exclusive-keys', span: second ? second.keySpan() : span, message, ...(hint ? { hint } : {}) }] };
  }
  // No discriminating key: misspelt keys first, else say which keys would do.
  const allowed = [...new Set(fits.flatMap(({ b }) => Object.keys((b.properties ?? {}) as object)))];
  const unknown = keys.filter((k) => !allowed.includes(k));
  const required = [...new Set(fits.flatMap(({ b }) => (b.required ?? []) as string[]))];
  if (unknown.length > 0) {
    const diagnostics = unknown.map((k): Diagnostic => {
      const entry = here?.get(k);
      const hint = didYouMean(k, required) ?? didYouMean(k, allowed);
      return { code: 'unknown-key', span: entry ? entry.keySpan() : span, message: `unknown key \`${k}\` in ${contextOf(pointer, path)}`, ...(hint ? { hint } : {}) };
    });
    return { kind: 'done', diagnostics };
  }
  const message = pointer === '/definitions/step' ? `a step needs an action: one of ${orList(required)}` : `${subject(path)} needs ${orList(required)}`;
  return { kind: 'done', diagnostics: [{ code: 'missing-key', span, message }] };
}

type JsonType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

function jsonType(value: unknown): JsonType {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

function typesOf(schema: CompiledSchema, node: AnySchemaObject, depth = 0): JsonType[] {
  const n = schema.resolve(node);
  if (n.type !== undefined) return (Array.isArray(n.type) ? n.type : [n.type]) as JsonType[];
  if (n.const !== undefined) return [jsonType(n.const)];
  if (Array.isArray(n.enum)) return [...new Set((n.enum as unknown[]).map(jsonType))];
  if (Array.isArray(n.oneOf) && depth < 8) return (n.oneOf as AnySchemaObject[]).flatMap((b) => typesOf(schema, b, depth + 1));
  return ['null', 'boolean', 'integer', 'number', 'string', 'array', 'object'];
}

function acceptsType(schema: CompiledSchema, node: AnySchemaObject, actual: JsonType): boolean {
  const types = typesOf(schema, node);
  if (types.includes(actual)) return true;
  // 1.5 where a whole number is due: the integer branch is the one meant.
  return (actual === 'integer' && types.includes('number')) || (actual === 'number' && types.includes('integer'));
}

// ---------------------------------------------------------------------------------------
// One error → one diagnostic

function describeError(schema: CompiledSchema, root: YNode, data: unknown, e: SchemaError): Diagnostic | undefined {
  const here = root.at(e.path);
  const value = valueAt(data, e.path);
  const span = here ? here.span() : root.span();
  const p = e.params;
  // Inside propertyNames: the propertyNames error itself says it in our words.
  if (e.propertyName !== undefined && e.keyword !== 'propertyNames') return undefined;
  switch (e.keyword) {
    case 'type':
      return { code: 'schema-type', span, message: `${subject(e.path)} must be ${nounOf(schema, e.schemaPointer, e.schemaNode)}, got ${describeValue(value)}` };
    case 'required': {
      const key = String(p.missingProperty);
      return { code: 'missing-key', span: here ? here.anchorSpan() : span, message: `${ownerOf(e.schemaPointer, e.path)} needs \`${key}\``, ...hintFor(REQUIRED_HINTS, e.schemaPointer, key) };
    }
    case 'additionalProperties':
      return unknownKey(e, here, span);
    case 'propertyNames':
      return badPropertyName(String(p.propertyName), here, span);
    case 'enum': {
      const allowed = ((e.schemaNode.enum ?? []) as unknown[]).map(String);
      const hint = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
      return { code: 'schema-choice', span, message: `${subject(e.path)} must be ${orList(allowed)}, got ${describeValue(value, true)}`, ...(hint ? { hint } : {}) };
    }
    case 'const':
      return { code: 'schema-choice', span, message: `${subject(e.path)} must be \`${String(e.schemaNode.const)}\`, got ${describeValue(value, true)}` };
    case 'pattern':
      return badPattern(e, value, span);
    case 'minimum':
    case 'maximum':
      return outOfRange(e, value, span);
    case 'minItems':
    case 'minProperties':
    case 'minLength':
      return { code: 'schema-empty', span, message: EMPTY_MESSAGES[e.schemaPointer] ?? `${subject(e.path)} must not be empty`, ...hintFor(EMPTY_HINTS, e.schemaPointer) };
    case 'anyOf': {
      const keys = ((e.schemaNode.anyOf ?? []) as AnySchemaObject[]).flatMap((b) => (b.required ?? []) as string[]);
      return { code: 'missing-key', span: here ? here.anchorSpan() : span, message: `${ownerOf(e.schemaPointer, e.path)} needs ${orList(keys.slice(0, 1))}`, ...hintFor(REQUIRED_HINTS, e.schemaPointer, 'tests') };
    }
    case 'not': {
      const keys = ((e.schemaNode.not as AnySchemaObject | undefined)?.required ?? []) as string[];
      if (keys.length === 0) return undefined;
      const last = here?.get(keys[keys.length - 1] ?? '');
      return { code: 'exclusive-keys', span: last ? last.keySpan() : span, message: `${ownerOf(e.schemaPointer, e.path)} has either ${orList(keys)}, not both` };
    }
    case 'if':
    case 'oneOf':
      return undefined;
    default:
      return { code: 'schema-invalid', span, message: `${subject(e.path)} is not valid here` };
  }
}

function unknownKey(e: SchemaError, here: YNode | undefined, span: Diagnostic['span']): Diagnostic {
  const key = String(e.params.additionalProperty);
  const allowed = Object.keys((e.schemaNode.properties ?? {}) as object);
  const entry = here?.get(key);
  const at = entry ? entry.keySpan() : span;
  if (key === 'with' && e.schemaPointer.startsWith('/definitions/step/oneOf/')) {
    return { code: 'with-without-include', span: at, message: '`with` is only allowed beside `include`' };
  }
  const special = key === '<<' ? { hint: 'YAML merge keys (`<<: *anchor`) are not supported: share settings with the file\'s keys, `vars` or fragments' } : hintFor(KEY_HINTS, e.schemaPointer, key);
  const hint = special.hint ?? didYouMean(key, allowed) ?? (allowed.length <= 10 ? `keys here: ${andList(allowed)}` : undefined);
  return { code: 'unknown-key', span: at, message: `unknown key \`${key}\` in ${contextOf(e.schemaPointer, e.path)}`, ...(hint ? { hint } : {}) };
}

function badPropertyName(name: string, here: YNode | undefined, span: Diagnostic['span']): Diagnostic {
  const entry = here?.get(name);
  const at = entry ? entry.keySpan() : span;
  if (name === 'env') return { code: 'name-invalid', span: at, message: '`env` cannot name a variable', hint: '`${env.NAME}` reads the environment' };
  return { code: 'name-invalid', span: at, message: `\`${name}\` is not a valid variable name`, hint: 'use letters, digits and `_`, not starting with a digit' };
}

function badPattern(e: SchemaError, value: unknown, span: Diagnostic['span']): Diagnostic {
  const text = String(value);
  const what = subject(e.path);
  if (e.schemaNode.pattern === '\\S') return { code: 'schema-empty', span, message: `${what} must not be empty` };
  switch (e.schemaPointer) {
    case '/definitions/duration': {
      const hint = durationHint(text);
      return { code: 'duration-invalid', span, message: `${what} must be a duration such as \`250ms\`, \`10s\` or \`2m\`, or a number of milliseconds; got \`${text}\``, ...(hint ? { hint } : {}) };
    }
    case '/definitions/size': {
      const hint = sizeHint(text);
      return { code: 'size-invalid', span, message: `${what} must be a size such as \`64KiB\` or \`16MiB\`, or a number of bytes; got \`${text}\``, ...(hint ? { hint } : {}) };
    }
    case '/definitions/name':
    case '/definitions/varName':
      return { code: 'name-invalid', span, message: `\`${text}\` is not a valid name`, hint: 'use letters, digits and `_`, not starting with a digit' };
    case '/definitions/regex': {
      const parts = splitRegexLiteral(text);
      if (parts) {
        const flags = checkRegexFlags(parts.flags);
        if (!flags.ok) return { code: flags.code, span, message: flags.message, ...(flags.hint ? { hint: flags.hint } : {}) };
      }
      return { code: 'regex-invalid', span, message: `${what} must be a \`/regex/\`, got \`${text}\``, hint: `write it between slashes, such as \`/${text.replace(/\//g, '\\/')}/\`` };
    }
    case '/definitions/codePattern':
      return { code: 'reply-code-invalid', span, message: `\`${text}\` is not a reply code`, hint: 'a reply code is three digits, or a pattern with `x` such as `2xx` or `55x`' };
    case '/definitions/enhancedCode':
      return { code: 'enhanced-code-invalid', span, message: `${what} must be an enhanced status code such as \`5.7.0\` or \`5.7.x\` (RFC 3463); got \`${text}\`` };
    case '/definitions/hex':
      return { code: 'hex-invalid', span, message: `${what} must be pairs of hexadecimal digits, such as \`0d 0a\`; got \`${text}\`` };
    case '/definitions/base64':
      return { code: 'base64-invalid', span, message: `${what} must be base64 (RFC 4648); got \`${text}\`` };
    default:
      return { code: 'schema-invalid', span, message: `${what} is not valid: \`${text}\`` };
  }
}

function outOfRange(e: SchemaError, value: unknown, span: Diagnostic['span']): Diagnostic {
  const n = e.schemaNode;
  const what = subject(e.path);
  const got = describeValue(value, true);
  if (e.schemaPointer === '/definitions/port') return { code: 'schema-range', span, message: `${what} must be from 1 to 65535 (0 for serve: a free port), got ${got}` };
  if (e.schemaPointer === '/definitions/replyCode') return { code: 'reply-code-invalid', span, message: `${got} is not a reply code`, hint: 'reply codes go from 100 to 599' };
  if (typeof n.minimum === 'number' && typeof n.maximum === 'number') {
    return { code: 'schema-range', span, message: `${what} must be from ${n.minimum} to ${n.maximum}, got ${got}` };
  }
  const limit = e.keyword === 'minimum' ? n.minimum : n.maximum;
  return { code: 'schema-range', span, message: `${what} must be at ${e.keyword === 'minimum' ? 'least' : 'most'} ${String(limit)}, got ${got}` };
}

// ---------------------------------------------------------------------------------------
// Words

/** What a schema node expects, for "must be …". */
const NOUNS: Readonly<Record<string, string>> = {
  '/definitions/duration': 'a duration (`250ms`, `10s`, `2m`) or a number of milliseconds',
  '/definitions/size': 'a size (`64KiB`, `16MiB`) or a number of bytes',
  '/definitions/port': 'a number or a template',
  '/definitions/template': 'a string (a template)',
  '/definitions/matcher': 'a reply code, a string, a list of lines or a map of checks',
  '/definitions/step': 'a map with one action key, such as `c:` or `s:`',
  '/definitions/sendLines': 'a string or a list of strings',
  '/definitions/rawBytes': 'a string, `{hex: …}` or `{base64: …}`',
  '/definitions/dataBody': 'a string, `{file: …}` or `{text: …}`',
  '/definitions/codes': 'a reply code, a pattern such as `2xx`, or a list of them',
  '/definitions/codeOrPattern': 'a reply code or a pattern such as `2xx`',
  '/definitions/connectTls': '`true`, `false` or a map of TLS options',
  '/definitions/tlsStep': '`true` or a map of TLS options',
  '/definitions/patternList': 'a string or a list of strings',
  '/definitions/varValue': 'a string, a number or `true`/`false`',
  '/definitions/test': 'a map (`name:`, `steps:` …)',
  '/definitions/test/properties/skip': '`true` or a reason (a string)',
  '': 'a map of keys such as `name:` and `tests:`',
  '/definitions/suiteFile': 'a map of keys such as `name:` and `tests:`',
  '/definitions/fragmentFile': 'a map of keys such as `fragment:` and `steps:`',
};

const TYPE_NOUNS: Readonly<Record<string, string>> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: '`true` or `false`',
  array: 'a list',
  object: 'a map',
  null: 'empty',
};

function nounOf(schema: CompiledSchema, pointer: string, node: AnySchemaObject): string {
  const named = NOUNS[pointer];
  if (named) return named;
  const types = typesOf(schema, node);
  return orList([...new Set(types.map((t) => TYPE_NOUNS[t] ?? t))], false);
}

function describeValue(value: unknown, literal = false): string {
  const t = jsonType(value);
  if (t === 'null') return 'nothing';
  if (t === 'boolean') return `\`${String(value)}\``;
  if (literal && (t === 'string' || t === 'integer' || t === 'number')) return `\`${String(value)}\``;
  return { integer: 'a number', number: 'a number', string: 'a string', array: 'a list', object: 'a map' }[t];
}

/** How list items are named, by the key of the list. */
const ITEM_NOUNS: Readonly<Record<string, string>> = {
  tests: 'a test',
  steps: 'a step',
  tags: 'a tag',
  c: 'a line of `c`',
  lines: 'a line of `lines`',
  oneOf: 'a matcher in `oneOf`',
  code: 'a code in `code`',
  s: 'a line of `s`',
};

/** The thing a message is about, from its data path: "`port`", "a step", "the file". */
function subject(path: Path): string {
  const last = path[path.length - 1];
  if (last === undefined) return 'the file';
  if (typeof last === 'string') return `\`${last}\``;
  const parent = path[path.length - 2];
  if (typeof parent === 'string') return (Object.hasOwn(ITEM_NOUNS, parent) ? ITEM_NOUNS[parent] : undefined) ?? `an item of \`${parent}\``;
  return 'an item';
}

/** Where an unknown key was found, by the schema node that refused it. */
const CONTEXTS: Readonly<Record<string, string>> = {
  '/definitions/suiteFile': 'a spec file',
  '/definitions/fragmentFile': 'a fragment file',
  '/definitions/test': 'a test',
  '/definitions/matcherMap': 'a matcher',
  '/definitions/connectStep': 'a `connect` step',
  '/definitions/step': 'a step',
};

function contextOf(pointer: string, path: Path): string {
  if (CONTEXTS[pointer]) return CONTEXTS[pointer];
  if (pointer.startsWith('/definitions/step/oneOf/')) return 'a step';
  const last = [...path].reverse().find((s) => typeof s === 'string');
  return last === undefined ? 'the file' : `\`${last}\``;
}

/** Who needs a missing key: "a test needs `name`". */
function ownerOf(pointer: string, path: Path): string {
  const named: Record<string, string> = {
    '/definitions/suiteFile': 'a spec',
    '/definitions/fragmentFile': 'a fragment file',
    '/definitions/test': 'a test',
    '/definitions/connectStep': 'a `connect` step',
  };
  return named[pointer] ?? contextOf(pointer, path);
}

const EMPTY_MESSAGES: Readonly<Record<string, string>> = {
  '/definitions/suiteFile/properties/tests': '`tests` needs at least one test',
  '/definitions/matcherMap': 'a matcher needs at least one check',
  '/definitions/capture': '`capture` needs at least one variable',
};

const EMPTY_HINTS: Readonly<Record<string, string>> = {
  '/definitions/matcherMap': 'write `any: true` to accept any reply',
};

const REQUIRED_HINTS: Readonly<Record<string, string>> = {
  '/definitions/suiteFile tests': 'or `steps:` for a file with a single test',
  '/definitions/fragmentFile steps': 'a fragment holds the steps that `include` runs',
  '/definitions/test steps': 'write `steps: []` for a test of the connection alone',
};

const KEY_HINTS: Readonly<Record<string, string>> = {
  '/definitions/test serial': '`serial` belongs at the top of the file',
  '/definitions/test secrets': '`secrets` belongs at the top of the file',
  '/definitions/test description': '`description` belongs at the top of the file',
  '/definitions/fragmentFile name': 'a fragment is described by `fragment:`; it has no name',
  '/definitions/fragmentFile tests': 'a fragment holds `steps:` only',
};

function hintFor(table: Readonly<Record<string, string>>, pointer: string, key?: string): { hint?: string } {
  const hint = table[key === undefined ? pointer : `${pointer} ${key}`];
  return hint ? { hint } : {};
}

// ---------------------------------------------------------------------------------------

function valueAt(data: unknown, path: Path): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[String(seg)];
  }
  return cur;
}

function isUnder(path: Path, prefix: Path): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => String(s) === String(path[i]));
}

function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.span.line}:${d.span.col}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
