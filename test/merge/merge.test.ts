/**
 * `convospec merge`: the JSON reports of four shards make the reports one run would have
 * made (JUnit, JSON, TAP through the same reporters); load-mode histograms are added
 * exactly; reports that do not belong together are refused, naming the files. Against a
 * scripted SMTP server on 127.0.0.1 with known failures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import type { JsonReport } from '../../src/report/json.js';
import type { LoadReport } from '../../src/loadtest/report.js';
import { builtCli } from '../helpers/build.js';
import { workspace, type Workspace } from '../helpers/cli.js';
import { startScriptedServer, type ScriptedServer } from '../loadtest/scripted-server.js';
import { findAll, parseXml } from '../report/xml.js';

const exec = promisify(execFile);

let ws: Workspace;
let server: ScriptedServer;

type Report = JsonReport & { load?: LoadReport };
const read = async (name: string): Promise<Report> => JSON.parse(await readFile(join(ws.dir, name), 'utf8')) as Report;

/** What a report says of its tests, without times. */
const tests = (r: Report): [string, string, string, number | undefined][] =>
  r.suites.flatMap((s) => s.tests.map((t): [string, string, string, number | undefined] => [s.file, t.name, t.status, t.failure?.line]));

const spec = (port: number, name: string, tests: string): string => `name: ${name}\nconnect: { host: 127.0.0.1, port: ${port}, protocol: smtp }\ntests:\n${tests}`;
const passing = (name: string): string => `  - name: ${name}\n    steps: [{ s: 220 }, { c: NOOP }, { s: 250 }, { c: QUIT }, { s: 221 }]\n`;
const failing = (name: string): string => `  - name: ${name}\n    steps: [{ s: 220 }, { c: NOOP }, { s: 354 }]\n`;

beforeAll(async () => {
  ws = await workspace();
  server = await startScriptedServer({ delays: { NOOP: 2 } });
  await ws.write('specs/a.yaml', spec(server.port, 'A', passing('a1') + failing('a2') + passing('a3') + `  - name: a4\n    skip: not here\n    steps: [{ s: 220 }]\n`));
  await ws.write('specs/b.yaml', spec(server.port, 'B', passing('b1') + passing('b2') + failing('b3')));
  for (const i of [1, 2, 3, 4]) {
    const run = await ws.run(['run', 'specs', '--shard', `${i}/4`, '--json', `shards/run-${i}.json`]);
    expect(run.code).toBeLessThanOrEqual(1);
  }
  expect((await ws.run(['run', 'specs', '--json', 'whole.json'])).code).toBe(1);
});

afterAll(async () => {
  await server.close();
  await ws.dispose();
});

const shards = [1, 2, 3, 4].map((i) => `shards/run-${i}.json`);

