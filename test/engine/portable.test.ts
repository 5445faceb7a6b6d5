/**
 * Portable specs (docs/format.md §9): `requires`, `xfail`, `when` and `matrix`, run by the
 * real CLI against nodemailer's smtp-server in-process on port 0, and scripted IMAP/POP3 peers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connection, positionOf, runSpec, setup } from './harness.js';
import { close, expectBytes, send } from '../helpers/peer.js';

const { ws, peer } = setup();
let server: SMTPServer;
let port: number;

beforeAll(async () => {
  // No TLS, no AUTH: EHLO advertises PIPELINING, 8BITMIME, SMTPUTF8, SIZE 1048576 and the like.
  server = new SMTPServer({ secure: false, disabledCommands: ['STARTTLS', 'AUTH'], size: 1024 * 1024, logger: false, name: 'mx.convospec.test' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const header = (): string => `
name: portable
connect: { host: 127.0.0.1, port: ${port}, protocol: smtp }
`;

/** EHLO, then a command that fails when the server lacks the capability. */
const ehloThen = (command: string, code: number): string => `
      - s: 220
      - c: EHLO client.test
      - s: 250
      - c: ${command}
      - s: ${code}
      - c: QUIT
      - s: 221`;

describe('requires', () => {
  it('skips a test, with the reason, when EHLO did not advertise what it requires, passed or failed; any case, with or without a parameter', async () => {
    const run = await runSpec(ws(), 'requires.yaml', `${header()}
tests:
  - name: needs CHUNKING
    requires: [CHUNKING, pipelining]
    steps:${ehloThen('BDAT 3 LAST', 250)}
  - name: has SIZE
    requires: [size, 'SIZE 1048576']
    steps:${ehloThen('NOOP', 250)}
  - name: has SIZE but fails
    requires: [SIZE]
    steps:${ehloThen('NOOP', 554)}
  - name: passes without CHUNKING
    requires: [CHUNKING]
    steps:${ehloThen('NOOP', 250)}
`);
    expect(run.test('needs CHUNKING')).toMatchObject({ status: 'skipped', skipReason: 'the server does not advertise CHUNKING' });
    expect(run.test('has SIZE').status).toBe('passed');
    expect(run.test('has SIZE but fails').status).toBe('failed');
    // A server that lacks a required capability is a skip, also where the steps happened to pass.
    expect(run.test('passes without CHUNKING')).toMatchObject({ status: 'skipped', skipReason: 'the server does not advertise CHUNKING' });
    expect(run.cli.code).toBe(1);
    expect(run.console).toMatch(/needs CHUNKING skipped \(the server does not advertise CHUNKING\)/);
  });

  it('the file\'s requires add to the test\'s; a failure before any capability list says so', async () => {
    const run = await runSpec(ws(), 'requires-file.yaml', `${header()}
requires: [AUTH=PLAIN]
tests:
  - name: no EHLO
    steps:
      - s: 220
      - c: NOOP
      - s: 500
`);
    const t = run.test('no EHLO');
    expect(t.status).toBe('failed');
    expect(t.failure?.message).toMatch(/the test read no capability list .* so its `requires` could not be checked/);
  });

  it('reads IMAP CAPABILITY atoms, in the greeting\'s response code and in `* CAPABILITY`', async () => {
    const imap = await peer([
      send('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n'),
      expectBytes('a1 CAPABILITY\r\n'),
      send('* CAPABILITY IMAP4rev1 IDLE\r\na1 OK done\r\n'),
      close(),
    ]);
    const run = await runSpec(ws(), 'imap.yaml', `
name: imap
connect: { host: 127.0.0.1, port: ${imap.port}, protocol: imap }
tests:
  - name: needs QRESYNC
    requires: [idle, AUTH PLAIN, QRESYNC]
    steps:
      - s: '/^\\* OK/'
      - c: a1 CAPABILITY
      - s: { status: NO }
`);
    expect(run.test('needs QRESYNC')).toMatchObject({ status: 'skipped', skipReason: 'the server does not advertise QRESYNC' });
    await connection(imap);
  });

  it('reads POP3 CAPA lines', async () => {
    const pop = await peer([send('+OK ready\r\n'), expectBytes('CAPA\r\n'), send('+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n'), close()]);
    const run = await runSpec(ws(), 'pop3.yaml', `
name: pop3
connect: { host: 127.0.0.1, port: ${pop.port}, protocol: pop3 }
tests:
  - name: needs STLS
    requires: [SASL=PLAIN, STLS]
    steps:
      - s: { status: +OK }
      - c: CAPA
      - s: { status: -ERR }
`);
    expect(run.test('needs STLS')).toMatchObject({ status: 'skipped', skipReason: 'the server does not advertise STLS' });
  });
});

