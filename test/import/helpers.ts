/**
 * Helpers for the import tests: load an imported spec with the project's loader (from
 * memory), read its steps back as plain data, and evaluate what its `c:`/`data:` steps send.
 */
import { expect } from 'vitest';
import { parse } from 'yaml';
import { importTranscript, type ImportOptions, type ImportResult } from '../../src/import/index.js';
import { loadSpecs, type LoadResult } from '../../src/loader/load.js';
import type { Suite } from '../../src/kernel/model.js';
import { evaluate, type Scope, type Value } from '../../src/template/index.js';

export const ENV: Readonly<Record<string, string>> = { MAIL_PASS: 'from-the-environment' };

export async function loadYaml(yaml: string, env: Readonly<Record<string, string | undefined>> = ENV): Promise<LoadResult> {
  const path = '/virtual/imported.yaml';
  return loadSpecs([path], {
    cwd: '/virtual',
    vars: {},
    env,
    readFile: () => yaml,
    fs: { kind: (p) => (p === path ? 'file' : undefined), list: () => [] },
  });
}

/** Imports, checks the result is a valid spec, and returns it with its steps as plain data. */
export async function importValid(
  text: string,
  options: ImportOptions = {},
  env: Readonly<Record<string, string | undefined>> = ENV,
): Promise<ImportResult & { doc: SpecDoc; suite: Suite }> {
  const result = importTranscript(text, options);
  const loaded = await loadYaml(result.yaml, env);
  expect(loaded.diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.message}`), result.yaml).toEqual([]);
  const suite = loaded.suites[0];
  if (!suite) throw new Error(`no suite in:\n${result.yaml}`);
  return { ...result, doc: parse(result.yaml) as SpecDoc, suite };
}

export interface SpecDoc {
  name: string;
  connect?: Record<string, unknown>;
  vars?: Record<string, string>;
  secrets?: string[];
  tests: { name: string; connect?: Record<string, unknown>; steps: Record<string, unknown>[] }[];
}

export function steps(doc: SpecDoc, test = 0): Record<string, unknown>[] {
  return doc.tests[test]?.steps ?? [];
}

/** The lines a test sends (`c:` lines, and `data:` bodies as the text given), evaluated. */
export function sentLines(suite: Suite, env: Readonly<Record<string, string | undefined>>, test = 0): string[] {
  const vars = new Map<string, Value>();
  const scope: Scope = { vars, env, now: () => new Date(0), randomBytes: (n) => Buffer.alloc(n) };
  for (const v of suite.vars) vars.set(v.name, evaluate(v.value, scope));
  const out: string[] = [];
  for (const step of suite.tests[test]?.steps ?? []) {
    if (step.kind === 'c') out.push(...step.lines.map((t) => evaluate(t, scope).text));
    if (step.kind === 'data' && step.body.kind === 'text') out.push(evaluate(step.body.value, scope).text);
  }
  return out;
}
