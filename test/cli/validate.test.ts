/**
 * `convospec validate` checks files one by one and keeps only diagnostics and the lines
 * they point at, so memory stays flat. Its output must stay what it was when every file was loaded
 * whole: `reference` below is that former command, over `loadSpecs`.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateCommand } from '../../src/cli/commands/validate.js';
import { EXIT, useColor, type Io } from '../../src/cli/io.js';
import { parseVars } from '../../src/cli/flags.js';
import { loadEach, loadSpecs } from '../../src/loader/load.js';
import { renderDiagnostics } from '../../src/loader/render.js';
import { fileRedactor } from '../../src/loader/secrets.js';
import { FIXTURES } from '../loader/helpers.js';

interface Out {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

type Command = (paths: string[], flags: { var: string[] }, io: Io) => Promise<number>;

/** `validate` as it was before streaming: the whole load result, then the same rendering. */
async function reference(paths: string[], flags: { var: string[] }, io: Io): Promise<number> {
  const loaded = await loadSpecs(paths, { cwd: io.cwd, vars: parseVars(flags.var), env: io.env, checkEnv: false });
  for (const display of loaded.skipped) io.stdout.write(`skipped (not a spec): ${display}\n`);
  const files = loaded.sources.size - loaded.skipped.length;
  if (files === 0) {
    io.stderr.write(`convospec: no spec found in ${paths.join(', ')}\n`);
    return EXIT.invalid;
  }
  if (loaded.diagnostics.length === 0) {
    // Fragments reached by an include count too (`files` minus specs), as the command does.
    const fragments = files - loaded.suites.length;
    io.stdout.write(`${files} file${files === 1 ? '' : 's'} valid (${loaded.suites.length} spec${loaded.suites.length === 1 ? '' : 's'}, ${fragments} fragment${fragments === 1 ? '' : 's'})\n`);
    return EXIT.ok;
  }
  const shown = loaded.diagnostics.flatMap((d) => [d.span.file, ...(d.includedFrom ?? []).map((s) => s.file)]);
  const redact = fileRedactor(loaded.secretLiteralsByFile, shown);
  io.stderr.write(renderDiagnostics(loaded.diagnostics, loaded.sources, { color: useColor(io), redact }));
  const bad = new Set(loaded.diagnostics.map((d) => d.span.file)).size;
  io.stderr.write(`\n${loaded.diagnostics.length} error${loaded.diagnostics.length === 1 ? '' : 's'} in ${bad} of ${files} file${files === 1 ? '' : 's'}\n`);
  return EXIT.invalid;
}

