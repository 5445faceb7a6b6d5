/**
 * Load mode end to end: the real CLI in-process against a scripted server on 127.0.0.1
 * port 0 with known reply delays and chosen failures. Latency bounds are generous (the
 * machine is shared): a delay's lower bound is firm, its upper bound loose.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workspace, type Workspace } from '../helpers/cli.js';
import { startScriptedServer, type ScriptedServer } from './scripted-server.js';
import type { LoadReport, LoadStepReport } from '../../src/loadtest/report.js';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';

let ws: Workspace;
let server: ScriptedServer | undefined;

beforeAll(async () => {
  ws = await workspace();
});
afterAll(async () => {
  await ws.dispose();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const header = (port: number, extra = ''): string => `name: load
connect: { host: 127.0.0.1, port: ${port}, protocol: smtp }
${extra}`;

interface JsonWithLoad {
  readonly load: LoadReport;
  readonly suites: readonly { readonly tests: readonly { status: string; runs?: number; failedRuns?: number }[] }[];
}

async function readJson(name: string): Promise<JsonWithLoad> {
  return JSON.parse(await readFile(join(ws.dir, name), 'utf8')) as JsonWithLoad;
}

const row = (steps: readonly LoadStepReport[], label: string): LoadStepReport => {
  const found = steps.find((s) => s.label === label);
  if (!found) throw new Error(`no row "${label}" in ${steps.map((s) => s.label).join(' | ')}`);
  return found;
};

describe('load mode statistics', () => {
  it('gives the percentiles of known reply delays, per step', async () => {
    server = await startScriptedServer({ delays: { EHLO: 20, NOOP: 80 } });
    await ws.write(
      'delays.yaml',
      `${header(server.port)}tests:
  - name: slow replies
    steps:
      - s: 220
      - c: EHLO load.test
      - s: { code: 250, contains: [PIPELINING] }
      - c: NOOP
      - s: 250
      - c: QUIT
      - s: 221
`,
    );
    const run = await ws.run(['run', 'delays.yaml', '--repeat', '20', '--concurrency', '4', '--json', 'delays.json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { load } = await readJson('delays.json');
    expect(load.sessions).toEqual({ total: 20, passed: 20, failed: 0, errored: 0 });
    expect(load.settings).toEqual({ concurrency: 4, repeat: 20 });
    const [test] = load.tests;
    const steps = test!.steps;
    expect(steps.map((s) => s.label)).toEqual(['connect (smtp)', 's: 220', 'c: EHLO load.test', 's: 250 {contains}', 'c: NOOP', 's: 250', 'c: QUIT', 's: 221']);
    for (const s of steps) expect([s.label, s.count, s.failed]).toEqual([s.label, 20, 0]);
    expect(steps[1]!.key).toBe('delays.yaml:6:9');

    const ehlo = row(steps, 's: 250 {contains}').latency;
    const noop = row(steps, 's: 250').latency;
    for (const l of [ehlo, noop, test!.latency]) {
      expect(l.count).toBe(20);
      expect(l.p50).toBeLessThanOrEqual(l.p95);
      expect(l.p95).toBeLessThanOrEqual(l.p99);
      expect(l.p99).toBeLessThanOrEqual(l.max);
    }
    expect(ehlo.p50).toBeGreaterThanOrEqual(18);
    expect(ehlo.p50).toBeLessThan(20 + 100);
    expect(noop.p50).toBeGreaterThanOrEqual(78);
    expect(noop.p50).toBeLessThan(80 + 150);
    expect(noop.p50 - ehlo.p50).toBeGreaterThan(30);
    expect(test!.latency.p50).toBeGreaterThanOrEqual(98);
    // The whole histogram travels in the JSON, in HdrHistogram's own encoding (for merging shards).
    const decoded = decodeFromCompressedBase64(noop.histogram!);
    expect(decoded.totalCount).toBe(20);
    expect(Math.min(decoded.getValueAtPercentile(50), decoded.maxValue) / 1000).toBeCloseTo(noop.p50, 0);
    expect(load.sessionsPerSecond).toBeGreaterThan(0);

    expect(run.stdout).toMatch(/p50 ms\s+p95 ms\s+p99 ms\s+max ms/);
    expect(run.stdout).toMatch(/^20 sessions in .*sessions\/s: all passed \(concurrency 4, repeat 20\)$/m);
  });

  it('counts failures (every 3rd session refused), samples a few, and exits 1', async () => {
    server = await startScriptedServer({ failMail: (session) => session % 3 === 0 });
    await ws.write(
      'fails.yaml',
      `${header(server.port)}tests:
  - name: one message
    steps:
      - s: 220
      - c: EHLO load.test
      - s: 250
      - c: MAIL FROM:<a@example.net>
      - s: 250
      - c: RCPT TO:<b@example.org>
      - s: 250
      - c: DATA
      - s: 354
      - data: "Subject: load\\n\\nhello\\n"
      - s: 250
      - c: QUIT
      - s: 221
`,
    );
    const run = await ws.run(['run', 'fails.yaml', '--repeat', '30', '--concurrency', '3', '--json', 'fails.json', '--junit', 'fails.xml']);
    expect(run.code).toBe(1);
    expect(server.stats.sessions).toBe(30);
    const json = await readJson('fails.json');
    const { load } = json;
    expect(load.sessions).toEqual({ total: 30, passed: 20, failed: 10, errored: 0 });
    const test = load.tests[0]!;
    expect(test.failures.byKind).toEqual({ mismatch: 10 });
    // Sessions over time: every session in one interval, the failed ones too.
    expect(load.timeline.intervalMs).toBe(1000);
    expect(load.timeline.sessions.reduce((a, b) => a + b, 0)).toBe(30);
    expect(load.timeline.failed.reduce((a, b) => a + b, 0)).toBe(10);
    expect(load.timeline.endMs).toBeGreaterThan(0);
    expect(test.failures.samples).toHaveLength(5);
    for (const s of test.failures.samples) {
      expect(s.message).toMatch(/451/);
      expect([s.file, s.line]).toEqual(['fails.yaml', 10]);
    }
    const mailReply = test.steps.find((s) => s.line === 10)!;
    expect([mailReply.label, mailReply.count, mailReply.failed]).toEqual(['s: 250', 30, 10]);
    expect(row(test.steps, 'c: RCPT TO:<b@example.org>').count).toBe(20);
    expect(row(test.steps, 'connect (smtp)')).toMatchObject({ count: 30, failed: 0 });
    expect(json.suites[0]!.tests[0]).toMatchObject({ status: 'failed', runs: 30, failedRuns: 10 });

    const xml = await readFile(join(ws.dir, 'fails.xml'), 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(1);
    expect(xml).toContain('10 of 30 runs failed');
    expect(xml).toContain('runs: 30, failed: 10');
    expect(run.stdout).toMatch(/failures: mismatch 10; the first 5:/);
  });

  it('runs each test --repeat times, a serial file one session at a time', async () => {
    server = await startScriptedServer({ delays: { NOOP: 5 } });
    const steps = `    steps:
      - s: 220
      - c: NOOP
      - s: 250
      - c: QUIT
      - s: 221
`;
    await ws.write('serial.yaml', `${header(server.port, 'serial: true\n')}tests:\n  - name: first\n${steps}  - name: second\n${steps}  - name: skipped\n    skip: not today\n${steps}`);
    const run = await ws.run(['run', 'serial.yaml', '--repeat', '3', '--concurrency', '4', '--json', 'serial.json']);
    expect(run.code).toBe(0);
    expect(server.stats.sessions).toBe(6);
    expect(server.stats.maxOpen).toBe(1);
    const json = await readJson('serial.json');
    expect(json.load.tests.map((t) => [t.name, t.sessions.total])).toEqual([['first', 3], ['second', 3]]);
    expect(json.suites[0]!.tests.map((t) => t.status)).toEqual(['passed', 'passed', 'skipped']);
  });

  it('stops starting sessions at --duration, and paces them with --rate', async () => {
    server = await startScriptedServer();
    await ws.write('quick.yaml', `${header(server.port)}steps:\n  - s: 220\n  - c: QUIT\n  - s: 221\n`);
    const timed = await ws.run(['run', 'quick.yaml', '--duration', '300ms', '--repeat', '1000000', '--concurrency', '2', '--json', 'd.json']);
    expect(timed.code).toBe(0);
    const d = (await readJson('d.json')).load;
    expect(d.sessions.total).toBeGreaterThan(0);
    expect(d.sessions.total).toBeLessThan(1_000_000);
    expect(d.sessions.failed + d.sessions.errored).toBe(0);
    expect(d.settings).toMatchObject({ durationMs: 300, repeat: 1000000 });

    const paced = await ws.run(['run', 'quick.yaml', '--repeat', '5', '--rate', '40/s', '--concurrency', '5', '--json', 'r.json']);
    expect(paced.code).toBe(0);
    const r = (await readJson('r.json')).load;
    expect(r.sessions.total).toBe(5);
    // Five starts 25 ms apart span at least 100 ms; pacing can only be late, never early.
    expect(r.durationMs).toBeGreaterThanOrEqual(90);
  });

  it('counts sessions that reach their deadline, and stops at Ctrl-C with exit 130', async () => {
    server = await startScriptedServer({ ignore: ['NOOP'] });
    await ws.write('stuck.yaml', `${header(server.port, 'deadline: 150ms\n')}steps:\n  - s: 220\n  - c: NOOP\n  - s: 250\n`);
    const run = await ws.run(['run', 'stuck.yaml', '--repeat', '4', '--concurrency', '2', '--json', 'stuck.json']);
    expect(run.code).toBe(1);
    const { load } = await readJson('stuck.json');
    expect(load.sessions).toEqual({ total: 4, passed: 0, failed: 4, errored: 0 });
    expect(load.tests[0]!.failures.byKind).toEqual({ deadline: 4 });
    expect(load.tests[0]!.failures.samples[0]!.message).toMatch(/deadline of 150ms/);

    const interrupt = new AbortController();
    await ws.write('forever.yaml', `${header(server.port)}steps:\n  - s: 220\n  - c: NOOP\n  - s: 250\n`);
    const running = ws.run(['run', 'forever.yaml', '--duration', '1m', '--concurrency', '2', '--json', 'forever.json'], { signal: interrupt.signal });
    setTimeout(() => interrupt.abort(), 200);
    const stopped = await running;
    expect(stopped.code).toBe(130);
    const forever = await readJson('forever.json');
    // Sessions cut short are left out: none had finished.
    expect(forever.load).toMatchObject({ interrupted: true, sessions: { total: 0 } });
  });

  it('runs many sessions at once without Node warning about abort listeners', async () => {
    server = await startScriptedServer({ delays: { NOOP: 20 } });
    await ws.write('wide.yaml', `${header(server.port)}steps:\n  - s: 220\n  - c: NOOP\n  - s: 250\n  - c: QUIT\n  - s: 221\n`);
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const run = await ws.run(['run', 'wide.yaml', '--repeat', '60', '--concurrency', '30']);
      expect(run.code).toBe(0);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([]);
    expect(server.stats.maxOpen).toBeGreaterThan(10);
  });

  it('refuses load flags that make no sense', async () => {
    await ws.write('any.yaml', `${header(1)}steps:\n  - s: 220\n`);
    for (const args of [
      ['--rate', '5/s'],
      ['--repeat', '0'],
      ['--repeat', '2', '--rate', 'fast'],
      ['--duration', 'soon'],
      ['--repeat', '2', '--verbose'],
      ['--repeat', '2', '--transcripts', 'out'],
      ['--shard', '3/2'],
    ]) {
      const run = await ws.run(['run', 'any.yaml', ...args]);
      expect([args, run.code]).toEqual([args, 2]);
      expect(run.stderr).toMatch(/^convospec: --/);
    }
  });
});

describe('--shard on the command line', () => {
  it('lists disjoint parts whose union is the whole selection', async () => {
    const tests = (n: number): string => Array.from({ length: n }, (_, i) => `  - name: t${i}\n    steps: []\n`).join('');
    await ws.write('shard/b.yaml', `${header(25)}tests:\n${tests(2)}`);
    await ws.write('shard/a.yaml', `${header(25)}tests:\n${tests(3)}`);
    const lines = (out: string): string[] => out.split('\n').filter(Boolean);
    const all = await ws.run(['run', 'shard', '--list']);
    expect(all.code).toBe(0);
    const parts = await Promise.all([1, 2, 3].map((i) => ws.run(['run', 'shard', '--list', '--shard', `${i}/3`])));
    const listed = parts.flatMap((p) => lines(p.stdout));
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...lines(all.stdout)].sort());
    expect(lines(parts[0]!.stdout)).toEqual([expect.stringMatching(/a\.yaml.*t0$/), expect.stringMatching(/b\.yaml.*t0$/)]);
    const wide = await ws.run(['run', 'shard', '--list', '--shard', '6/6']);
    expect([wide.code, wide.stdout, wide.stderr]).toEqual([0, '', 'convospec: shard 6/6 holds no test\n']);
  });
});
