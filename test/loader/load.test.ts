/** The loader's entry: inputs, directories and globs, fragments, options, the result's parts. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { literalSecrets, loadSpecs } from '../../src/loader/load.js';
import { load, rendered } from './helpers.js';

const SPEC = 'name: S\nconnect: { port: 25 }\nsteps: [{ s: 220 }]\n';
const FRAGMENT = 'fragment: F\nsteps: [{ c: "HELO ${who}" }]\n';

describe('inputs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'convospec-load-'));
    const files: Record<string, string> = {
      'a.yaml': SPEC,
      'sub/b.yml': SPEC.replace('S', 'B'),
      'sub/frag.yaml': FRAGMENT,
      'sub/notes.txt': 'not yaml',
      'node_modules/x/c.yaml': 'broken: [',
      '.hidden/d.yaml': 'broken: [',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const opts = () => ({ cwd: dir, vars: {}, env: {} });

  it('recurses directories to *.yaml and *.yml, skipping node_modules and dot-directories; fragments are checked, not returned', async () => {
    const r = await loadSpecs(['.'], opts());
    expect(r.diagnostics).toEqual([]);
    expect(r.suites.map((s) => s.file)).toEqual(['a.yaml', 'sub/b.yml']);
    expect(r.fragments).toEqual(['sub/frag.yaml']);
    expect([...r.sources.keys()].sort()).toEqual(['a.yaml', 'sub/b.yml', 'sub/frag.yaml']);
  });

  it('expands globs, and reads each file once', async () => {
    const r = await loadSpecs(['**/*.yml', 'sub/b.yml', 'sub'], opts());
    expect(r.suites.map((s) => s.file)).toEqual(['sub/b.yml']);
    expect(r.fragments).toEqual(['sub/frag.yaml']);
  });

  it('reports inputs that do not exist and globs that match nothing', async () => {
    const r = await loadSpecs(['missing.yaml', 'nothing/*.yaml', 'a.yaml'], opts());
    expect(r.diagnostics.map((d) => `${d.span.file}: ${d.code}`)).toEqual(['missing.yaml: input-missing', 'nothing/*.yaml: input-no-match']);
    expect(r.suites).toHaveLength(1);
  });

  it('reads through an injected readFile', async () => {
    const r = await loadSpecs(['a.yaml'], { ...opts(), readFile: () => SPEC.replace('S', 'Injected') });
    expect(r.suites[0]?.name).toBe('Injected');
  });

  it('a fragment on its own is checked "parameters aside", but not its unknown functions', async () => {
    writeFileSync(join(dir, 'sub/frag.yaml'), 'fragment: F\nsteps: [{ c: "HELO ${who} ${nope()}" }, { use: other }]\n');
    const r = await loadSpecs(['sub/frag.yaml'], opts());
    expect(r.diagnostics.map((d) => d.code)).toEqual(['unknown-function']);
  });
});

describe('other YAML beside the specs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'convospec-other-'));
    const files: Record<string, string> = {
      'a.yaml': SPEC,
      'docker-compose.yml': 'services:\n  mail:\n    image: postfix\n    x-common: &common { restart: always }\n    <<: *common\n',
      'k8s/deploy.yaml': 'apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Service\n',
      'k8s/empty.yaml': '',
      'list.yaml': '- a\n- b\n',
      'no-steps.yaml': 'name: forgot the steps\nconnect: { port: 25 }\n',
      'typo.yaml': 'name: T\nconnect: { port: 25 }\nsteps: [{ s: 220 }]\ntimout: 5s\n',
      'broken.yaml': 'name: B\nsteps: [{ s: 220 }\n',
      'frag.yaml': 'fragment: F\nsteps: [{ c: NOOP }]\nwith: 1\n',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const opts = () => ({ cwd: dir, vars: {}, env: {} });

  it('a folder run skips YAML files without a key of a spec or fragment at the top, and checks the others strictly', async () => {
    const r = await loadSpecs(['.'], opts());
    expect(r.suites.map((x) => x.file)).toEqual(['a.yaml']);
    expect(r.skipped).toEqual(['docker-compose.yml', 'k8s/deploy.yaml', 'k8s/empty.yaml', 'list.yaml']);
    expect(r.diagnostics.map((d) => `${d.span.file}:${d.span.line}: ${d.message}`)).toEqual([
      'broken.yaml:3: not valid YAML here: deficient indentation',
      'frag.yaml:3: unknown key `with` in a fragment file',
      'no-steps.yaml:1: a spec needs `tests`',
      'typo.yaml:4: unknown key `timout` in a spec file',
    ]);
  });

  it('a file named on the command line is always checked strictly', async () => {
    const r = await loadSpecs(['docker-compose.yml', 'k8s/*.yaml'], opts());
    expect(r.skipped).toEqual(['k8s/deploy.yaml', 'k8s/empty.yaml']);
    expect(r.diagnostics.map((d) => `${d.span.file}: ${d.code}`)).toContain('docker-compose.yml: unknown-key');
  });
});

