/**
 * A spec's regex against a reply shaped to make it backtrack: the `convospec` command (the
 * launcher, src/cli/launch.ts, turns on V8's fallback to its linear-time regex engine) must
 * end with a clear mismatch, not spin until someone kills it. Without the fallback, the first
 * case takes about 2^40 steps (hours), the second minutes; the child is killed after
 * KILL_AFTER_MS, and a killed child fails the test.
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
}

/** `convospec run` of a one-step spec against a peer that greets with `greeting`. */
async function runAgainst(greeting: string, matcher: string): Promise<Run> {
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
  const child = spawn(process.execPath, [cli, 'run', spec], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, CONVOSPEC_DISABLE_COMPILE_CACHE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.resume();
  const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  const [status, signal] = (await new Promise((resolve) => child.on('close', (...end) => resolve(end)))) as [number | null, NodeJS.Signals | null];
  clearTimeout(killer);
  return { status, signal, stdout };
}

describe('a regex that would backtrack for hours on what the server sent', () => {
  it('nested quantifiers on a line of 40 a: a mismatch, not a hang', async () => {
    const run = await runAgainst(`220 ${'a'.repeat(40)}`, `{ code: 220, text: '/^(a+)+b$/' }`);
    expect(run.signal).toBeNull();
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('0 passed, 1 failed');
    expect(run.stdout).toMatch(/expected .*\/\^\(a\+\)\+b\$\//);
  }, KILL_AFTER_MS + 10_000);

  it('three chained .* on a 30,000-byte line: a mismatch, not a hang', async () => {
    const run = await runAgainst(`220 ${'x'.repeat(30_000)}`, `{ code: 220, match: '/.*a.*b.*c/' }`);
    expect(run.signal).toBeNull();
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('0 passed, 1 failed');
  }, KILL_AFTER_MS + 10_000);

  it('the same regex still matches where it should (the fallback finds what backtracking finds)', async () => {
    const run = await runAgainst(`220 ${'a'.repeat(40)}b`, `{ code: 220, text: '/^(a+)+b$/' }`);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('1 passed');
  }, KILL_AFTER_MS + 10_000);
});
