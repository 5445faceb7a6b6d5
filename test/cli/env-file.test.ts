/**
 * `--env-file` is convospec's: a missing file is convospec's error (exit 2), and what the
 * file says is data for the specs, never Node's (a `NODE_OPTIONS=--require …` in it must not
 * run). Node 20 reads `--env-file` anywhere before a `--`, so the installed command starts
 * Node with `--` (its `#!/usr/bin/env -S node --` line); `node main.js run --env-file x`, the
 * unsafe form, is refused. Real child processes of the built CLI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from '../helpers/build.js';

let cli: string;
let dir: string;
let marker: string;

beforeAll(() => {
  cli = builtCli();
  dir = mkdtempSync(join(tmpdir(), 'convospec-env-file-'));
  marker = join(dir, 'evil-ran');
  writeFileSync(join(dir, 'evil.cjs'), `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
  writeFileSync(join(dir, 'evil.env'), `NODE_OPTIONS=--require ${join(dir, 'evil.cjs')}\nGREETING_PORT=2525\n`);
  // Loads only when GREETING_PORT is set: `--list` exits 0 when convospec read the file.
  writeFileSync(join(dir, 'spec.yaml'), 'name: env\nconnect: { host: 127.0.0.1, port: "${env.GREETING_PORT}", protocol: smtp }\ntests:\n  - name: t\n    steps:\n      - s: 220\n');
}, 200_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `command args…` in `dir`, with Node on the PATH (the bin's `env` looks it up there). */
function run(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  rmSync(marker, { force: true });
  const env = { ...process.env, NO_COLOR: '1', GREETING_PORT: undefined, NODE_OPTIONS: undefined, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
  const result = spawnSync(command, args, { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('--env-file', () => {
  it.each([
    ['the installed command', () => [cli, []] as const],
    ['node -- main.js', () => [process.execPath, ['--', cli]] as const],
  ])('through %s: a missing file is convospec\'s error, exit 2', (_, how) => {
    const [command, prefix] = how();
    const result = run(command, [...prefix, 'run', 'spec.yaml', '--env-file', 'missing.env', '--list']);
    expect(result.stderr).toMatch(/^convospec: --env-file: cannot read missing\.env/);
    expect(result.stderr).not.toMatch(/^node:/m);
    expect(result.status).toBe(2);
  });

  it.each([
    ['the installed command', () => [cli, []] as const],
    ['node -- main.js', () => [process.execPath, ['--', cli]] as const],
  ])('through %s: the file is data for the specs, NODE_OPTIONS in it does not run', (_, how) => {
    const [command, prefix] = how();
    const result = run(command, [...prefix, 'run', 'spec.yaml', '--env-file', 'evil.env', '--list']);
    expect(result).toMatchObject({ status: 0, stdout: 'spec.yaml:4: env › t\n' });
    expect(existsSync(marker)).toBe(false);
  });

  it('`node main.js run --env-file F` (Node reads F first) is refused, saying how to run it', () => {
    for (const args of [['--env-file', 'evil.env'], ['--env-file=evil.env']]) {
      const result = run(process.execPath, [cli, 'run', 'spec.yaml', ...args, '--list']);
      expect(result.stderr).toMatch(/^convospec: Node itself read --env-file evil\.env before convospec started/);
      expect(result.stderr).toContain('`npx convospec …`, or `node -- dist/cli/main.js …`');
      expect(result.status).toBe(2);
    }
  });
});

describe('envFileReadByNode', () => {
  it('finds the env file Node took from convospec\'s arguments, and only that', async () => {
    const { envFileReadByNode } = await import('../../src/cli/node-env-file.js');
    expect(envFileReadByNode(['node', 'main.js', 'run', '--env-file', 'a.env'], [])).toBe('a.env');
    expect(envFileReadByNode(['node', 'main.js', 'run', '--env-file=b.env'], [])).toBe('b.env');
    expect(envFileReadByNode(['node', '--', 'main.js', 'run', '--env-file', 'a.env'], [])).toBeUndefined();
    expect(envFileReadByNode(['node', '--no-warnings', '--', 'main.js', 'run', '--env-file', 'a.env'], ['--no-warnings'])).toBeUndefined();
    expect(envFileReadByNode(['node', 'main.js', '--', 'run', '--env-file', 'a.env'], [])).toBeUndefined();
    // Node's own option, before the script: the user's choice for Node.
    expect(envFileReadByNode(['node', '--env-file=n.env', 'main.js', 'run'], ['--env-file=n.env'])).toBeUndefined();
  });
});