async function call(command: Command, cwd: string, paths: string[], vars: string[] = [], env: Record<string, string> = { NO_COLOR: '1' }): Promise<Out> {
  const stdout = collect();
  const stderr = collect();
  const io: Io = { cwd, env, stdout: stdout.stream, stderr: stderr.stream, isTTY: false, signal: new AbortController().signal, now: () => new Date(0) };
  const code = await command(paths, { var: vars }, io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function expectSameAsReference(cwd: string, paths: string[], vars: string[] = [], env?: Record<string, string>): Promise<Out> {
  const now = await call(validateCommand, cwd, paths, vars, env);
  const before = await call(reference, cwd, paths, vars, env);
  expect(now).toEqual(before);
  return now;
}

describe('validate prints what it printed when it loaded every file whole', () => {
  it('every fixture at once: all errors of all files, sorted, with their code frames', async () => {
    const out = await expectSameAsReference(FIXTURES, ['.']);
    expect(out.code).toBe(EXIT.invalid);
    expect(out.stderr).toMatch(/\d+ errors in \d+ of \d+ files\n$/);
    expect(out.stderr).toContain(' | ');
  });

  it('fragments given before and after the specs that include them, and with colour', async () => {
    await expectSameAsReference(FIXTURES, ['fragments', 'invalid', 'valid']);
    await expectSameAsReference(FIXTURES, ['invalid', 'valid', 'fragments'], [], { FORCE_COLOR: '1' });
  });

  it('valid files only: the count line', async () => {
    const out = await expectSameAsReference(FIXTURES, ['valid', 'fragments/ehlo.yaml', 'fragments/login.yaml']);
    expect(out.code).toBe(EXIT.ok);
    expect(out.stdout).toMatch(/^\d+ files valid \(\d+ specs, \d+ fragments\)\n$/);
  });

  it('inputs that do not exist, globs that match nothing, and --var secrets', async () => {
    await expectSameAsReference(FIXTURES, ['missing.yaml', 'nothing/*.yaml', 'invalid/sem-secret-redacted.yaml'], ['pass=hunter2']);
  });

  it('no spec at all', async () => {
    const out = await expectSameAsReference(FIXTURES, ['nothing/*.yaml']);
    expect(out.stderr).toContain('no spec found');
  });
});

describe('validate of files that include each other', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'convospec-validate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string): void => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  };

  it('a spec file done with, then named by an include; a broken one; a secret of one file hidden in another', async () => {
    write('a-spec.yaml', 'name: A\nconnect: { port: 25 }\nvars: { pass: hunter2 }\nsecrets: [pass]\nsteps: [{ s: 220 }]\n');
    write('b-broken.yaml', 'name: B\nvars: { other: [unclosed }\n');
    write('c-includes.yaml', 'name: C\nconnect: { port: 25 }\nsteps:\n  - include: a-spec.yaml\n  - include: b-broken.yaml\n  - c: "AUTH hunter2 ${nope}"\n');
    write('d-frag.yaml', 'fragment: D\nsteps: [{ c: "HELO ${who} ${nope()}" }]\n');
    write('e-uses.yaml', 'name: E\nconnect: { port: 25 }\nsteps:\n  - include: d-frag.yaml\n  - include: d-frag.yaml\n    with: { who: x }\n');
    const out = await expectSameAsReference(dir, ['.']);
    expect(out.stderr).toContain('is not a fragment');
    expect(out.stderr).not.toContain('hunter2');
  });

  it('a fragment reached only by an include is counted as a fragment', async () => {
    write('spec.yaml', 'name: S\nconnect: { port: 25 }\nsteps:\n  - include: frags/hello.yaml\n');
    write('frags/hello.yaml', 'fragment: hello\nsteps: [{ s: 220 }]\n');
    const out = await call(validateCommand, dir, ['spec.yaml']);
    expect(out).toEqual({ code: EXIT.ok, stdout: '2 files valid (1 spec, 1 fragment)\n', stderr: '' });
  });

  it('an input that cannot be read has no code frame', async () => {
    write('a.yaml', 'name: A\nconnect: { port: 25 }\nsteps: [{ s: 220 }]\n');
    // A link to nothing is listed as a spec file, and cannot be read.
    symlinkSync(join(dir, 'gone.yaml'), join(dir, 'b.yaml'));
    const out = await expectSameAsReference(dir, ['.']);
    expect(out.stderr).toContain('b.yaml: no such file [file-missing]\n');
  });
});

describe('loadEach', () => {
  it('tells each file read once, gives the text of the files problems point into, and what each input came to', async () => {
    const texts: Record<string, string> = {
      '/w/a.yaml': 'name: A\nconnect: { port: 25 }\nsteps: [{ s: 220 }]\n',
      '/w/b.yaml': 'name: B\nconnect: { port: 25 }\nsteps:\n  - include: a.yaml\n  - include: f.yaml\n',
      '/w/f.yaml': 'fragment: F\nsteps: [{ c: "${nope()}" }]\n',
    };
    const fs = { kind: (p: string) => (p === '/w' ? ('dir' as const) : p in texts ? ('file' as const) : undefined), list: () => Object.keys(texts).map((p) => ({ name: p.slice(3), dir: false })) };
    const events: string[] = [];
    await loadEach(['/w'], { cwd: '/w', vars: {}, env: {}, fs, readFile: (p) => texts[p] ?? '' }, {
      read: (display) => events.push(`read ${display}`),
      suite: (suite) => events.push(`suite ${suite.file}`),
      fragment: (display) => events.push(`fragment ${display}`),
      problems: (found, source) => {
        for (const d of found) events.push(`problem ${d.span.file}:${d.span.line} ${source(d.span.file)?.split('\n')[d.span.line - 1] ?? '(no text)'}`);
      },
    });
    expect(events).toEqual([
      'read a.yaml',
      'suite a.yaml',
      'read b.yaml',
      'read f.yaml',
      'problem b.yaml:4   - include: a.yaml',
      'problem f.yaml:2 steps: [{ c: "${nope()}" }]',
      'fragment f.yaml',
      'problem f.yaml:2 steps: [{ c: "${nope()}" }]',
    ]);
  });
});
