/**
 * The CI reports through the command line, against a real SMTP server (nodemailer's
 * smtp-server, in-process) and a scripted one that answers with hostile bytes: GitHub
 * annotations on the failing step's line (with `GITHUB_ACTIONS=true` alone, or `--github`),
 * the step summary appended to `$GITHUB_STEP_SUMMARY`, TAP, and no secret in any of them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace, type Workspace } from '../helpers/cli.js';
import { listen, smtpScript, type Peer } from '../hostile/peers.js';
import { startScriptedServer, type ScriptedServer } from '../loadtest/scripted-server.js';
import { parseWorkflowCommands } from '../report/workflow-commands.js';
import { GITHUB_MESSAGE_CHARS } from '../../src/report/github.js';
import { havePerlTap, parseTap } from '../report/tap-consumer.js';

const PASS = 'Zq7.hunter2+Gh-Secret-42';
const NASTY = '550 x ]]> </script> ::error::forged %0A\x1b[31m\x00 | *b* <img src=x>';

let ws: Workspace;
let server: SMTPServer;
let port: number;
let nasty: Peer;
let scripted: ScriptedServer;

beforeAll(async () => {
  ws = await workspace();
  server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN'],
    authOptional: true,
    logger: false,
    onAuth: (_auth, _session, callback) => callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 })),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as { port: number }).port;
  nasty = await listen(smtpScript({ NOOP: `${NASTY}\r\n` }));
  scripted = await startScriptedServer({ delays: { NOOP: 3 } });
  await ws.write(
    'ci.yaml',
    `name: CI
connect: { host: 127.0.0.1, port: ${port}, protocol: smtp }
vars: { user: alice, pass: "${PASS}" }
secrets: [pass]
tests:
  - name: greets
    steps: [{ s: 220 }, { c: QUIT }, { s: 221 }]
  - name: logs in
    steps:
      - s: 220
      - c: EHLO client.test
      - s: 250
      - c: AUTH PLAIN \${sasl_plain(user, pass)}
      - s: 235
  - name: later
    skip: no LMTP here
    steps: [{ s: 220 }]
`,
  );
  await ws.write(
    'nasty.yaml',
    `name: hostile
connect: { host: 127.0.0.1, port: ${nasty.port}, protocol: smtp }
tests:
  - name: NOOP
    steps: [{ s: 220 }, { c: NOOP }, { s: 250 }]
`,
  );
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await nasty.close();
  await scripted.close();
  await ws.dispose();
});

describe('GitHub Actions', () => {
  it('with GITHUB_ACTIONS=true: an ::error on the failing step\'s line, and the summary appended', async () => {
    await writeFile(join(ws.dir, 'summary.md'), '# before\n');
    const run = await ws.run(['run', 'ci.yaml'], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: 'summary.md' } });
    expect(run.code).toBe(1);
    const commands = parseWorkflowCommands(run.stdout);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({
      command: 'error',
      // `- s: 235`, the step that failed, is line 14; its value at column 12.
      properties: { file: 'ci.yaml', line: '14', col: '12', title: 'CI › logs in' },
    });
    expect(commands[0]!.message).toMatch(/^expected reply code 235, got 535\nexpected: 235\nreceived: 535 /);
    const summary = await readFile(join(ws.dir, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^# before\n### convospec: 1 failed\n\n1 passed · 1 failed · 0 errored · 1 skipped\n/);
    expect(summary).toContain('- **CI › logs in** at `ci.yaml:14:12`');
    for (const text of [run.stdout, run.stderr, summary]) {
      expect(text).not.toContain(PASS);
      expect(text).not.toContain(Buffer.from(`\0alice\0${PASS}`).toString('base64'));
    }
  });

  it('is off without GITHUB_ACTIONS=true, and on with --github', async () => {
    const off = await ws.run(['run', 'ci.yaml'], { env: { GITHUB_ACTIONS: 'false' } });
    expect(parseWorkflowCommands(off.stdout)).toEqual([]);
    const on = await ws.run(['run', 'ci.yaml', '--github']);
    expect(parseWorkflowCommands(on.stdout).map((c) => c.properties.line)).toEqual(['14']);
  });

  it('links to the path inside GITHUB_WORKSPACE when the run is in a subfolder of it', async () => {
    await ws.write('sub/ci.yaml', await readFile(join(ws.dir, 'ci.yaml'), 'utf8'));
    const run = await ws.run(['run', 'sub/ci.yaml', '--github'], { env: { GITHUB_WORKSPACE: join(ws.dir, '..') } });
    const base = ws.dir.split('/').at(-1)!;
    expect(parseWorkflowCommands(run.stdout)[0]!.properties.file).toBe(`${base}/sub/ci.yaml`);
  });

  it('a hostile reply cannot end a command or start another, nor become markup', async () => {
    const run = await ws.run(['run', 'nasty.yaml', '--github'], { env: { GITHUB_STEP_SUMMARY: 'nasty.md' } });
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(lines).toHaveLength(1);
    const [command] = parseWorkflowCommands(run.stdout);
    expect(command!.message).toContain('received: 550 x ]]> </script> ::error::forged %0A\\x1b[31m\\x00 | *b* <img src=x>');
    const summary = await readFile(join(ws.dir, 'nasty.md'), 'utf8');
    expect(summary).not.toMatch(/<img|<\/script>/);
    expect(summary).toContain('&#60;img src=x&#62;');
  });

  it('in load mode: sessions and p50/p95/p99 per step in the summary', async () => {
    await ws.write(
      'load.yaml',
      `name: load
connect: { host: 127.0.0.1, port: ${scripted.port}, protocol: smtp }
steps: [{ s: 220 }, { c: NOOP }, { s: 250 }, { c: QUIT }, { s: 221 }]
`,
    );
    const run = await ws.run(['run', 'load.yaml', '--repeat', '20', '--concurrency', '4', '--threshold', 'NOOP: p99<30s', '--threshold', 'NOOP: p50<1ms'], {
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: 'load.md' },
    });
    // NOOP is answered after 3 ms: p50<1ms is breached.
    expect(run.code).toBe(1);
    expect(parseWorkflowCommands(run.stdout)).toEqual([]);
    const summary = await readFile(join(ws.dir, 'load.md'), 'utf8');
    expect(summary).toMatch(/^### convospec: 1 threshold breached\n/);
    expect(summary).toMatch(/^- ✓ threshold `NOOP: p99<30s` holds: p99 [\d.]+ ms at load\.yaml:3:\d+ s: 250$/m);
    expect(summary).toMatch(/^- ✗ threshold `NOOP: p50<1ms` \*\*breached\*\*: p50 [\d.]+ ms at /m);
    expect(summary).toMatch(/\*\*Load:\*\* 20 sessions in [\d.]+ s \([\d.]+ sessions\/s\), 0 failed/);
    expect(summary).toContain('| step | where | count | failed | p50 | p95 | p99 | max |');
    const noop = summary.split('\n').find((l) => l.startsWith('| c: NOOP'));
    expect(noop).toMatch(/^\| c: NOOP \| load\.yaml:3 \| 20 \| 0 \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \|$/);
  });

  it('keeps an annotation short when the reply is huge', async () => {
    const big = await listen(smtpScript({ NOOP: `550 ${'y'.repeat(50_000)}\r\n` }));
    try {
      await ws.write('big.yaml', `name: big\nconnect: { host: 127.0.0.1, port: ${big.port}, protocol: smtp }\ntests:\n  - name: NOOP\n    steps: [{ s: 220 }, { c: NOOP }, { s: 250 }]\n`);
      const run = await ws.run(['run', 'big.yaml', '--github'], { env: { GITHUB_STEP_SUMMARY: 'big.md' } });
      const [command] = parseWorkflowCommands(run.stdout);
      expect(command!.message.length).toBeLessThan(GITHUB_MESSAGE_CHARS + 100);
      expect(command!.message).toMatch(/… \(\d+ more characters: the reports hold the whole reply\)$/);
      expect((await readFile(join(ws.dir, 'big.md'), 'utf8')).length).toBeLessThan(GITHUB_MESSAGE_CHARS + 1000);
    } finally {
      await big.close();
    }
  });

  it('a spec that does not load: an ::error per diagnostic at its line, and the summary says nothing ran', async () => {
    await ws.write('broken.yaml', 'name: broken\nconnect: { host: 127.0.0.1, port: 25, protocol: smtp }\nsteps:\n  - s: { code: 250, contians: [PIPELINING] }\n');
    const run = await ws.run(['run', 'broken.yaml'], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: 'broken.md' } });
    expect(run.code).toBe(2);
    const [command, ...more] = parseWorkflowCommands(run.stdout);
    expect(more).toEqual([]);
    expect(command).toMatchObject({ command: 'error', properties: { file: 'broken.yaml', line: '4', title: 'convospec: unknown-key' } });
    expect(command!.message).toMatch(/contians/);
    expect(await readFile(join(ws.dir, 'broken.md'), 'utf8')).toMatch(/^### convospec: 1 spec file did not load, nothing ran\n\n- `broken\.yaml`: <pre>broken\.yaml:4:/);
  });

  it('a summary file that cannot be written is said, after the other reports were written (exit 2)', async () => {
    const run = await ws.run(['run', 'ci.yaml', '--github', '--json', 'gh.json'], { env: { GITHUB_STEP_SUMMARY: '/dev/full' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('convospec: cannot write the GitHub step summary /dev/full: no space left on the device; the other reports were written');
    expect(JSON.parse(await readFile(join(ws.dir, 'gh.json'), 'utf8'))).toMatchObject({ summary: { failed: 1 } });
  });
});

describe.skipIf(!havePerlTap)('--tap through the command line', () => {
  it('writes TAP a consumer reads, with no secret in it', async () => {
    const run = await ws.run(['run', 'ci.yaml', 'nasty.yaml', '--tap', 'out/run.tap']);
    expect(run.code).toBe(1);
    const text = await readFile(join(ws.dir, 'out/run.tap'), 'utf8');
    expect(text).not.toContain(PASS);
    expect(text).not.toContain(Buffer.from(`\0alice\0${PASS}`).toString('base64'));
    const tap = parseTap(text);
    expect(tap.errors).toEqual([]);
    expect(tap.points.map((p) => [p.ok, p.description, p.directive, p.explanation])).toEqual([
      [true, '- CI › greets', '', ''],
      [false, '- CI › logs in', '', ''],
      [true, '- CI › later', 'SKIP', 'no LMTP here'],
      [false, '- hostile › NOOP', '', ''],
    ]);
    expect(tap.points[1]!.yaml).toMatchObject({ at: 'ci.yaml:14:12', expected: '235', severity: 'fail' });
    expect(tap.points[3]!.yaml).toMatchObject({ received: '550 x ]]> </script> ::error::forged %0A\\x1b[31m\\x00 | *b* <img src=x>' });
  });
});
