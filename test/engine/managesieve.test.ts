/**
 * ManageSieve end to end against scripted peers that assert the exact bytes they receive
 * (RFC 5804; spec-format §4): the capability greeting, STARTTLS then `tls:` and the
 * capabilities the server sends again, AUTHENTICATE with a `""` challenge (status `+`) and
 * with an initial response as a client literal, PUTSCRIPT with a literal, LISTSCRIPTS,
 * GETSCRIPT whose literal holds status-like lines, a NO whose message is a literal, LOGOUT.
 *
 * A reply that ended early (at an `OK` inside a literal) would leave the rest for the next
 * `s:`, which then fails: each case reads the reply after it too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../src/pki/index.js';
import { close, expectBytes, send, sendSplit, upgradeTls, waitClose } from '../helpers/peer.js';
import { expectFailed, expectPassed, expectReceived, positionOf, runSpec, setup } from './harness.js';

const { ws, peer } = setup();

const CAPABILITIES = '"IMPLEMENTATION" "Scripted Pigeonhole"\r\n"SIEVE" "fileinto vacation"\r\n"SASL" "PLAIN"\r\n';
const GREETING = `${CAPABILITIES}"STARTTLS"\r\n"VERSION" "1.0"\r\nOK "ready."\r\n`;
/** `\0alice\0s3cret` in base64: what `sasl_plain(user, pass)` sends. */
const PLAIN = Buffer.from('\0alice\0s3cret').toString('base64');
const SCRIPT = 'require "vacation";\r\nvacation "gone";\r\n';
/** What the server hands back: lines that look like status lines, inside the literal. */
const STORED = 'OK "fake"\r\nNO\r\nrequire "vacation";\r\n';

