/**
 * Diagnostic codes are data tests and tools rely on: every code the loader can give is
 * listed in docs/diagnostics.md (and the page lists no other), and every one is really
 * produced: by the invalid fixtures (their goldens show it), or, for what a fixture file
 * cannot hold (a missing input, an unreadable file, 10,000 includes, a warning of a valid
 * file), by a case built here.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnySchemaObject } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, type Diagnostic, type DiagnosticCode } from '../../src/kernel/diagnostic.js';
import { FILE_LIMITS } from '../../src/loader/bounded-file.js';
import { loadSpecs, type LoadOptions } from '../../src/loader/load.js';
import { rootNode } from '../../src/loader/nodes.js';
import { CompiledSchema } from '../../src/loader/schema.js';
import { explainSchemaErrors } from '../../src/loader/schema-errors.js';
import { SourceFile } from '../../src/loader/source.js';
import { parseYaml } from '../../src/loader/yaml.js';
import { checkServable } from '../../src/serve/index.js';
import { FIXTURES, load } from './helpers.js';

const page = readFileSync(new URL('../../docs/diagnostics.md', import.meta.url), 'utf8');
const documented = [...page.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);

/** One file, read through the loader's seams (no disk). */
function oneFile(read: () => string): Promise<Diagnostic[]> {
  const fs = { kind: () => 'file' as const, list: () => [] };
  return load(['a.yaml'], { readFile: read, fs }).then((r) => r.diagnostics);
}

const systemError = (code: string) => (): never => {
  throw Object.assign(new Error(`${code}: injected`), { code });
};

let dir: string;

/** Files in a folder of their own, loaded from there; warnings too. */
async function inFolder(files: Record<string, string>, input: string, options: Partial<LoadOptions> = {}): Promise<Diagnostic[]> {
  const sub = mkdtempSync(join(dir, 'case-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(sub, name), text);
  const r = await loadSpecs([input], { cwd: sub, vars: {}, env: {}, ...options });
  return [...r.diagnostics, ...r.warnings];
}

const fragment = (steps: string[]): string => `fragment: part\nsteps:\n${steps.map((s) => `  - ${s}\n`).join('')}`;

/** The codes no invalid fixture can produce, each from a case of its own. */
const ELSEWHERE: Partial<Record<DiagnosticCode, () => Promise<Diagnostic[]>>> = {
  // serve's own check, after the loader (src/serve/check.ts).
  'serve-unsendable': async () => {
    const sub = mkdtempSync(join(dir, 'case-'));
    writeFileSync(join(sub, 'spec.yaml'), "name: s\nconnect: { port: 0, protocol: smtp }\nsteps:\n  - s: '/^220/'\n");
    return checkServable((await loadSpecs(['spec.yaml'], { cwd: sub, vars: {}, env: {} })).suites);
  },
  'input-missing': () => load(['invalid/no-such-file.yaml']).then((r) => r.diagnostics),
  'input-no-match': () => load(['no-such-folder/*.yaml']).then((r) => r.diagnostics),
  'file-denied': () => oneFile(systemError('EACCES')),
  'file-unreadable': () => oneFile(systemError('EIO')),
  'file-too-large': () => oneFile(() => 'x'.repeat(FILE_LIMITS.spec + 1)),
  'include-too-deep': () => {
    const files: Record<string, string> = { 'f18.yaml': fragment(['c: NOOP']) };
    for (let i = 0; i < 18; i += 1) files[`f${i}.yaml`] = fragment([`include: f${i + 1}.yaml`]);
    files['spec.yaml'] = 'name: deep\nconnect: { port: 25 }\nsteps:\n  - include: f0.yaml\n';
    return inFolder(files, 'spec.yaml');
  },
  'include-too-many': () => {
    const hundred = (what: string): string[] => Array.from({ length: 101 }, () => `include: ${what}`);
    const files = {
      'leaf.yaml': fragment(['c: NOOP']),
      'mid.yaml': fragment(hundred('leaf.yaml')),
      'spec.yaml': `name: many\nconnect: { port: 25 }\nsteps:\n${hundred('mid.yaml').map((s) => `  - ${s}\n`).join('')}`,
    };
    return inFolder(files, 'spec.yaml');
  },
  'schema-invalid': () => {
    // No keyword of convospec's schema lacks its own words; one that did would still be told.
    const schema = new CompiledSchema({ $id: 'test:max', type: 'object', properties: { name: { type: 'string', maxLength: 3 } } } as AnySchemaObject);
    const src = new SourceFile('/a.yaml', 'a.yaml', '/', 'name: longer\n');
    const yaml = parseYaml(src);
    if (!yaml.ok) throw new Error('the probe is valid YAML');
    return Promise.resolve(explainSchemaErrors(schema, rootNode(src, yaml.tree), yaml.data));
  },
  'secret-short': () => inFolder({ 'spec.yaml': 'name: s\nconnect: { port: 25 }\nvars: { pass: x }\nsecrets: [pass]\nsteps:\n  - c: NOOP ${pass}\n' }, 'spec.yaml'),
  'secret-counter': () => inFolder({ 'spec.yaml': 'name: s\nconnect: { port: 25 }\nsecrets: [i]\nsteps:\n  - repeat: { times: 2, as: i, steps: [ { c: NOOP } ] }\n' }, 'spec.yaml'),
};

describe('diagnostic codes', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'convospec-codes-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are each documented in docs/diagnostics.md, which lists no other', () => {
    expect([...documented].sort()).toEqual([...DIAGNOSTIC_CODES].sort());
  });

  it('are each produced by an invalid fixture, or by the case that stands for it', async () => {
    const produced = new Set<DiagnosticCode>();
    const fixtures = readdirSync(join(FIXTURES, 'invalid')).filter((f) => f.endsWith('.yaml'));
    for (const file of fixtures) for (const d of (await load([`invalid/${file}`])).diagnostics) produced.add(d.code);
    for (const [code, make] of Object.entries(ELSEWHERE)) {
      expect(produced.has(code as DiagnosticCode), `${code} has a fixture now: drop its case here`).toBe(false);
      expect((await make()).map((d) => d.code), code).toContain(code);
      produced.add(code as DiagnosticCode);
    }
    expect(DIAGNOSTIC_CODES.filter((c) => !produced.has(c))).toEqual([]);
  });
});