describe('merging the reports of four shards', () => {
  it('makes the reports one run would have made, through the same reporters', async () => {
    const merge = await ws.run(['merge', '--json', 'all.json', '--junit', 'all.xml', '--tap', 'all.tap', '--transcripts', 'transcripts', ...shards]);
    expect([merge.code, merge.stderr]).toEqual([1, '']);
    // The console says it as `run` does: each test, a failure with its place and transcript.
    expect(merge.stdout).toMatch(/^✗ A › a2 /m);
    expect(merge.stdout).toMatch(/^ {2}specs\/a\.yaml:\d+:\d+: expected reply code 354, got 250$/m);
    expect(merge.stdout).toMatch(/^4 passed, 2 failed, 1 skipped/m);
    expect(merge.stdout).toMatch(/\nmerged 4 reports: 7 tests, 4 passed, 2 failed, 0 errored, 1 skipped\n$/);
    const [all, whole] = [await read('all.json'), await read('whole.json')];
    expect(tests(all)).toEqual(tests(whole));
    expect(all.summary).toEqual(whole.summary);
    // The failure and the transcript come through as they were.
    const a2 = all.suites[0]!.tests[1]!;
    const shardA2 = (await Promise.all(shards.map(read))).flatMap((r) => r.suites.flatMap((s) => s.tests)).find((t) => t.name === 'a2')!;
    expect(a2.failure).toEqual(shardA2.failure);
    expect(a2.transcript).toEqual(shardA2.transcript);

    const junit = parseXml(await readFile(join(ws.dir, 'all.xml'), 'utf8'));
    expect(junit.attrs).toMatchObject({ tests: '7', failures: '2', errors: '0', skipped: '1' });
    expect(findAll(junit, 'testcase').map((c) => `${c.attrs.classname}:${c.attrs.name}`)).toEqual(['specs/a:a1', 'specs/a:a2', 'specs/a:a3', 'specs/a:a4', 'specs/b:b1', 'specs/b:b2', 'specs/b:b3']);
    const transcript = await readFile(join(ws.dir, 'transcripts', (await readdir(join(ws.dir, 'transcripts'), { recursive: true })).find((f) => f.includes('a2'))!), 'utf8');
    expect(transcript).toContain('c: NOOP');
    const tap = await readFile(join(ws.dir, 'all.tap'), 'utf8');
    expect(tap.split('\n').slice(0, 2)).toEqual(['TAP version 14', '1..7']);
    expect(tap).toContain('ok 4 - A › a4 # SKIP not here\n');
  });

  it('works as the built command, and exits 0 when the merged run passed', async () => {
    const cli = builtCli();
    await ws.write('ok.yaml', spec(server.port, 'OK', passing('x') + passing('y')));
    for (const i of [1, 2]) expect((await ws.run(['run', 'ok.yaml', '--shard', `${i}/2`, '--json', `ok-${i}.json`])).code).toBe(0);
    const { stdout } = await exec(process.execPath, ['--', cli, 'merge', '--junit', 'ok.xml', 'ok-1.json', 'ok-2.json'], { cwd: ws.dir });
    expect(stdout).toMatch(/\nmerged 2 reports: 2 tests, 2 passed, 0 failed, 0 errored, 0 skipped\n$/);
    expect(parseXml(await readFile(join(ws.dir, 'ok.xml'), 'utf8')).attrs).toMatchObject({ tests: '2', failures: '0' });
  });
});

