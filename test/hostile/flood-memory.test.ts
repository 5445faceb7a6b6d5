/**
 * A server flooding a reply with tiny lines (`250-x`, 7 bytes each): what convospec holds of it
 * must stay within a small multiple of `limits.reply`, counting what each line costs to hold,
 * not only its bytes. Held as it came, 16 MiB of such lines cost ~640 MB, and a run with a few
 * of them at once died out of memory (exit 134, no report) while its other tests failed with
 * false timeouts.
 *
 * The built command runs as a child process with its V8 heap capped at HEAP_CAP_MB: memory
 * is measured by whether it fits, not by a timing. It runs FLOODS flooded tests at once with
 * the default limits (16 MiB per reply), beside a good test that must still pass.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from '../helpers/build.js';
import type { JsonReport } from '../../src/report/json.js';
import { ENDLESS_MAX_BYTES, goodPeer, listen, smtpScript, type Peer } from './peers.js';

const FLOODS = 4;
/** Enough for FLOODS replies held at 16 MiB each at a small multiple; far below one reply held as it came. */
const HEAP_CAP_MB = 320;
/** A hang guard only: the run takes seconds. */
const KILL_AFTER_MS = 120_000;

let cli: string;
let dir: string;
const peers: Peer[] = [];

beforeAll(() => {
  cli = builtCli();
  dir = mkdtempSync(join(tmpdir(), 'convospec-flood-'));
}, 200_000);
afterAll(async () => {
  await Promise.all(peers.map((peer) => peer.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** Greets, then answers EHLO with `250-x` lines without end (or until 256 MiB went out). */
function floodPeer(): Promise<Peer> {
  const chunk = Buffer.from('250-x\r\n'.repeat(8192), 'latin1');
  return listen(smtpScript({ EHLO: (conn) => conn.pump(() => chunk, ENDLESS_MAX_BYTES) }));
}

interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[]): Promise<Run> {
  const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_CAP_MB}`, cli, ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, CONVOSPEC_DISABLE_COMPILE_CACHE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  return new Promise((resolve) =>
    child.on('close', (status, signal) => {
      clearTimeout(killer);
      resolve({ status, signal, stdout, stderr });
    }),
  );
}

describe('a flood of short lines in one reply, several at once', () => {
  it('each fails with "reply longer than 16 MiB" within a capped heap; the good test passes', async () => {
    const flood = await floodPeer();
    const good = await goodPeer();
    peers.push(flood, good);
    const floods = Array.from({ length: FLOODS }, (_, i) => [
      `  - name: flood ${i + 1}`,
      `    connect: { host: 127.0.0.1, port: ${flood.port}, protocol: smtp }`,
      '    steps:',
      '      - s: 220',
      '      - c: EHLO client.test',
      '      - s: { code: 250, timeout: 60s }',
    ]).flat();
    writeFileSync(join(dir, 'flood.yaml'), [
      'name: flood',
      'tests:',
      ...floods,
      '  - name: good',
      `    connect: { host: 127.0.0.1, port: ${good.port}, protocol: smtp }`,
      '    steps:',
      '      - s: 220',
      '      - c: EHLO client.test',
      '      - s: { code: 250, contains: [PIPELINING], timeout: 30s }',
      '      - c: QUIT',
      '      - s: 221',
      '',
    ].join('\n'));
    const run = await runCli(['run', 'flood.yaml', '--concurrency', String(FLOODS + 1), '--json', 'report.json']);
    expect(run.signal, run.stderr.slice(-2000)).toBeNull();
    expect(run.status, run.stderr.slice(-2000)).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as JsonReport;
    const tests = report.suites.flatMap((suite) => suite.tests);
    expect(tests.find((test) => test.name === 'good')?.status).toBe('passed');
    const flooded = tests.filter((test) => test.name.startsWith('flood'));
    expect(flooded).toHaveLength(FLOODS);
    for (const test of flooded) {
      expect(test.status).toBe('failed');
      expect(test.failure?.message).toMatch(/^reply longer than 16 MiB \(limits\.reply, each line counting 32 bytes more\)/);
    }
  }, KILL_AFTER_MS + 10_000);
});
