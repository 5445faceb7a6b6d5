/**
 * Generates `schema-validator.generated.ts`: the schema compiled ahead of time with ajv's
 * standalone code, so loading specs does not pay ajv's compile (half a second or more)
 * on every run. It only says valid or not; explaining an invalid file compiles the
 * schema for real (`schema.ts`), which is fine since a person is about to read errors.
 * `test/spec/schema.test.ts` checks that the file matches the schema, and
 * rewrites it when run with UPDATE_GENERATED=1.
 */
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { FAST_OPTIONS } from './schema-options.js';

type StandaloneCode = (ajv: Ajv, validate: ValidateFunction) => string;
// A CommonJS module whose `module.exports` is the function, while its types say `default`.
const loaded = standalone as unknown as StandaloneCode | { default: StandaloneCode };
const standaloneCode: StandaloneCode = typeof loaded === 'function' ? loaded : loaded.default;


const HEADER = [
  '/* eslint-disable */',
  '// @ts-nocheck',
  '// GENERATED from schemas/convospec.schema.json by src/spec/schema-codegen.ts. Do not edit:',
  '// run `UPDATE_GENERATED=1 npx vitest run test/spec/schema.test.ts` after changing the schema.',
  '',
].join('\n');

export function validatorSource(schema: AnySchemaObject): string {
  const ajv = new Ajv({ ...FAST_OPTIONS, code: { source: true, esm: true } });
  const validate = ajv.compile(schema);
  const code = standaloneCode(ajv, validate);
  if (/\brequire\(/.test(code)) throw new Error('standalone validator needs a runtime require(); avoid the keyword that causes it');
  return `${HEADER}${code}\n`;
}
