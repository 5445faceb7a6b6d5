/**
 * `run()` and `validate()` from the source, against an in-process smtp-server: typed results
 * with spans, events in order, the environment only as passed, reports, interruption.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, validate, type Reporter, type ConvospecEvent } from '../../src/api/index.js';
import { workspace, type Workspace } from '../helpers/cli.js';
import { ROOT } from '../helpers/build.js';
import { senderRefusedTest, specWithGreeting, startRelay, type Relay } from './relay.js';

let ws: Workspace;
let relay: Relay;
let port: number;

const SPEC = `${specWithGreeting('Relay', '    tags: [smoke]\n')}${senderRefusedTest('refuses nobody')}  - name: later
    skip: not written yet
    steps:
      - s: 220
`;

beforeAll(async () => {
  relay = await startRelay();
  port = relay.port;
  ws = await workspace();
  await ws.write('specs/relay.yaml', SPEC);
  await ws.write('specs/broken.yaml.txt', 'not a spec');
  await ws.write('bad/typo.yaml', 'name: Typo\nconnect: { host: 127.0.0.1, port: 25, protocol: smtp }\ntests:\n  - name: t\n    steps:\n      - s: { cod: 220 }\n');
});

afterAll(async () => {
  await ws.dispose();
  await relay.close();
});

describe('run()', () => {
  it('returns each test with its status, and a failure with the step\'s span and expected vs received', async () => {
    const result = await run('specs', { cwd: ws.dir, env: { SMTP_PORT: String(port) } });
    expect(result.status).toBe('failed');
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(1);
    expect(result.results.map((r) => [r.test.name, r.status])).toEqual([
      ['greets and says goodbye', 'passed'],
      ['refuses nobody', 'failed'],
      ['later', 'skipped'],
    ]);
    const failure = result.results[1]!.failure!;
    expect(failure.span).toMatchObject({ file: 'specs/relay.yaml', line: 18, col: 12 });
    expect(failure.expected).toBe('550');
    expect(failure.actual).toMatch(/^250 /);
    expect(result.summary).toMatchObject({ passed: 1, failed: 1, skipped: 1, interrupted: false });
  });

  it('reads no environment it was not given: `${env.SMTP_PORT}` unset makes the spec invalid, nothing connects', async () => {
    const events: ConvospecEvent[] = [];
    const result = await run(['specs/relay.yaml'], { cwd: ws.dir, onEvent: (e) => void events.push(e) });
    expect(result.status).toBe('invalid');
    expect(result.exitCode).toBe(2);
    expect(result.diagnostics[0]).toMatchObject({ code: 'env-unset', span: { file: 'specs/relay.yaml', line: 2 } });
    expect(events.map((e) => e.type)).toEqual(['invalid-specs']);
  });

  it('tells onEvent every event in order, after selection by tag', async () => {
    const events: ConvospecEvent[] = [];
    const result = await run('specs', { cwd: ws.dir, env: { SMTP_PORT: String(port) }, tags: ['smoke'], onEvent: (e) => void events.push(e) });
    expect(result.status).toBe('passed');
    expect(result.exitCode).toBe(0);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('run-start');
    expect(types[1]).toBe('test-start');
    expect(types.slice(2, -2).every((t) => t === 'transcript')).toBe(true);
    expect(types.slice(-2)).toEqual(['test-end', 'run-end']);
    const sent = events.flatMap((e) => (e.type === 'transcript' && e.entry.dir === 'c' ? [e.entry.text] : []));
    expect(sent).toEqual(['EHLO client.test', 'QUIT']);
  });

  it('writes the built-in reports asked for, and the console to the streams given', async () => {
    const stdout = new PassThrough();
    let printed = '';
    stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const result = await run('specs', {
      cwd: ws.dir,
      env: { SMTP_PORT: String(port) },
      grep: /greets/,
      reports: { junit: 'out/junit.xml', json: 'out/report.json', console: true },
      output: { stdout, stderr: new PassThrough() },
    });
    expect(result.ok).toBe(true);
    expect(await readFile(join(ws.dir, 'out/junit.xml'), 'utf8')).toContain('<testcase classname="specs/relay" name="greets and says goodbye" file="specs/relay.yaml"');
    expect(JSON.parse(await readFile(join(ws.dir, 'out/report.json'), 'utf8'))).toMatchObject({ summary: { passed: 1 } });
    expect(printed).toMatch(/✓ Relay › greets and says goodbye/);
  });

  it('turns on a switch reporter by `true`: GitHub annotations on stdout, the summary to env.GITHUB_STEP_SUMMARY', async () => {
    const stdout = new PassThrough();
    let printed = '';
    stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const result = await run('specs', {
      cwd: ws.dir,
      env: { SMTP_PORT: String(port), GITHUB_STEP_SUMMARY: join(ws.dir, 'out/summary.md') },
      reports: { github: true },
      output: { stdout, stderr: new PassThrough() },
    });
    expect(result.ok).toBe(false);
    expect(printed).toMatch(/^::error file=specs\/relay\.yaml,line=\d+,col=\d+/m);
    expect(await readFile(join(ws.dir, 'out/summary.md'), 'utf8')).toContain('failed');
    await expect(run('specs', { cwd: ws.dir, reports: { github: 'x.txt' } as never })).rejects.toThrow(/reports\.github is turned on by `true`/);
  });

  it('hands every event to a reporter of the caller\'s own, after the built-in ones; takes one shard', async () => {
    const seen: string[] = [];
    const mine: Reporter = {
      onTestEnd: (result) => void seen.push(`${result.test.name}: ${result.status}`),
      onRunEnd: (results, summary) => void seen.push(`end: ${results.length} results, ${summary.skipped} skipped`),
    };
    const result = await run('specs', { cwd: ws.dir, env: { SMTP_PORT: String(port) }, shard: '2/2', reporters: [mine] });
    // Round-robin over the file's tests: the second shard holds the second test.
    expect(seen).toEqual(['refuses nobody: failed', 'end: 1 results, 0 skipped']);
    expect(result.results).toHaveLength(1);
  });

  it('waits a reply no longer than `timeout` (ms) for steps that set none', async () => {
    await ws.write('quiet/quiet.yaml', `name: Quiet
connect: { host: 127.0.0.1, port: ${port}, protocol: smtp }
tests:
  - name: waits for a second greeting
    steps:
      - s: 220
      - s: 220
`);
    const result = await run('quiet', { cwd: ws.dir, timeout: 300 });
    expect(result.results[0]!.failure).toMatchObject({ kind: 'timeout', message: 'no reply within 300ms', span: { line: 7 } });
  });

  it('rejects with what onEvent or a reporter of the caller\'s threw, once the run has ended (no unhandled rejection)', async () => {
    const bug = new Error('a bug in the caller');
    let ended = false;
    const running = run('specs', {
      cwd: ws.dir,
      env: { SMTP_PORT: String(port) },
      grep: /greets/,
      // Transcript lines are handed on without waiting: a throw there must still reach the caller.
      onEvent: (e) => {
        if (e.type === 'transcript') throw bug;
      },
      reporters: [{ onRunEnd: () => void (ended = true) }],
    });
    await expect(running).rejects.toBe(bug);
    expect(ended).toBe(true);
  });

  it('refuses an unknown reporter and a report path it cannot write before anything runs', async () => {
    await expect(run('specs', { cwd: ws.dir, reports: { tapp: 'x' } as never })).rejects.toThrow(/unknown reporter "tapp"; known: console, junit/);
    await ws.write('taken', 'a file');
    await expect(run('specs', { cwd: ws.dir, reports: { transcripts: 'taken' } })).rejects.toThrow(/^reports\.transcripts taken: cannot write there/);
  });

  it('says `empty` when nothing is selected', async () => {
    const result = await run('specs', { cwd: ws.dir, env: { SMTP_PORT: String(port) }, grep: 'no such test' });
    expect(result).toMatchObject({ status: 'empty', exitCode: 2, results: [] });
  });

  it('stops on the signal: the running test ends as interrupted', async () => {
    await ws.write('slow/slow.yaml', `name: Slow
connect: { host: 127.0.0.1, port: ${port}, protocol: smtp }
tests:
  - name: waits
    steps:
      - s: 220
      - c: NOOP
      - s: { code: 599, timeout: 60s }
`);
    const stop = new AbortController();
    const result = await run('slow', {
      cwd: ws.dir,
      signal: stop.signal,
      onEvent: (e) => {
        if (e.type === 'transcript' && e.entry.dir === 'c') stop.abort();
      },
    });
    expect(result.status).toBe('interrupted');
    expect(result.exitCode).toBe(130);
    expect(result.summary.interrupted).toBe(true);
  });
});

describe('validate()', () => {
  it('gives each problem as data: file:line:col, a stable code, the message, and the text the command prints', async () => {
    const result = await validate(['bad', 'specs'], { cwd: ws.dir });
    expect(result.ok).toBe(false);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ code: 'unknown-key', span: { file: 'bad/typo.yaml', line: 6, col: 14 } });
    expect(result.diagnostics[0]!.hint).toMatch(/code/);
    expect(result.text).toContain('bad/typo.yaml:6:14');
    expect(result).toMatchObject({ files: 2, specs: 1 });
  });

  it('checks specs held in memory; an include reads the other files given, never the disk', async () => {
    const ok = await validate({
      files: {
        'a.yaml': 'name: A\nconnect: { host: h, port: 25, protocol: smtp }\ntests:\n  - name: t\n    steps:\n      - include: parts/hello.yaml\n',
        'parts/hello.yaml': 'fragment: hello\nsteps:\n  - s: 220\n',
      },
    }, { cwd: ws.dir });
    expect(ok).toMatchObject({ ok: true, files: 2, specs: 1, diagnostics: [] });
    const missing = await validate({ files: { 'a.yaml': 'name: A\nconnect: { host: h, port: 25, protocol: smtp }\ntests:\n  - name: t\n    steps:\n      - include: ../specs/relay.yaml\n' } }, { cwd: join(ws.dir, 'x') });
    expect(missing.ok).toBe(false);
    expect(missing.diagnostics[0]).toMatchObject({ span: { file: 'a.yaml', line: 6 } });
  });

  it('hides a spec\'s secrets in what it returns', async () => {
    const result = await validate({ files: { 's.yaml': 'name: S\nconnect: { host: h, port: 25, protocol: smtp }\nvars: { pass: hunter22 }\nsecrets: [pass]\ntests:\n  - name: t\n    steps:\n      - c: AUTH ${pass}\n      - s: { code: 235, frobnicate: hunter22 }\n' } }, { cwd: ws.dir });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('hunter22');
  });
});

describe('run() against the real Postfix', () => {
  // The servers' coordinates come from the env file test/servers/start.sh writes (.ci/run sources it).
  const env = process.env;
  const real = env.MAIL_HOST !== undefined && env.MAIL_CA !== undefined && env.SMTP_PORT !== undefined;
  const why = real ? '' : ' (skipped: MAIL_HOST, MAIL_CA and SMTP_PORT are not set; source the env file test/servers/start.sh prints)';
  it.skipIf(!real)(`runs the regression suite's MX greeting, EHLO and STARTTLS tests, the certificate verified${why}`, async () => {
    const ends: string[] = [];
    const result = await run('specs/smtp-mx.yaml', {
      cwd: ROOT,
      env,
      grep: /Greeting and EHLO|STARTTLS upgrades|offers no AUTH/,
      onEvent: (e) => {
        if (e.type === 'test-end') ends.push(`${e.result.test.name}: ${e.result.status}`);
      },
    });
    // In the order they finished: concurrently.
    expect(ends.sort()).toEqual([
      'Greeting and EHLO keywords, line by line: passed',
      'STARTTLS upgrades the session and the certificate is the test CA\'s: passed',
      'The MX port offers no AUTH (503): passed',
    ]);
    expect(result).toMatchObject({ status: 'passed', ok: true, exitCode: 0 });
    expect(result.results.flatMap((r) => r.transcript).some((e) => e.dir === 'tls')).toBe(true);
  });
});
