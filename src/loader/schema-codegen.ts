/**
 * Generates what is derived from the schema and the protocol registry: the protocol enum of
 * `schemas/convospec.schema.json` (`schemaText`), from the registry, the one list of
 * protocols; and `schema-validator.generated.ts`: the schema compiled ahead of time with ajv's
 * standalone code, so loading specs does not pay ajv's compile (half a second or more)
 * on every run. It only says valid or not; explaining an invalid file compiles the
 * schema for real (`schema.ts`), which is fine since a person is about to read errors.
 * `test/loader/schema.test.ts` checks that both files are up to date, and rewrites them
 * when run with UPDATE_GENERATED=1.
 */
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { PROTOCOL_NAMES } from '../protocol/registry.js';
import { FAST_OPTIONS } from './schema-options.js';

type StandaloneCode = (ajv: Ajv, validate: ValidateFunction) => string;
// A CommonJS module whose `module.exports` is the function, while its types say `default`.
const loaded = standalone as unknown as StandaloneCode | { default: StandaloneCode };
const standaloneCode: StandaloneCode = typeof loaded === 'function' ? loaded : loaded.default;


const HEADER = [
  '/* eslint-disable */',
  '// @ts-nocheck',
  '// GENERATED from schemas/convospec.schema.json by src/loader/schema-codegen.ts. Do not edit:',
  '// run `UPDATE_GENERATED=1 npx vitest run test/loader/schema.test.ts` after changing the schema.',
  '',
].join('\n');

/** The schema's text with `definitions.protocol` listing the registry's protocols, in its order. */
export function schemaText(schema: AnySchemaObject): string {
  const definitions = (schema.definitions ?? {}) as Record<string, AnySchemaObject>;
  const protocol = { ...definitions.protocol, enum: [...PROTOCOL_NAMES] };
  return `${JSON.stringify({ ...schema, definitions: { ...definitions, protocol } }, null, 2)}\n`;
}

export function validatorSource(schema: AnySchemaObject): string {
  // messages: false: this validator only says yes or no, so its error texts would be dead
  // code that every start-up still has to parse.
  const ajv = new Ajv({ ...FAST_OPTIONS, messages: false, code: { source: true, esm: true } });
  const validate = ajv.compile(withoutAnnotations(schema) as AnySchemaObject);
  const code = standaloneCode(ajv, validate);
  if (/\brequire\(/.test(code)) throw new Error('standalone validator needs a runtime require(); avoid the keyword that causes it');
  return `${HEADER}${code}\n`;
}

/**
 * Annotation keywords (draft-07 §10) do not take part in validation, but ajv's standalone
 * code embeds the schema objects it refers to, descriptions and all: about a sixth of the
 * generated file. The explaining validator (`schema.ts`) keeps them; this one drops them.
 */
const ANNOTATIONS = new Set(['title', 'description', '$comment', 'examples', 'default', 'readOnly', 'writeOnly']);

/** Keywords whose value is a schema, an array of schemas, or a map of name → schema. */
const SUBSCHEMA = new Set(['items', 'additionalItems', 'contains', 'additionalProperties', 'propertyNames', 'not', 'if', 'then', 'else']);
const SUBSCHEMA_LISTS = new Set(['items', 'allOf', 'anyOf', 'oneOf']);
const SUBSCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', 'dependencies']);

export function withoutAnnotations(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key)) continue;
    if (SUBSCHEMA_LISTS.has(key) && Array.isArray(value)) out[key] = value.map(withoutAnnotations);
    else if (SUBSCHEMA.has(key)) out[key] = withoutAnnotations(value);
    else if (SUBSCHEMA_MAPS.has(key) && typeof value === 'object' && value !== null) {
      // The keys here are property or definition names (a property may be called
      // `description`): only the values are schemas.
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, Array.isArray(sub) ? sub : withoutAnnotations(sub)]));
    } else out[key] = value;
  }
  return out;
}
