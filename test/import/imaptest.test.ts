/**
 * `convospec import --from imaptest`: golden specs for a selection of imaptest's upstream
 * scripts (test/fixtures/imaptest, MIT), and every upstream script imported: each either
 * becomes a spec of the expected shape, which the loader accepts once each `imap:` matcher
 * is stood in for by one that binds the same variables, or is reported with its file:line.
 * UPDATE_GOLDEN=1 rewrites the expected files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importImaptest, isScriptName, type ScriptResult } from '../../src/import/imaptest/index.js';
import { builtCli, ROOT } from '../helpers/build.js';
import { loadYaml } from './helpers.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'imaptest');
const EXPECTED = join(FIXTURES, 'expected');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
/** The upstream scripts: shared/ beside the repository (CI) or beside the worktrees' folder. */
const UPSTREAM = [join(ROOT, '..', 'shared', 'imaptest-scripts'), join(ROOT, '..', '..', 'shared', 'imaptest-scripts')].find((d) => existsSync(d));
const ENV = { MAIL_USER: 'alice@convospec.test', MAIL_PASS: 'from-the-environment' };

function importFrom(dir: string, name: string): ScriptResult {
  const read = (file: string): string | undefined => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : undefined);
  return importImaptest({ name, text: read(name) ?? '', mbox: read(`${name}.mbox`) ?? read('default.mbox') }, {});
}

function golden(path: string, actual: string): void {
  if (UPDATE || !existsSync(path)) {
    mkdirSync(EXPECTED, { recursive: true });
    writeFileSync(path, actual);
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

type Step = Record<string, unknown>;
interface Doc {
  name: string;
  tags: string[];
  connect: Record<string, unknown>;
  vars: Record<string, string>;
  secrets: string[];
  steps: Step[];
}

/** imaptest's own names: predefined, `$` alone, `$!directives`, `$n` sequences. */
const NOT_BOUND = new Set(['mailbox', 'user', 'password']);

/** Each `s: { imap }` becomes `{ any: true }` capturing the variables its patterns bind. */
function standIn(doc: Doc): Doc {
  const steps = doc.steps.map((step) => {
    const s = step.s as { imap?: { untagged?: string[]; tagged?: unknown } } | undefined;
    if (s?.imap === undefined) return step;
    const names = new Set<string>();
    for (const pattern of s.imap.untagged ?? []) {
      for (const m of pattern.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) if (!NOT_BOUND.has(m[1] as string)) names.add(m[1] as string);
    }
    const capture = Object.fromEntries([...names].map((n) => [n, '/(.*)/']));
    return { s: names.size > 0 ? { any: true, capture } : { any: true } };
  });
  return { ...doc, steps };
}

async function expectShape(result: ScriptResult): Promise<void> {
  const yaml = result.yaml as string;
  const doc = parse(yaml) as Doc;
  expect(doc.name).toBe(`imaptest ${result.name}`);
  expect(doc.tags[0]).toBe('imaptest');
  expect(doc.connect).toMatchObject({ host: '${env.MAIL_HOST:-127.0.0.1}', port: '${env.IMAP_PORT:-143}', protocol: 'imap' });
  expect(doc.vars).toEqual({ mailbox: '${env.IMAPTEST_MAILBOX:-imaptest}', user: '${env.MAIL_USER}', pass: '${env.MAIL_PASS}' });
  expect(doc.secrets).toEqual(['pass']);
  for (const step of doc.steps) {
    const imap = (step.s as { imap?: Record<string, unknown> } | undefined)?.imap;
    if (imap === undefined) continue;
    expect(Object.keys(imap).every((k) => ['untagged', 'forbid', 'extra', 'tagged'].includes(k))).toBe(true);
    const tagged = imap.tagged;
    const completions = typeof tagged === 'string' ? [tagged] : Object.values(tagged as Record<string, string>);
    for (const c of completions) expect(c).toMatch(/^(any|(OK|NO|BAD)( .*)?)$/);
  }
  const loaded = await loadYaml(new (await import('yaml')).Document(standIn(doc)).toString(), ENV);
  expect(loaded.diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.message}`), yaml).toEqual([]);
}

describe('imaptest golden files', () => {
  const scripts = readdirSync(FIXTURES).filter(isScriptName).sort();
  it('has the selection', () => {
    expect(scripts).toEqual(['append', 'append-binary', 'catenate', 'fetch', 'pipeline', 'pipeline-connections', 'search-context-update', 'select']);
  });
  for (const name of scripts) {
    it(name, async () => {
      const result = importFrom(FIXTURES, name);
      const problems = result.problems.map((p) => `${name}:${p.line}: ${p.message}\n`).join('');
      if (result.yaml === undefined) golden(join(EXPECTED, `${name}.problems.txt`), problems);
      else {
        expect(problems).toBe('');
        golden(join(EXPECTED, `${name}.yaml`), result.yaml);
        await expectShape(result);
      }
    });
  }
});

describe('every upstream imaptest script', () => {
  it('is there', () => {
    expect(UPSTREAM, 'shared/imaptest-scripts beside the repository').toBeDefined();
    expect(readdirSync(UPSTREAM as string).filter(isScriptName)).toHaveLength(72);
  });
  const names = UPSTREAM === undefined ? [] : readdirSync(UPSTREAM).filter(isScriptName).sort();
  for (const name of names) {
    it(`${name}: a spec of the expected shape, or what it cannot express by line`, async () => {
      const result = importFrom(UPSTREAM as string, name);
      if (result.yaml === undefined) {
        expect(result.problems.length).toBeGreaterThan(0);
        for (const p of result.problems) expect(p.line).toBeGreaterThan(0);
      } else await expectShape(result);
    });
  }
});

describe('convospec import --from imaptest', () => {
  const out = mkdtempSync(join(tmpdir(), 'convospec-imaptest-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes one spec per script, names what it cannot express by file:line, and sums up (exit 1)', () => {
    const run = spawnSync(process.execPath, [builtCli(), 'import', '--from', 'imaptest', 'test/fixtures/imaptest', '-o', out], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toContain('test/fixtures/imaptest/append-binary:4: not expressible: a literal with NUL or non-UTF-8 bytes');
    expect(run.stderr).toContain('test/fixtures/imaptest/catenate:43: not expressible: $mailbox_url (the mailbox\'s IMAP URL) has no convospec equivalent\ntest/fixtures/imaptest/catenate:48:');
    expect(run.stderr).toContain('imaptest: 6 written to');
    expect(run.stderr).toContain('2 not expressible');
    expect(run.status).toBe(1);
    expect(readdirSync(out).sort()).toEqual(['append.yaml', 'fetch.yaml', 'pipeline-connections.yaml', 'pipeline.yaml', 'search-context-update.yaml', 'select.yaml']);
    expect(readFileSync(join(out, 'select.yaml'), 'utf8')).toBe(readFileSync(join(EXPECTED, 'select.yaml'), 'utf8'));
  });

  it('needs -o DIR (exit 2)', () => {
    const run = spawnSync(process.execPath, [builtCli(), 'import', '--from', 'imaptest', 'test/fixtures/imaptest'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toContain('--from imaptest needs -o DIR');
    expect(run.status).toBe(2);
  });
});
