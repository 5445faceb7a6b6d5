/**
 * A spec's regex against a reply shaped to make it backtrack: the `convospec` command (the
 * launcher, src/cli/launch.ts, turns on V8's fallback to its linear-time regex engine) must
 * end with a clear mismatch, not spin until someone kills it. Without the fallback, the first
 * case takes about 2^40 steps (hours), the second minutes; the child is killed after
 * KILL_AFTER_MS, and a killed child fails the test. An `i` regex is case-folded so that engine
 * takes it; one it cannot run and that could backtrack is refused when the spec loads.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from '../helpers/build.js';
import { hold, send, startPeer, type Peer } from '../helpers/peer.js';

/** Far above what the fallback needs (milliseconds to ~2 s), far below what backtracking needs. */
const KILL_AFTER_MS = 40_000;

let cli: string;
let dir: string;
const peers: Peer[] = [];

beforeAll(() => {
  cli = builtCli();
  dir = mkdtempSync(join(tmpdir(), 'convospec-regexp-'));
}, 200_000);
afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.stop()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `convospec <command>` of a one-step spec whose `s:` is `matcher`, against a peer that greets with `greeting`. */
async function runSpec(command: 'run' | 'validate', greeting: string, matcher: string): Promise<Run> {
  const peer = await startPeer([send(`${greeting}\r\n`), hold()]);
  peers.push(peer);
  const spec = join(dir, `spec-${peers.length}.yaml`);
  writeFileSync(spec, [
    'name: backtracking',
    `connect: { host: 127.0.0.1, port: ${peer.port}, protocol: smtp }`,
    'tests:',
    '  - name: greeting',
    '    steps:',
    `      - s: ${matcher}`,
    '',
  ].join('\n'));
  const child = spawn(process.execPath, [cli, command, spec], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, CONVOSPEC_DISABLE_COMPILE_CACHE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  const [status, signal] = (await new Promise((resolve) => child.on('close', (...end) => resolve(end)))) as [number | null, NodeJS.Signals | null];
  clearTimeout(killer);
  return { status, signal, stdout, stderr };
}

describe('a regex that would backtrack for hours on what the server sent', () => {
  it('nested quantifiers on a line of 40 a: a mismatch, not a hang', async () => {
    const run = await runSpec('run', `220 ${'a'.repeat(40)}`, `{ code: 220, text: '/^(a+)+b$/' }`);
    expect(run.signal).toBeNull();
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('0 passed, 1 failed');
    expect(run.stdout).toMatch(/expected .*\/\^\(a\+\)\+b\$\//);
  }, KILL_AFTER_MS + 10_000);

  it('three chained .* on a 30,000-byte line: a mismatch, not a hang', async () => {
    const run = await runSpec('run', `220 ${'x'.repeat(30_000)}`, `{ code: 220, match: '/.*a.*b.*c/' }`);
    expect(run.signal).toBeNull();
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('0 passed, 1 failed');
  }, KILL_AFTER_MS + 10_000);

  it('the same regex still matches where it should (the fallback finds what backtracking finds)', async () => {
    const run = await runSpec('run', `220 ${'a'.repeat(40)}b`, `{ code: 220, text: '/^(a+)+b$/' }`);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('1 passed');
  }, KILL_AFTER_MS + 10_000);
});

describe('an i regex that would backtrack for hours', () => {
  it('/^(a+)+b$/i on a line of 40 a: a mismatch, not a hang', async () => {
    const run = await runSpec('run', `220 ${'a'.repeat(40)}`, `{ code: 220, text: '/^(a+)+b$/i', timeout: 3s }`);
    expect(run.signal).toBeNull();
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('0 passed, 1 failed');
    expect(run.stdout).toMatch(/expected text matching \/\^\(a\+\)\+b\$\/i/);
  }, KILL_AFTER_MS + 10_000);

  it('still matches what it matched, in any case', async () => {
    const run = await runSpec('run', `220 ${'aA'.repeat(20)}B`, `{ code: 220, text: '/^(a+)+b$/i' }`);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('1 passed');
  }, KILL_AFTER_MS + 10_000);
});

describe('a regex the linear-time engine cannot run', () => {
  it('/^(\\p{L}+)+$/u is refused when the spec loads, at its place, saying why', async () => {
    const run = await runSpec('validate', '220 hi', `{ code: 220, text: '/^(\\p{L}+)+$/u' }`);
    expect(run.status).toBe(2);
    const output = run.stdout + run.stderr;
    expect(output).toMatch(/spec-\d+\.yaml:6:\d+: this regex can backtrack for hours on a reply shaped against it: it repeats `\(\\p\{L\}\+\)\+` with more pattern after it, and V8's linear-time engine cannot run it \(the `u` flag\)/);
    expect(output).toContain('remove the `u` flag');
  }, KILL_AFTER_MS + 10_000);

  it('one whose only repetition is at its very end is accepted and runs', async () => {
    const run = await runSpec('run', '220 hello world', `{ code: 220, text: '/^h\\p{L}+/u' }`);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('1 passed');
  }, KILL_AFTER_MS + 10_000);
});