describe('merging load reports', () => {
  beforeAll(async () => {
    await ws.write('load.yaml', spec(server.port, 'load', passing('l1') + passing('l2') + passing('l3')));
    for (const i of [1, 2]) {
      const run = await ws.run(['run', 'load.yaml', '--repeat', '12', '--concurrency', '3', '--shard', `${i}/2`, '--json', `load-${i}.json`]);
      expect(run.code).toBe(0);
    }
    expect((await ws.run(['run', 'load.yaml', '--repeat', '5', '--json', 'load-again.json'])).code).toBe(0);
    expect((await ws.run(['run', 'load.yaml', '--repeat', '7', '--json', 'load-more.json'])).code).toBe(0);
  });

  it('adds the histograms of shards exactly: percentiles from the sum, never averaged', async () => {
    const merge = await ws.run(['merge', '--json', 'load-all.json', 'load-1.json', 'load-2.json']);
    expect(merge.code).toBe(0);
    expect(merge.stdout).toMatch(/^✓ load › l1 {2}load\.yaml:4 {2}12 sessions$/m);
    expect(merge.stdout).toMatch(/^36 sessions in .*: all passed \(concurrency 3, repeat 12\)$/m);
    const all = (await read('load-all.json')).load!;
    expect(all.sessions).toEqual({ total: 36, passed: 36, failed: 0, errored: 0 });
    expect(all.settings).toEqual({ concurrency: 3, repeat: 12, reports: 2 });
    expect(all.tests.map((t) => [t.name, t.sessions.total])).toEqual([['l1', 12], ['l2', 12], ['l3', 12]]);
    // A test ran in one shard only: its statistics are those of the shard's histogram (the
    // encoding keeps buckets, so an exact maximum becomes its bucket's, within 0.1 %).
    const parts = [(await read('load-1.json')).load!, (await read('load-2.json')).load!];
    const l2 = parts.flatMap((p) => p.tests).find((t) => t.name === 'l2')!;
    expect(all.tests[1]!.steps.map((s) => s.latency.histogram)).toEqual(l2.steps.map((s) => s.latency.histogram));
    expect(all.tests[1]!.steps.map((s) => s.count)).toEqual(l2.steps.map((s) => s.count));
  });

  it('adds the same test of the same load on two machines through its histograms', async () => {
    const merge = await ws.run(['merge', '--json', 'load-twice.json', 'load-again.json', 'load-more.json']);
    expect(merge.code).toBe(0);
    const all = (await read('load-twice.json')).load!;
    expect(all.tests.map((t) => t.sessions.total)).toEqual([12, 12, 12]);
    const [again, more] = [(await read('load-again.json')).load!, (await read('load-more.json')).load!];
    for (const [t, test] of all.tests.entries()) {
      for (const [s, step] of test.steps.entries()) {
        // The sum made here from the two encoded histograms, with the library's own API.
        const sum = decodeFromCompressedBase64(again.tests[t]!.steps[s]!.latency.histogram!);
        sum.autoResize = true;
        sum.add(decodeFromCompressedBase64(more.tests[t]!.steps[s]!.latency.histogram!));
        expect(step.count).toBe(12);
        expect(step.latency.count).toBe(12);
        expect(step.latency.p99).toBe(Math.round(Math.min(sum.getValueAtPercentile(99), sum.maxValue)) / 1000);
        expect(step.latency.p50).toBe(Math.round(Math.min(sum.getValueAtPercentile(50), sum.maxValue)) / 1000);
        expect(step.latency.max).toBe(Math.round(sum.maxValue) / 1000);
      }
    }
    // Sessions over time: each machine's intervals laid from its own start, the counts added.
    const sessionsOf = (t: { sessions: readonly number[] }): number => t.sessions.reduce((a, b) => a + b, 0);
    expect(sessionsOf(all.timeline)).toBe(sessionsOf(again.timeline) + sessionsOf(more.timeline));
    expect(all.timeline.sessions[0]).toBe((again.timeline.sessions[0] ?? 0) + (more.timeline.sessions[0] ?? 0));
  });

  it('writes the HTML page of a merged load run, sessions over time included', async () => {
    const merge = await ws.run(['merge', '--html', 'load-merged.html', 'load-again.json', 'load-more.json']);
    expect(merge.code, merge.stderr).toBe(0);
    const page = await readFile(join(ws.dir, 'load-merged.html'), 'utf8');
    expect(page).toContain('Sessions per second');
  });

  it('checks --threshold against the merged histograms', async () => {
    const merge = await ws.run(['merge', '--json', 'load-th.json', '--threshold', 'p99<30s', '--threshold', 'failed<=0', '--threshold', 'NOOP: p50<0.001ms', 'load-1.json', 'load-2.json']);
    expect(merge.code).toBe(1);
    const lines = merge.stdout.split('\n').filter((l) => l.includes('threshold'));
    expect(lines[0]).toMatch(/^✓ threshold p99<30s: p99 [\d.]+ ms$/);
    expect(lines[1]).toBe('✓ threshold failed<=0: 0 failed of 36');
    // The reply to NOOP in each of the three tests, from the added histograms.
    expect(lines[2]).toMatch(/^✗ threshold NOOP: p50<0\.001ms breached: p50 [\d.]+ ms at load\.yaml:5:\d+ s: 250, [\d.]+ ms over < 0\.001ms; p50 .* at load\.yaml:7:\d+ s: 250, .*; p50 .* at load\.yaml:9:\d+ s: 250, /);
    expect((await read('load-th.json')).load!.thresholds!.map((t) => t.passed)).toEqual([true, true, false]);
    // Alone, without a report to write; and refused for reports of a run that is not a load run.
    expect((await ws.run(['merge', '--threshold', 'p99<30s', 'load-1.json', 'load-2.json'])).code).toBe(0);
    const runs = await ws.run(['merge', '--threshold', 'p99<30s', ...shards]);
    expect([runs.code, runs.stderr]).toEqual([2, 'convospec: --threshold bounds a load run: these are reports of runs without --repeat/--duration\n']);
  });

  it('refuses what load mode refuses', async () => {
    const merge = await ws.run(['merge', '--transcripts', 'load-t', 'load-1.json', 'load-2.json']);
    expect([merge.code, merge.stderr]).toEqual([2, 'convospec: --transcripts does not apply to load mode (no transcript is kept): these are load reports\n']);
  });

  it('says when a shard is missing, and merges what it has', async () => {
    const merge = await ws.run(['merge', '--json', 'load-half.json', 'load-1.json']);
    expect([merge.code, merge.stderr]).toEqual([0, 'convospec: shard 2/2 missing: the merged report holds 1 of 2\n']);
  });
});