describe('xfail', () => {
  it('a known failure is reported as xfailed and does not fail the run; in JUnit a <skipped type="xfail">', async () => {
    const run = await runSpec(ws(), 'xfail.yaml', `${header()}
tests:
  - name: known bug
    xfail: the server answers NOOP with 250
    steps:${ehloThen('NOOP', 500)}
`, ['--junit', 'xfail.xml']);
    expect(run.cli.code, run.console).toBe(0);
    const t = run.test('known bug');
    expect(t).toMatchObject({ status: 'xfailed', xfail: 'the server answers NOOP with 250' });
    expect(t.failure?.message).toMatch(/expected reply code 500, got 250/);
    expect(run.json.summary).toMatchObject({ total: 1, passed: 0, failed: 0, xfailed: 1 });
    expect(run.console).toMatch(/known bug xfail \(the server answers NOOP with 250\)/);
    expect(run.console).toMatch(/0 passed, 1 xfailed/);
    const xml = await readFile(join(ws().dir, 'xfail.xml'), 'utf8');
    expect(xml).toMatch(/<skipped type="xfail" message="xfail: the server answers NOOP with 250 \(failed as expected: expected reply code 500, got 250\)"/);
    expect(xml).toMatch(/<testsuites [^>]*skipped="1"/);
  });

  it('an xfail test that passes fails the run: "passed but marked xfail"', async () => {
    const run = await runSpec(ws(), 'xpass.yaml', `${header()}
tests:
  - name: fixed bug
    xfail: NOOP used to fail
    steps:${ehloThen('NOOP', 250)}
`);
    expect(run.cli.code).toBe(1);
    expect(run.test('fixed bug')).toMatchObject({ status: 'failed', xfail: 'NOOP used to fail', failure: { message: 'passed but marked xfail: NOOP used to fail' } });
  });
});

describe('when and matrix', () => {
  it('runs a test per combination, named with the values; steps run only when their condition holds', async () => {
    const run = await runSpec(ws(), 'matrix.yaml', `${header()}
matrix: { verb: [EHLO, HELO] }
tests:
  - name: greet
    matrix: { extra: [noop, none] }
    steps:
      - s: 220
      - c: \${verb} client.test
      - s: 250
      - c: NOOP
        when: { extra: noop }
      - s: 250
        when: { extra: [noop] }
      - c: RSET
        when: { not: { extra: noop }, verb: HELO }
      - s: 250
        when: { not: { extra: [noop] }, verb: HELO }
      - c: QUIT
      - s: 221
`, ['--transcripts', 'tr']);
    expect(run.cli.code, run.console).toBe(0);
    const names = run.json.suites.flatMap((s) => s.tests.map((t) => t.name));
    expect(names).toEqual(['greet [verb=EHLO, extra=noop]', 'greet [verb=EHLO, extra=none]', 'greet [verb=HELO, extra=noop]', 'greet [verb=HELO, extra=none]']);
    const sent = (name: string): string[] => run.test(name).transcript.filter((e) => e.dir === 'c').map((e) => e.text);
    expect(sent('greet [verb=EHLO, extra=noop]')).toEqual(['EHLO client.test', 'NOOP', 'QUIT']);
    expect(sent('greet [verb=EHLO, extra=none]')).toEqual(['EHLO client.test', 'QUIT']);
    expect(sent('greet [verb=HELO, extra=none]')).toEqual(['HELO client.test', 'RSET', 'QUIT']);
  });

  it('--var beats a matrix value; a matrix value beats `vars`', async () => {
    const run = await runSpec(ws(), 'matrix-var.yaml', `${header()}
vars: { verb: HELO, who: "\${verb}-client" }
matrix: { verb: [EHLO] }
tests:
  - name: greet
    steps:
      - s: 220
      - c: \${verb} \${who}
      - s: 250
      - c: QUIT
      - s: 221
`);
    expect(run.test('greet [verb=EHLO]').transcript.filter((e) => e.dir === 'c')[0]?.text).toBe('EHLO EHLO-client');
  });
});

