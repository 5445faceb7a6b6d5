/**
 * The schema on its own: it rejects every structurally invalid fixture (fed to a fresh
 * ajv, not through the loader), accepts the fixtures whose problems are semantic, is
 * closed at every level, describes every property, and the validator generated from it
 * is up to date.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type AnySchemaObject } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { schemaText, validatorSource } from '../../src/loader/schema-codegen.js';
import { matchesSchema, schemaPath } from '../../src/loader/schema.js';
import { FIXTURES } from './helpers.js';

const schema = JSON.parse(readFileSync(schemaPath(), 'utf8')) as AnySchemaObject;
const ajv = new Ajv({ allowUnionTypes: true, strictRequired: false });
const validate = ajv.compile(schema);

function fixtures(dir: string, prefix: string): string[] {
  return readdirSync(join(FIXTURES, dir)).filter((f) => f.startsWith(prefix) && f.endsWith('.yaml')).sort();
}

function data(path: string): unknown {
  return parse(readFileSync(join(FIXTURES, path), 'utf8')) as unknown;
}

describe('the schema alone', () => {
  const structural = fixtures('invalid', 'schema-');
  it('has structural fixtures', () => expect(structural.length).toBeGreaterThan(40));
  for (const file of structural) {
    it(`rejects invalid/${file}`, () => {
      expect(validate(data(`invalid/${file}`))).toBe(false);
      expect(matchesSchema(data(`invalid/${file}`))).toBe(false);
    });
  }
  // Their problems are for the loader's later stages: the schema must let them through.
  for (const file of fixtures('invalid', 'sem-')) {
    it(`accepts the shape of invalid/${file}`, () => {
      expect(validate(data(`invalid/${file}`)), JSON.stringify(validate.errors)).toBe(true);
    });
  }
  for (const file of [...fixtures('valid', ''), ...fixtures('fragments', '').map((f) => `../fragments/${f}`)]) {
    if (file.includes('broken-schema')) continue;
    it(`accepts valid/${file}`, () => {
      expect(validate(data(`valid/${file}`)), JSON.stringify(validate.errors)).toBe(true);
    });
  }
});

describe('the schema itself', () => {
  it('is draft-07 with an $id', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe('https://convospec.dev/schemas/convospec.schema.json');
  });

  it('has a description on every property and every definition', () => {
    const missing: string[] = [];
    walk(schema, '', (node, pointer) => {
      for (const [key, prop] of Object.entries((node.properties ?? {}) as Record<string, AnySchemaObject>)) {
        if (typeof prop.description !== 'string' || prop.description.trim() === '') missing.push(`${pointer}/properties/${key}`);
      }
    });
    for (const [name, def] of Object.entries((schema.definitions ?? {}) as Record<string, AnySchemaObject>)) {
      if (typeof def.description !== 'string') missing.push(`/definitions/${name}`);
    }
    expect(missing).toEqual([]);
  });

  it('is closed at every level: every map says what else it allows', () => {
    const open: string[] = [];
    walk(schema, '', (node, pointer) => {
      const isMap = node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'));
      if (isMap && node.additionalProperties === undefined) open.push(pointer);
    });
    // The root is closed by its branches: a fragment file or a suite file, each closed.
    expect(open).toEqual(['']);
    expect(schema.then).toEqual({ $ref: '#/definitions/fragmentFile' });
    expect(schema.else).toEqual({ $ref: '#/definitions/suiteFile' });
  });
});

describe('the generated files', () => {
  it('the schema lists the registry\'s protocols (UPDATE_GENERATED=1 rewrites it)', () => {
    const fresh = schemaText(schema);
    if (process.env.UPDATE_GENERATED === '1') writeFileSync(schemaPath(), fresh);
    expect(readFileSync(schemaPath(), 'utf8') === fresh, 'stale: run UPDATE_GENERATED=1 npx vitest run test/loader/schema.test.ts').toBe(true);
  });

  it('the validator matches the schema (UPDATE_GENERATED=1 rewrites it)', () => {
    const path = new URL('../../src/loader/schema-validator.generated.ts', import.meta.url);
    const fresh = validatorSource(JSON.parse(schemaText(schema)) as AnySchemaObject);
    if (process.env.UPDATE_GENERATED === '1') writeFileSync(path, fresh);
    expect(readFileSync(path, 'utf8') === fresh, 'stale: run UPDATE_GENERATED=1 npx vitest run test/loader/schema.test.ts').toBe(true);
  });
});

function walk(node: unknown, pointer: string, visit: (node: AnySchemaObject, pointer: string) => void): void {
  if (node === null || typeof node !== 'object') return;
  if (!Array.isArray(node)) visit(node as AnySchemaObject, pointer);
  for (const [key, child] of Object.entries(node)) walk(child, `${pointer}/${key}`, visit);
}