describe('managesieve', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await createPki();
    await ws().write('ca.pem', pki.ca.cert);
  });

  it('greeting, STARTTLS, capabilities again, AUTHENTICATE, PUTSCRIPT, LISTSCRIPTS, GETSCRIPT, LOGOUT', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('STARTTLS\r\n'),
      send('OK "Begin TLS negotiation now."\r\n'),
      upgradeTls(pki.server),
      send(`${CAPABILITIES}"VERSION" "1.0"\r\nOK "TLS negotiation successful."\r\n`),
      expectBytes('AUTHENTICATE "PLAIN"\r\n'),
      send('""\r\n'),
      expectBytes(`"${PLAIN}"\r\n`),
      send('OK "Logged in."\r\n'),
      expectBytes(`PUTSCRIPT "away" {${SCRIPT.length}+}\r\n${SCRIPT}\r\n`),
      send('OK (WARNINGS) "line 2: vacation without :days"\r\n'),
      expectBytes('LISTSCRIPTS\r\n'),
      send('"away" ACTIVE\r\n{4}\r\nold!\r\nOK "Listscripts completed."\r\n'),
      expectBytes('GETSCRIPT "away"\r\n'),
      // Dripped three bytes at a time: the literal's count decides, not the packets.
      sendSplit(`{${STORED.length}}\r\n${STORED}\r\nOK "Getscript completed."\r\n`, 3),
      expectBytes('LOGOUT\r\n'),
      send('OK "Logout completed."\r\n'),
      close(),
    ]);
    const run = await runSpec(
      ws(),
      'sieve.yaml',
      `name: managesieve
connect: { port: ${p.port}, protocol: managesieve }
tls: { ca: ca.pem, servername: mail.convospec.test }
timeout: 3s
vars: { user: alice, pass: s3cret }
secrets: [pass]
steps:
  - s: { status: OK, text: '"ready."', contains: ['"SIEVE" "fileinto vacation"', '"STARTTLS"'] }
  - c: STARTTLS
  - s: { status: OK }
  - tls: { expect: { authorized: true } }
  - s: { status: OK, text: '"TLS negotiation successful."', excludes: '"STARTTLS"', contains: '"SASL" "PLAIN"' }
  - c: AUTHENTICATE "PLAIN"
  - s: { status: "+", text: '""' }
  - c: '"\${sasl_plain(user, pass)}"'
  - s: OK "Logged in."
  - c: ['PUTSCRIPT "away" {${SCRIPT.length}+}', 'require "vacation";', 'vacation "gone";', '']
  - s: { status: OK, text: '/^\\(WARNINGS\\) /' }
  - c: LISTSCRIPTS
  - s: ['"away" ACTIVE', '{4}', 'old!', 'OK "Listscripts completed."']
  - c: GETSCRIPT "away"
  - s: { status: OK, lines: ['{${STORED.length}}', 'OK "fake"', 'NO', 'require "vacation";', '', 'OK "Getscript completed."'] }
  - c: LOGOUT
  - s: { status: OK, text: '"Logout completed."' }
  - s: { closed: true }
`,
    );
    expectPassed(run);
    expect(run.console).not.toContain(PLAIN);
    await expectReceived(
      p,
      `STARTTLS\r\nAUTHENTICATE "PLAIN"\r\n"${PLAIN}"\r\nPUTSCRIPT "away" {${SCRIPT.length}+}\r\n${SCRIPT}\r\nLISTSCRIPTS\r\nGETSCRIPT "away"\r\nLOGOUT\r\n`,
    );
  });

  it('AUTHENTICATE with its initial response as a literal; a NO whose message is a literal', async () => {
    const message = 'line 1: error: unknown command\r\nerror: validation failed.\r\n';
    const p = await peer([
      send(GREETING),
      expectBytes(`AUTHENTICATE "PLAIN" {${PLAIN.length}+}\r\n${PLAIN}\r\n`),
      send('OK "Logged in."\r\n'),
      expectBytes('CHECKSCRIPT {5+}\r\nfoo;\r\n\r\n'),
      send(`NO {${message.length}}\r\n${message}\r\n`),
      expectBytes('NOOP\r\n'),
      send('OK "NOOP completed."\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'sieve-literals.yaml',
      `name: managesieve literals
connect: { port: ${p.port}, protocol: managesieve }
timeout: 3s
vars: { user: alice, pass: s3cret }
secrets: [pass]
steps:
  - s: { status: OK }
  - c: ['AUTHENTICATE "PLAIN" {${PLAIN.length}+}', '\${sasl_plain(user, pass)}']
  - s: { status: OK }
  - c: ['CHECKSCRIPT {5+}', 'foo;', '']
  - s: { status: NO, text: '/validation failed/', lines: ['NO {${message.length}}', '/unknown command/', '...'] }
  - c: NOOP
  - s: OK "NOOP completed."
`,
    );
    expectPassed(run);
    await expectReceived(p, `AUTHENTICATE "PLAIN" {${PLAIN.length}+}\r\n${PLAIN}\r\nCHECKSCRIPT {5+}\r\nfoo;\r\n\r\nNOOP\r\n`);
  });

  it('a BYE where OK was expected fails the step, naming it and showing the status line', async () => {
    const p = await peer([send(GREETING), expectBytes('LISTSCRIPTS\r\n'), send('"away"\r\nBYE (TRYLATER) "Server shutting down."\r\n'), waitClose()]);
    const text = `name: managesieve failure
connect: { port: ${p.port}, protocol: managesieve }
timeout: 3s
tests:
  - name: shut down
    steps:
      - s: { status: OK }
      - c: LISTSCRIPTS
      - s: { status: OK } #fails
`;
    const run = await runSpec(ws(), 'sieve-fail.yaml', text);
    const t = expectFailed(run, 'shut down', 'expected status OK, got BYE');
    expect(t.failure).toMatchObject({ ...positionOf(text, 'OK', '#fails'), actual: 'BYE (TRYLATER) "Server shutting down."' });
  });

  it('is inferred from port 4190; reply codes, POP3 words and DATA bodies are refused when the spec loads', async () => {
    const text = `name: managesieve checks
connect: { port: 4190 }
steps:
  - s: 250
  - s: { status: +OK }
  - data: keep;
`;
    const run = await runSpec(ws(), 'sieve-invalid.yaml', text);
    expect(run.cli.code).toBe(2);
    expect(run.console).toContain('a reply code makes no sense in managesieve');
    expect(run.console).toContain('`+OK` is not a status word in managesieve');
    expect(run.console).toContain('`data` sends an SMTP/LMTP message body; it makes no sense in managesieve');
  });
});
