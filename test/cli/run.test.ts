/**
 * `convospec run` as a user sees it, in-process (the real CLI, real sockets on 127.0.0.1):
 * the summary, `--verbose`, duration flags, report paths checked before the run.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace, type Workspace } from '../helpers/cli.js';
import { goodPeer, type Peer } from '../hostile/peers.js';

let ws: Workspace;
let good: Peer;

beforeAll(async () => {
  ws = await workspace();
  good = await goodPeer();
  await ws.write(
    'mixed.yaml',
    `name: mixed
connect: { host: 127.0.0.1, port: PORT, protocol: smtp }
tests:
  - name: passes
    steps:
      - s: 220
      - c: QUIT
      - s: 221
  - name: fails
    steps:
      - s: 221
  - name: errors
    tls: { ca: missing-ca.pem }
    steps:
      - s: 220
      - tls: {}
`.replace('PORT', String(0)),
  );
  // The port is only known now.
  const text = await readFile(join(ws.dir, 'mixed.yaml'), 'utf8');
  await writeFile(join(ws.dir, 'mixed.yaml'), text.replace('port: 0', `port: ${good.port}`));
});

afterAll(async () => {
  await good.close();
  await ws.dispose();
});

describe('the summary', () => {
  it('is one line, in the words of the reports', async () => {
    const run = await ws.run(['run', 'mixed.yaml', '--json', 'summary.json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(await readFile(join(ws.dir, 'summary.json'), 'utf8')) as { summary: { passed: number; failed: number; errored: number } };
    const { passed, failed, errored } = report.summary;
    expect([passed, failed, errored]).toEqual([1, 1, 1]);
    const summaries = run.stdout.split('\n').filter((l) => /^\d+ passed/.test(l));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatch(/^1 passed, 1 failed, 1 errored \(\d/);
  });

  it('--verbose prints each transcript once', async () => {
    const run = await ws.run(['run', 'mixed.yaml', '--verbose', '--grep', 'passes']);
    expect(run.code).toBe(0);
    expect(run.stdout.match(/c: QUIT/g)).toHaveLength(1);
    expect(run.stdout.match(/s: 221 2\.0\.0 Bye/g)).toHaveLength(1);
  });
});

describe('durations on the command line', () => {
  it.each([['--timeout'], ['--duration']])('%s without a unit is refused with a hint, exit 2', async (flag) => {
    const run = await ws.run(['run', 'mixed.yaml', flag, '5']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${flag} needs a unit: "5s"`);
    expect(run.stdout).not.toMatch(/passed/);
  });

  it('a duration with a unit is taken', async () => {
    const run = await ws.run(['run', 'mixed.yaml', '--timeout', '5s', '--grep', 'passes']);
    expect(run.code).toBe(0);
  });
});
