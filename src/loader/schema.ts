/**
 * Stage 2: the JSON Schema check. The schema (`schemas/convospec.schema.json`) is the
 * single source of truth for the shape of a spec. Valid or not is decided by the
 * validator generated from it ahead of time (`schema-validator.generated.ts`: no compile
 * at run time). Only for a file that fails is the schema compiled with full error detail,
 * once per process, and `schema-errors.ts` turns those errors into one clear message per
 * problem at the YAML node concerned.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as AjvModule from 'ajv';
import type { Ajv, AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv';
import { FAST_OPTIONS } from './schema-options.js';
import { validate as generatedValidate } from './schema-validator.generated.js';

/** Does the data of a spec file have the shape the schema asks for? Fast: no compile. */
export function matchesSchema(data: unknown): boolean {
  return (generatedValidate as (data: unknown) => boolean)(data);
}

const SCHEMA_FILE = join('schemas', 'convospec.schema.json');

/**
 * Absolute path of the schema. Found upward from this module, so it works from `src/loader`
 * (tests), `dist/spec` (the package: `schemas/` ships beside `dist/`) and other build dirs.
 */
export function schemaPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up += 1) {
    const candidate = join(dir, SCHEMA_FILE);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`convospec: ${SCHEMA_FILE} not found above ${fileURLToPath(import.meta.url)} (broken install?)`);
}

/** One ajv error, with the JSON pointer of the schema node that raised it. */
export interface SchemaError {
  readonly path: readonly (string | number)[];
  readonly schemaPointer: string;
  readonly schemaNode: AnySchemaObject;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  /** Set by ajv for errors about a property name (inside `propertyNames`). */
  readonly propertyName?: string;
}

/** The compiled schema, and validators for any of its sub-schemas (for oneOf branches). */
export class CompiledSchema {
  readonly root: AnySchemaObject;
  private readonly ajv: Ajv;
  private readonly pointers = new WeakMap<object, string>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(schema: AnySchemaObject) {
    this.root = schema;
    // verbose: errors carry their schema node, which `pointers` maps back to where it
    // stands; this is how a oneOf branch is told apart reliably.
    // Only explanations run this, so compile quickly rather than run quickly: no
    // meta-schema check (the generated validator's test does that) and no code
    // optimisation, which together save most of a second.
    // ajv itself is loaded only now: a run over valid specs never needs it.
    const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof AjvModule;
    this.ajv = new AjvClass({ ...FAST_OPTIONS, allErrors: true, verbose: true, validateSchema: false, code: { optimize: false } });
    this.ajv.addSchema(schema);
    indexPointers(schema, '', this.pointers);
  }

  get id(): string {
    return String(this.root.$id);
  }

  /** Validate `data` against the schema node at `pointer` (`''` = the whole schema). */
  validate(data: unknown, pointer = ''): SchemaError[] {
    const validate = this.validator(pointer);
    if (validate(data)) return [];
    return (validate.errors ?? []).map((e) => this.toSchemaError(e));
  }

  /** The schema node at a JSON pointer, following nothing. */
  node(pointer: string): AnySchemaObject | undefined {
    let cur: unknown = this.root;
    for (const seg of pointer.split('/').slice(1)) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[seg];
    }
    return cur !== null && typeof cur === 'object' ? (cur as AnySchemaObject) : undefined;
  }

  /** Follow `$ref` chains to the schema node that does the work. */
  resolve(node: AnySchemaObject): AnySchemaObject {
    let cur = node;
    for (let hops = 0; typeof cur.$ref === 'string' && hops < 16; hops += 1) {
      const target = this.node(String(cur.$ref).replace(/^#/, ''));
      if (!target) break;
      cur = target;
    }
    return cur;
  }

  pointerOf(node: AnySchemaObject): string | undefined {
    return this.pointers.get(node);
  }

  private validator(pointer: string): ValidateFunction {
    let v = this.validators.get(pointer);
    if (!v) {
      v = pointer === '' ? this.ajv.getSchema(this.id) : this.ajv.getSchema(`${this.id}#${pointer}`);
      if (!v) throw new Error(`convospec: no schema node at ${pointer}`);
      this.validators.set(pointer, v);
    }
    return v;
  }

  private toSchemaError(e: ErrorObject): SchemaError {
    const schemaNode = (e.parentSchema ?? {}) as AnySchemaObject;
    return {
      path: e.instancePath === '' ? [] : e.instancePath.slice(1).split('/').map(unescapePointer),
      schemaPointer: this.pointers.get(schemaNode) ?? '?',
      schemaNode,
      keyword: e.keyword,
      params: e.params as Record<string, unknown>,
      ...(typeof e.propertyName === 'string' ? { propertyName: e.propertyName } : {}),
    };
  }
}

function indexPointers(node: unknown, pointer: string, out: WeakMap<object, string>): void {
  if (node === null || typeof node !== 'object') return;
  out.set(node, pointer);
  for (const [key, child] of Object.entries(node)) indexPointers(child, `${pointer}/${key}`, out);
}

function unescapePointer(segment: string): string | number {
  const s = segment.replace(/~1/g, '/').replace(/~0/g, '~');
  return /^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s;
}

let shared: CompiledSchema | undefined;

/**
 * The schema with full error detail, compiled on first use (a file failed) and kept for
 * the process: compiling costs far more than validating, and the schema never changes
 * while we run.
 */
export function compiledSchema(): CompiledSchema {
  shared ??= new CompiledSchema(JSON.parse(readFileSync(schemaPath(), 'utf8')) as AnySchemaObject);
  return shared;
}