describe('options', () => {
  it('checks unset environment variables only when asked (run: yes, validate: no)', async () => {
    expect((await load(['invalid/sem-env-unset.yaml'], { checkEnv: false })).diagnostics).toEqual([]);
    expect((await load(['invalid/sem-env-unset.yaml'], { env: { CONVOSPEC_TEST_UNSET_PASSWORD: 'x' } })).diagnostics).toEqual([]);
    expect((await load(['invalid/sem-env-unset.yaml'])).diagnostics).toHaveLength(1);
  });

  it('counts only the environment\'s own names as set, not the members of a JavaScript object', async () => {
    const text = 'name: e\nconnect: { port: 25 }\nsteps: [{ c: "${env.constructor} ${env.toString}" }]\n';
    const r = await load(['e.yaml'], { env: { ...process.env }, readFile: () => text, fs: { kind: () => 'file', list: () => [] } });
    expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(['env-unset the environment variable `constructor` is not set', 'env-unset the environment variable `toString` is not set']);
  });

  it('checks a named file whose path comes from the environment only for `run` (which knows the environment)', async () => {
    const text = 'name: d\nconnect: { port: 25 }\nsteps: [{ data: { file: "${env.BODY:-missing.eml}" } }, { data: { file: "${env.BODY}" } }]\n';
    const checked: string[] = [];
    const checkFile = (path: string) => (checked.push(path), { code: 'file-missing' as const, message: 'no such file' });
    const opts = { readFile: () => text, fs: { kind: () => 'file' as const, list: () => [] }, checkFile };
    expect((await load(['d.yaml'], { ...opts, checkEnv: false })).diagnostics).toEqual([]);
    const run = await load(['d.yaml'], { ...opts, env: { BODY: 'set.eml' } });
    expect(run.diagnostics.map((d) => `${d.span.col} ${d.code} ${d.message}`)).toEqual(['25 file-missing cannot read the data file `set.eml`: no such file', '73 file-missing cannot read the data file `set.eml`: no such file']);
    expect(checked.map((p) => p.split('/').pop())).toEqual(['set.eml']);
  });

  it('looks names of a spec up among the --var values as own names only (a secret named `constructor`)', async () => {
    const text = 'name: p\nconnect: { port: 25 }\nvars: { constructor: abc, toString: def }\nsecrets: [constructor, toString]\nsteps: [{ s: 220 }, { c: "${nope}" }]\n';
    const r = await load(['p.yaml'], { readFile: () => text, fs: { kind: () => 'file', list: () => [] } });
    expect(r.secretLiterals.sort()).toEqual(['abc', 'def']);
    expect(rendered(r)).toContain('unknown variable `nope`');
  });

  it('gives the literal values of secrets, from invalid files too, and --var values of secret names', async () => {
    const r = await load(['invalid/sem-secret-redacted.yaml', 'valid/format-example.yaml'], { vars: { pass: 'from-the-command-line' } });
    expect(r.secretLiterals.sort()).toEqual(['from-the-command-line', 'hunter2', 'secret']);
    expect(literalSecrets(r)).toBe(r.secretLiterals);
    expect(rendered(r)).not.toContain('hunter2');
  });

  it('finds secrets in a file whose YAML is broken, whose lines the code frames show', async () => {
    const text = 'name: e\nconnect: { port: 25 }\nvars: { pass: hunter2, other: [unclosed }\nsecrets: [pass]\nsteps: [{ s: 220 }]\n';
    const r = await load(['broken.yaml'], { readFile: () => text, fs: { kind: () => 'file', list: () => [] } });
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.secretLiterals).toEqual(['hunter2']);
    expect(rendered(r)).toContain('pass: ***');
  });
});

