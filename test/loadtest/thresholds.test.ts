/**
 * `--threshold EXPR`: parsed when the command starts (a bad one is exit 2 with a hint, and
 * nothing connects), refused outside load mode, and checked at the end against the run's
 * histograms and failures, against a scripted server whose reply delays and failures are
 * known: a breach fails the run (exit 1) and says which threshold and by how much.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseThreshold } from '../../src/loadtest/thresholds.js';
import type { LoadReport } from '../../src/loadtest/report.js';
import { workspace, type Workspace } from '../helpers/cli.js';
import { startScriptedServer, type ScriptedServer } from './scripted-server.js';

describe('parsing a threshold', () => {
  it('reads the metric, the bound and the scope', () => {
    expect(parseThreshold('p99<800ms')).toEqual({ text: 'p99<800ms', metric: { kind: 'percentile', percentile: 99 }, inclusive: false, limit: 800, percent: false, bound: '800ms' });
    expect(parseThreshold(' p95 <= 1.5s ')).toMatchObject({ metric: { kind: 'percentile', percentile: 95 }, inclusive: true, limit: 1500 });
    expect(parseThreshold('p99.9<2m')).toMatchObject({ metric: { percentile: 99.9 }, limit: 120_000 });
    expect(parseThreshold('failed<1%')).toMatchObject({ metric: { kind: 'failed' }, limit: 0.01, percent: true });
    expect(parseThreshold('failed<=5')).toMatchObject({ metric: { kind: 'failed' }, inclusive: true, limit: 5, percent: false });
    expect(parseThreshold('EHLO: p99<800ms')).toMatchObject({ scope: 'EHLO', metric: { percentile: 99 } });
    expect(parseThreshold('specs/submit.yaml:12: max<1s')).toMatchObject({ scope: 'specs/submit.yaml:12', metric: { kind: 'max' } });
    expect(parseThreshold('s: 250: mean<10ms')).toMatchObject({ scope: 's: 250', metric: { kind: 'mean' } });
  });

  it('says what is wrong, with a hint', () => {
    expect(() => parseThreshold('p99<800')).toThrow('--threshold "p99<800": a latency needs its unit: 800ms or 800s; e.g. p99<800ms');
    expect(() => parseThreshold('p99>800ms')).toThrow(/a threshold is an upper bound: use < or <=/);
    expect(() => parseThreshold('latency<1s')).toThrow(/"latency<1s": not a threshold; e\.g\. p99<800ms/);
    expect(() => parseThreshold('failed<1ms')).toThrow(/failed takes a percentage \(1%\) or a count of sessions \(5\), got "1ms"/);
    expect(() => parseThreshold('p0<1s')).toThrow(/a percentile is from/);
    expect(() => parseThreshold('failed<101%')).toThrow(/failed takes a percentage/);
  });
});

let ws: Workspace;
let server: ScriptedServer;

beforeAll(async () => {
  ws = await workspace();
  // NOOP answers after 25 ms; every 4th session's MAIL is refused (451).
  server = await startScriptedServer({ delays: { NOOP: 25 }, failMail: (n) => n % 4 === 0 });
  await ws.write(
    'load.yaml',
    `name: load
connect: { host: 127.0.0.1, port: ${server.port}, protocol: smtp }
steps:
  - s: 220
  - c: NOOP
  - s: 250
  - c: MAIL FROM:<a@b.test>
  - s: 250
  - c: QUIT
  - s: 221
`,
  );
});

afterAll(async () => {
  await server.close();
  await ws.dispose();
});

const load = (...extra: string[]): Promise<Awaited<ReturnType<Workspace['run']>>> =>
  ws.run(['run', 'load.yaml', '--repeat', '8', '--concurrency', '2', ...extra]);

describe('--threshold on the command line', () => {
  it('a bad expression is exit 2 with a hint, before anything connects', async () => {
    const before = server.stats.sessions;
    const run = await load('--threshold', 'p99<800');
    expect([run.code, run.stderr]).toEqual([2, expect.stringContaining('convospec: --threshold "p99<800": a latency needs its unit: 800ms or 800s; e.g.')]);
    expect(server.stats.sessions).toBe(before);
  });

  it('is refused outside load mode', async () => {
    const run = await ws.run(['run', 'load.yaml', '--threshold', 'p99<1s']);
    expect([run.code, run.stderr]).toEqual([2, 'convospec: --threshold bounds a load run: add --repeat N or --duration 30s (docs/load.md)\n']);
  });

  it('a breach fails the run and says which threshold and by how much; the rest pass', async () => {
    const run = await load(
      '--threshold', 'NOOP: p50<10ms',
      '--threshold', 'NOOP: p99<20s',
      '--threshold', 'failed<10%',
      '--threshold', 'failed<=1',
      '--threshold', 'p99<30s',
      '--json', 'thresholds.json',
    );
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n').filter((l) => l.includes('threshold'));
    expect(lines).toHaveLength(5);
    // The reply to NOOP (the `s: 250` on line 6) came after 25 ms at least: 15 ms over at least.
    expect(lines[0]).toMatch(/^✗ threshold NOOP: p50<10ms breached: p50 (2\d|[3-9]\d|\d{3,})(\.\d+)? ms at load\.yaml:6:5 s: 250, (1[5-9]|[2-9]\d|\d{3,})(\.\d+)? ms over < 10ms$/);
    expect(lines[1]).toMatch(/^✓ threshold NOOP: p99<20s: p99 [\d.]+ ms at load\.yaml:6:5 s: 250$/);
    // 2 of 8 sessions refused at MAIL: 25%.
    expect(lines[2]).toBe('✗ threshold failed<10% breached: 25% failed (2 of 8), 15 points over < 10%');
    expect(lines[3]).toBe('✗ threshold failed<=1 breached: 2 failed of 8, 1 over ≤ 1');
    expect(lines[4]).toMatch(/^✓ threshold p99<30s: p99 [\d.]+ ms$/);
    const report = JSON.parse(await readFile(join(ws.dir, 'thresholds.json'), 'utf8')) as { load: LoadReport };
    expect(report.load.thresholds!.map((t) => [t.threshold, t.passed])).toEqual([
      ['NOOP: p50<10ms', false],
      ['NOOP: p99<20s', true],
      ['failed<10%', false],
      ['failed<=1', false],
      ['p99<30s', true],
    ]);
  });

  it('a threshold that holds does not change the exit code; a step named by its line', async () => {
    const ok = await ws.run(['run', 'load.yaml', '--repeat', '3', '--grep', 'load', '--threshold', 'load.yaml:5: failed<=0', '--threshold', 'failed<=1']);
    // Only the step on line 5 (`c: NOOP`) is bound: it never fails.
    expect(ok.stdout).toMatch(/^✓ threshold load\.yaml:5: failed<=0: 0 failed of 3 at load\.yaml:5:5 c: NOOP$/m);
  });

  it('shows a step\'s label with its secrets hidden', async () => {
    await ws.write('secret.yaml', `name: secret\nconnect: { host: 127.0.0.1, port: ${server.port}, protocol: smtp }\nvars: { pass: "Sekr1t-Literal-99" }\nsecrets: [pass]\nsteps:\n  - s: 220\n  - c: NOOP Sekr1t-Literal-99\n  - s: 250\n  - c: QUIT\n  - s: 221\n`);
    const run = await ws.run(['run', 'secret.yaml', '--repeat', '2', '--threshold', 'secret.yaml:7: failed<=0', '--json', 'secret.json']);
    expect(run.stdout).toMatch(/^✓ threshold secret\.yaml:7: failed<=0: 0 failed of 2 at secret\.yaml:7:5 c: NOOP \*\*\*$/m);
    expect(run.stdout + (await readFile(join(ws.dir, 'secret.json'), 'utf8'))).not.toContain('Sekr1t');
  });

  it('a scope that names no step is a breach that says so', async () => {
    const run = await load('--threshold', 'STARTTLS: p99<1s');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ threshold STARTTLS: p99<1s breached: no step matches "STARTTLS"');
  });
});