describe('reports that do not belong together', () => {
  const refused = async (files: string[], message: string | RegExp): Promise<void> => {
    const merge = await ws.run(['merge', '--json', 'refused.json', ...files]);
    expect(merge.code).toBe(2);
    if (typeof message === 'string') expect(merge.stderr).toBe(`convospec: ${message}\n`);
    else expect(merge.stderr).toMatch(message);
  };

  it('refuses another version, another tool\'s JSON, no JSON, no file', async () => {
    const v1 = await readFile(join(ws.dir, shards[0]!), 'utf8');
    await writeFile(join(ws.dir, 'v2.json'), v1.replace('"convospec": 1', '"convospec": 2'));
    await writeFile(join(ws.dir, 'other.json'), '{"stats": {}}');
    await writeFile(join(ws.dir, 'junit.json'), '<testsuites/>');
    await refused([shards[0]!, 'v2.json'], 'v2.json is a JSON report of version 2; this convospec reads version 1: merge reports of the same convospec version');
    await refused(['other.json'], 'other.json is not a convospec JSON report (no "convospec" version field): give the files of --json');
    await refused(['junit.json'], /^convospec: junit\.json is not JSON \(.*\): give the files of --json\n$/);
    await refused(['nope.json'], 'cannot read nope.json: no such file');
  });

  it('refuses a load report with a run report, shards of two splits, a shard twice', async () => {
    await refused(['load-1.json', shards[0]!], `load-1.json is a load run's report (--repeat/--duration), ${shards[0]} is not: merge reports of the same kind of run`);
    await ws.run(['run', 'load.yaml', '--repeat', '2', '--shard', '1/3', '--json', 'load-1of3.json']);
    await refused(['load-1.json', 'load-1of3.json'], 'load-1.json is shard 1/2 and load-1of3.json shard 1/3: shards of different splits');
    await refused(['load-1.json', 'load-1.json'], 'load-1.json and load-1.json are both shard 1/2');
    await refused(['load-1.json', 'load-again.json'], 'load-1.json is a shard (--shard 1/2), load-again.json is not: merge the shards of one run');
  });

  it('refuses the same test in two run reports, and a spec file that is two suites', async () => {
    await ws.run(['run', 'specs', '--json', 'whole-again.json']);
    await refused(['whole.json', 'whole-again.json'], /^convospec: specs\/a\.yaml:\d+ "a\d" is in whole\.json and in whole-again\.json: a test runs in one shard only \(reports of two runs\?\)\n$/);
    const renamed = (await readFile(join(ws.dir, shards[1]!), 'utf8')).replaceAll('"name": "A"', '"name": "A2"');
    await writeFile(join(ws.dir, 'renamed.json'), renamed);
    await refused([shards[0]!, 'renamed.json'], 'specs/a.yaml is suite "A" in shards/run-1.json and "A2" in renamed.json: reports of different versions of the specs');
  });

  it('knows the shards of a run from its reports: two splits, a shard twice, a shard missing', async () => {
    await ws.run(['run', 'specs', '--shard', '1/3', '--json', 'third-1.json']);
    await refused([shards[0]!, 'third-1.json'], 'shards/run-1.json is shard 1/4 and third-1.json shard 1/3: shards of different splits');
    await refused([shards[1]!, shards[1]!], 'shards/run-2.json and shards/run-2.json are both shard 2/4');
    await refused([shards[0]!, 'whole.json'], 'shards/run-1.json is a shard (--shard 1/4), whole.json is not: merge the shards of one run');
    const three = await ws.run(['merge', '--json', 'three.json', shards[0]!, shards[1]!, shards[3]!]);
    expect([three.code, three.stderr]).toEqual([1, 'convospec: shard 3/4 missing: the merged report holds 3 of 4\n']);
    expect((await read(shards[2]!)).shard).toEqual({ index: 3, count: 4 });
    expect(await read('all.json')).not.toHaveProperty('shard');
  });

  it('writes nothing without a report flag', async () => {
    const merge = await ws.run(['merge', shards[0]!]);
    expect(merge.code).toBe(2);
    expect(merge.stderr).toMatch(/^convospec: merge writes nothing without a report flag: add --junit, --json, --html, --tap/);
  });
});
