/**
 * Ctrl-C (spec §8), SIGTERM (CI runners, `docker stop`, Kubernetes) and SIGHUP: the built CLI,
 * run as a real process against a server that never answers, gets the signal once a quick
 * test has finished. It must close its sockets, write every report (the unfinished test
 * marked as interrupted, so no CI reads the run as green), and exit 128 + the signal number.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from '../helpers/build.js';
import { workspace, type Workspace } from '../helpers/cli.js';
import { goodPeer, silentPeer, type Peer } from '../hostile/peers.js';
import { findAll, parseXml } from '../report/xml.js';
import type { JsonReport } from '../../src/report/json.js';

let MAIN: string;

let ws: Workspace;
let good: Peer;
let slow: Peer;

beforeAll(async () => {
  MAIN = builtCli();
  ws = await workspace();
  good = await goodPeer();
  slow = await silentPeer();
}, 200_000);

afterAll(async () => {
  await Promise.all([good.close(), slow.close()]);
  await ws.dispose();
});

/** Resolves with stdout once `pattern` shows in it; rejects if the process exits or time runs out. */
function waitForOutput(child: ChildProcess, read: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`not seen within ${timeoutMs}ms: ${pattern}\nstdout so far:\n${read()}`)), timeoutMs);
    const onData = (): void => {
      if (pattern.test(read())) done();
    };
    const onExit = (): void => done(new Error(`exited before ${pattern} showed:\n${read()}`));
    const done = (error?: Error): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    onData();
  });
}

function exitOf(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI did not exit within ${timeoutMs}ms of SIGINT`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

const SIGNALS = [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const;

describe('Ctrl-C, SIGTERM and SIGHUP', () => {
  it.each(SIGNALS)('%s: closes the sockets, writes every report with the unfinished test as interrupted, and exits %i', async (stopSignal, exitCode) => {
    const file = await ws.write(
      `slow-${stopSignal}.yaml`,
      `name: interrupted
tests:
  - name: quick
    connect: { host: 127.0.0.1, port: ${good.port}, protocol: smtp }
    steps:
      - s: 220
      - c: QUIT
      - s: 221
  - name: waits for ever
    timeout: 5m
    connect: { host: 127.0.0.1, port: ${slow.port}, protocol: smtp }
    steps:
      - s: 220
`,
    );
    const out = `out-${stopSignal}`;
    const child = spawn(process.execPath, [MAIN, 'run', file, '--junit', `${out}/junit.xml`, '--json', `${out}/report.json`], {
      cwd: ws.dir,
      // Through the launcher's compile cache, as users run it.
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, CONVOSPEC_DISABLE_COMPILE_CACHE: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    try {
      await waitForOutput(child, () => stdout, /✓ interrupted › quick/, 20_000);
      // The slow test is connected and waiting (bounded poll: 100 × 100ms).
      for (let i = 0; i < 100 && slow.accepted === slow.closed; i++) await delay(100);
      expect(slow.accepted - slow.closed).toBe(1);

      child.kill(stopSignal);
      const { code, signal } = await exitOf(child, 15_000);
      expect({ code, signal, stderr }).toMatchObject({ code: exitCode, signal: null });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }

    // The server saw the connection close.
    await slow.waitAllClosed(1, 5_000);
    expect(stdout).toMatch(/^interrupted: 1 passed, 1 errored/m);

    const report = JSON.parse(await readFile(join(ws.dir, out, 'report.json'), 'utf8')) as JsonReport;
    expect(report.summary).toMatchObject({ interrupted: true, passed: 1, errored: 1, total: 2 });
    const tests = report.suites.flatMap((s) => s.tests);
    expect(tests.find((t) => t.name === 'quick')?.status).toBe('passed');
    // An unfinished test is there, as interrupted: a CI reading the report sees red.
    expect(tests.find((t) => t.name === 'waits for ever')).toMatchObject({ status: 'errored', failure: { kind: 'interrupted', line: 9 } });

    const junit = parseXml(await readFile(join(ws.dir, out, 'junit.xml'), 'utf8'));
    expect(Number(junit.attrs.errors)).toBe(1);
    const cases = findAll(junit, 'testcase');
    expect(cases.map((c) => c.attrs.name)).toContain('quick');
    expect(cases.find((c) => c.attrs.name === 'quick')?.children.some((c) => c.name === 'failure' || c.name === 'error')).toBe(false);
    const unfinished = cases.find((c) => c.attrs.name === 'waits for ever')?.children.find((c) => c.name === 'error');
    expect(unfinished?.attrs).toMatchObject({ type: 'interrupted', message: 'not finished: the run was interrupted' });
    // Nothing half-written beside the reports.
    expect((await readdir(join(ws.dir, out))).sort()).toEqual(['junit.xml', 'report.json']);
  }, 60_000);
});

describe('a reader that goes away (`convospec run --list | head -1`)', () => {
  it('exits quietly: no EPIPE stack trace', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `  - name: test ${i}\n    steps: []`).join('\n');
    const file = await ws.write('many.yaml', `name: many\nconnect: { port: 25 }\ntests:\n${lines}\n`);
    const child = spawn(process.execPath, [MAIN, 'run', file, '--list'], { cwd: ws.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    // Read the first chunk, then close our end of the pipe, as `head` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Error:|at /);
    expect(code).toBe(0);
  });
});
