/**
 * When this machine runs out of something (file descriptors here, with a low `ulimit -n`),
 * the failure says so: ours, not the server's, and what to do. The built CLI as a child
 * process with a limit of 40 open files, 80 tests at once against a good server.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from '../helpers/build.js';
import { workspace, type Workspace } from '../helpers/cli.js';
import { goodPeer, type Peer } from '../hostile/peers.js';
import type { JsonReport } from '../../src/report/json.js';

let cli: string;
let ws: Workspace;
let good: Peer;

beforeAll(async () => {
  cli = builtCli();
  ws = await workspace();
  good = await goodPeer();
}, 200_000);

afterAll(async () => {
  await good.close();
  await ws.dispose();
});

/** Runs a child to its end (killed after 60 s), collecting its output. */
function run(command: string, args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('local resource exhaustion', () => {
  it.runIf(process.platform === 'linux')('EMFILE is reported as ours (JUnit <error>), with `ulimit -n` and --concurrency as what to do', async () => {
    const tests = Array.from({ length: 80 }, (_, i) => `  - name: t${i}\n    steps:\n      - s: 220\n      - c: QUIT\n      - s: 221\n`).join('');
    await ws.write('many.yaml', `name: many\nconnect: { host: 127.0.0.1, port: ${good.port}, protocol: smtp }\ntests:\n${tests}`);
    const command = `ulimit -n 40 && exec "$0" -- "$1" run many.yaml --concurrency 80 --json report.json`;
    // Not spawnSync: the server runs in this process and must answer meanwhile.
    const result = await run('bash', ['-c', command, process.execPath, cli], ws.dir);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('this machine ran out of file descriptors (EMFILE, too many open files)');
    expect(result.stdout).toContain("a limit on our side, not the server's doing; raise the limit (`ulimit -n 65536`) or lower --concurrency");
    const report = JSON.parse(await readFile(join(ws.dir, 'report.json'), 'utf8')) as JsonReport;
    const starved = report.suites.flatMap((s) => s.tests).filter((t) => t.status !== 'passed');
    expect(starved.length).toBeGreaterThan(0);
    expect(report.summary.failed).toBe(0);
    for (const t of starved) expect(t).toMatchObject({ status: 'errored', failure: { kind: 'error' } });
  }, 90_000);
});