describe('ehlo keywords as a set', () => {
  it('checks what the EHLO reply advertises, in any order; a missing keyword fails at its item', async () => {
    const text = `${header()}
tests:
  - name: set
    steps:
      - s: 220
      - c: EHLO client.test
      - s: { code: 250, ehlo: { has: [size, PIPELINING, 'SIZE 1048576'], lacks: [STARTTLS, CHUNKING] } }
  - name: missing
    steps:
      - s: 220
      - c: EHLO client.test
      - s: { code: 250, ehlo: { has: [SIZE, CHUNKING] } }
`;
    const run = await runSpec(ws(), 'ehlo.yaml', text);
    expect(run.test('set').status, run.console).toBe('passed');
    const t = run.test('missing');
    expect(t.failure?.message).toBe('expected the EHLO keyword CHUNKING, which the server does not advertise');
    expect(t.failure).toMatchObject(positionOf(text, 'CHUNKING', 'has: [SIZE, CHUNKING]'));
  });
});

describe('until: reading replies until one matches', () => {
  it('IMAP IDLE: untagged updates are passed over until the awaited one, which captures', async () => {
    const imap = await peer([
      send('* OK ready\r\n'),
      expectBytes('a1 IDLE\r\n'),
      send('+ idling\r\n* 3 EXISTS\r\n* 1 RECENT\r\n* 4 EXISTS\r\n'),
      expectBytes('DONE\r\n'),
      send('a1 OK IDLE done\r\n'),
      close(),
    ]);
    const run = await runSpec(ws(), 'idle.yaml', `
name: idle
connect: { host: 127.0.0.1, port: ${imap.port}, protocol: imap }
tests:
  - name: idle
    steps:
      - s: '/^\\* OK/'
      - c: a1 IDLE
      - s: { status: + }
      - s: { until: { match: '/^\\* 4 EXISTS/', capture: { n: '/(\\d+) EXISTS/' } }, skip: { excludes: [BYE] }, max: 5 }
      - c: DONE
      - s: { status: OK, contains: [done] }
      - c: "a2 NOOP \${n}"
        when: { n: '5' }
`);
    expect(run.test('idle').status, run.console).toBe('passed');
    await connection(imap);
  });

  it('a reply passed over that breaks `skip` fails at skip\'s key; more than `max` fails at `until`', async () => {
    const smtpPeer = await peer([
      send('220 hi\r\n'),
      expectBytes('NOOP\r\n'),
      send('250 one\r\n250 two\r\n421 bye now\r\n250 three\r\n'),
      close(),
    ]);
    const text = `
name: skip
connect: { host: 127.0.0.1, port: ${smtpPeer.port}, protocol: smtp }
tests:
  - name: skip
    steps:
      - s: 220
      - c: NOOP
      - s: { until: { contains: [three] }, skip: { code: 2xx } }
`;
    const run = await runSpec(ws(), 'skip.yaml', text);
    const t = run.test('skip');
    expect(t.failure?.message).toBe('a reply before the awaited one does not match `skip`: expected reply code 2xx, got 421');
    expect(t.failure).toMatchObject(positionOf(text, '2xx'));

    const again = await peer([send('220 hi\r\n'), expectBytes('NOOP\r\n'), send('250 one\r\n250 two\r\n250 three\r\n'), close()]);
    const text2 = text.replace(String(smtpPeer.port), String(again.port)).replace('skip: { code: 2xx }', 'max: 1');
    const run2 = await runSpec(ws(), 'max.yaml', text2);
    const t2 = run2.test('skip');
    expect(t2.failure?.message).toMatch(/^read 1 replies without one matching `until` \(`max: 1`\)/);
    expect(t2.failure).toMatchObject(positionOf(text2, 'until'));
  });

  it('refuses other checks beside `until`, and `skip` without it, when the spec loads', async () => {
    const text = `${header()}
steps:
  - s: { code: 250, until: 250 }
  - s: { skip: any }
`;
    const run = await ws().run(['validate', await ws().write('until-bad.yaml', text)]);
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toMatch(/`code` cannot stand beside `until`/);
    expect(run.stdout + run.stderr).toMatch(/`skip` goes with `until`/);
  });
});