describe('the file\'s connection', () => {
  const one = (text: string) => load(['f.yaml'], { readFile: () => text, fs: { kind: () => 'file', list: () => [] } });

  it('is one connection for the tests that add nothing to it, its problem said once', async () => {
    const text = 'name: c\nconnect: { port: 2525 }\ntests:\n  - { name: a, steps: [{ s: 220 }] }\n  - { name: b, steps: [{ s: 220 }] }\n';
    const r = await one(text);
    expect(r.diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.code}`)).toEqual(['2:18 protocol-missing']);
    const ok = await one(text.replace('port: 2525', 'port: 25'));
    const [a, b] = ok.suites[0]?.tests ?? [];
    expect(a?.connect).toBeDefined();
    expect(b?.connect).toBe(a?.connect);
  });

  it('is merged anew for a test with a `connect` or `tls` of its own', async () => {
    const text = 'name: c\nconnect: { port: 25 }\ntests:\n  - { name: a, steps: [{ s: 220 }] }\n  - { name: b, connect: { host: mx.test }, steps: [{ s: 220 }] }\n  - { name: c, tls: { verify: false }, steps: [{ s: 220 }] }\n';
    const [a, b, c] = (await one(text)).suites[0]?.tests ?? [];
    expect(a?.connect?.host.source).toBe('127.0.0.1');
    expect(b?.connect?.host.source).toBe('mx.test');
    expect(c?.connect).not.toBe(a?.connect);
    expect(c?.connect).toEqual(a?.connect);
  });
});

describe('every error in one pass', () => {
  it('a file with nine distinct mistakes, three of them in keys of the file or a test, yields nine diagnostics', async () => {
    const r = await load(['invalid/schema-file-keys-then-the-rest.yaml']);
    expect(r.diagnostics.map((d) => `${d.span.line}:${d.span.col}`)).toEqual(['2:10', '3:1', '8:12', '9:23', '10:26', '12:5', '14:12', '15:16', '16:15']);
  });

  it('a problem in `connect`, `tls` or `vars` of the file still hides the file\'s later checks', async () => {
    const text = 'name: c\nconnect: { port: 25, protocl: smtp }\nsteps: [{ c: "${nope}" }]\n';
    const r = await load(['c.yaml'], { readFile: () => text, fs: { kind: () => 'file', list: () => [] } });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['unknown-key']);
  });
});

describe('fragments through includes', () => {
  it('shows a problem inside a fragment once, with where it was included from', async () => {
    const r = await load(['invalid/sem-fragment-error.yaml', 'invalid/sem-fragment-error.yaml']);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]?.includedFrom?.map((s) => `${s.file}:${s.line}`)).toEqual(['invalid/sem-fragment-error.yaml:5']);
  });

  it('a fragment that is also an input shows its own problems without an include trail', async () => {
    const r = await load(['invalid/sem-fragment-broken.yaml', 'fragments/broken-schema.yaml']);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]?.includedFrom).toBeUndefined();
  });

  it('says a spec is not a fragment even after loading it as a spec', async () => {
    const r = await load(['fragments/not-a-fragment.yaml', 'invalid/sem-include-not-fragment.yaml']);
    expect(r.suites.map((x) => x.file)).toEqual(['fragments/not-a-fragment.yaml']);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['include-not-fragment']);
  });

  it('reports a cycle once, whichever file it is reached from', async () => {
    const r = await load(['fragments/cycle-a.yaml', 'fragments/cycle-b.yaml', 'invalid/sem-include-cycle.yaml']);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['include-cycle']);
    expect(r.suites).toEqual([]);
  });

  it('every fixture directory loads in one pass with every problem of every file', async () => {
    const r = await load(['invalid', 'valid', 'fragments']);
    const files = new Set(r.diagnostics.map((d) => d.span.file));
    // In input order: the valid fixtures, then the spec that sem-include-not-fragment includes.
    const valid = (await load(['valid'])).suites.map((x) => x.file);
    expect(r.suites.map((x) => x.file)).toEqual([...valid, 'fragments/not-a-fragment.yaml']);
    expect([...files].filter((f) => f.startsWith('invalid/')).length).toBeGreaterThan(100);
    // Sorted by file, then line and column.
    const keys = r.diagnostics.map((d) => [d.span.file, d.span.line, d.span.col] as const);
    const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2]));
    expect(keys).toEqual(sorted);
  });
});
