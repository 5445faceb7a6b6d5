/**
 * bench/merge-results.mjs: the shards of a run merge into one JUnit file and one JSON
 * report whose counts add up and whose latency comes from the added histograms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { workspace, type Workspace } from '../helpers/cli.js';
import { startScriptedServer, type ScriptedServer } from './scripted-server.js';
import type { LoadReport } from '../../src/loadtest/report.js';

const run = promisify(execFile);
const MERGE = join(import.meta.dirname, '..', '..', 'bench', 'merge-results.mjs');

let ws: Workspace;
let server: ScriptedServer;

beforeAll(async () => {
  ws = await workspace();
  server = await startScriptedServer({ delays: { NOOP: 5 } });
  const test = (name: string): string => `  - name: ${name}\n    steps: [{ s: 220 }, { c: NOOP }, { s: 250 }, { c: QUIT }, { s: 221 }]\n`;
  await ws.write('three.yaml', `name: three\nconnect: { host: 127.0.0.1, port: ${server.port}, protocol: smtp }\ntests:\n${test('a')}${test('b')}${test('c')}`);
  for (const i of [1, 2]) {
    const r = await ws.run(['run', 'three.yaml', '--repeat', '10', '--concurrency', '3', '--shard', `${i}/2`, '--json', `s${i}.json`, '--junit', `s${i}.xml`]);
    expect(r.code).toBe(0);
  }
  const again = await ws.run(['run', 'three.yaml', '--repeat', '5', '--json', 's3.json']);
  expect(again.code).toBe(0);
});

afterAll(async () => {
  await server.close();
  await ws.dispose();
});

interface Report {
  readonly summary: { total: number; passed: number };
  readonly suites: readonly { file: string; tests: readonly { name: string }[] }[];
  readonly load: LoadReport;
}

const read = async (name: string): Promise<string> => readFile(join(ws.dir, name), 'utf8');

describe('merging shard reports', () => {
  it('joins JUnit files under one root with the counts added up', async () => {
    await run(process.execPath, [MERGE, join(ws.dir, 'all.xml'), join(ws.dir, 's1.xml'), join(ws.dir, 's2.xml')]);
    const xml = await read('all.xml');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="convospec" tests="3" failures="0" errors="0" skipped="0">\n/);
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml.match(/<testsuites/g)).toHaveLength(1);
    expect(xml.trimEnd().endsWith('</testsuites>')).toBe(true);
  });

  it('adds up JSON counts and the sessions of the same test across reports', async () => {
    await run(process.execPath, [MERGE, join(ws.dir, 'all.json'), join(ws.dir, 's1.json'), join(ws.dir, 's2.json'), join(ws.dir, 's3.json')]);
    const all = JSON.parse(await read('all.json')) as Report;
    const parts = await Promise.all(['s1', 's2', 's3'].map(async (n) => JSON.parse(await read(`${n}.json`)) as Report));
    expect(all.summary.total).toBe(3 + 3);
    expect(all.suites.map((s) => s.tests.length)).toEqual([6]);
    expect(all.load.sessions).toEqual({ total: 30 + 15, passed: 45, failed: 0, errored: 0 });
    expect(all.load.tests.map((t) => [t.name, t.sessions.total]).sort()).toEqual([['a', 15], ['b', 15], ['c', 15]]);
    const a = all.load.tests.find((t) => t.name === 'a')!;
    const aParts = parts.flatMap((p) => p.load.tests.filter((t) => t.name === 'a'));
    for (const [i, step] of a.steps.entries()) {
      expect(step.count).toBe(15);
      const p50s = aParts.map((t) => t.steps[i]!.latency.p50);
      expect(step.latency.count).toBe(15);
      // HdrHistogram keeps 3 significant digits: a value read back may move by 0.1 %.
      const slack = (ms: number): number => ms * 0.001 + 0.001;
      expect(step.latency.p50).toBeGreaterThanOrEqual(Math.min(...p50s) - slack(Math.min(...p50s)));
      expect(step.latency.p50).toBeLessThanOrEqual(Math.max(...p50s) + slack(Math.max(...p50s)));
      const max = Math.max(...aParts.map((t) => t.steps[i]!.latency.max));
      expect(Math.abs(step.latency.max - max)).toBeLessThanOrEqual(slack(max));
    }
    expect(all.load.settings).toMatchObject({ concurrency: 3, reports: 3 });
    expect(all.load.settings).not.toHaveProperty('shard');
  });
});
