/**
 * POP3 end to end against scripted peers that assert the exact bytes they receive
 * (spec-format §4): multi-line replies by command (CAPA, LIST/UIDL without argument, RETR,
 * TOP) against single-line ones (`LIST 1`), dot-unstuffing, the `multiline` override, AUTH
 * with a `+` continuation, and STLS then `tls:` verified against a test CA.
 *
 * A reply read as multi-line when it is not would swallow the next reply or wait for a `.`
 * that never comes: each single-line case is followed by another command, so it would fail.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../src/pki/index.js';
import { close, expectBytes, send, sendSplit, upgradeTls, waitClose } from '../helpers/peer.js';
import { expectFailed, expectPassed, expectReceived, positionOf, runSpec, setup } from './harness.js';

const { ws, peer } = setup();

const suite = (port: number, steps: string, extra = ''): string => `name: pop3
connect: { port: ${port}, protocol: pop3 }
timeout: 3s
${extra}steps:
  - s: { status: +OK, text: POP3 ready }
${steps}`;

const GREETING = '+OK POP3 ready\r\n';

describe('multi-line replies', () => {
  it('CAPA is multi-line; its closing dot is framing, not a line', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('CAPA\r\n'),
      sendSplit('+OK Capability list follows\r\nTOP\r\nUIDL\r\nSASL PLAIN\r\nSTLS\r\n.\r\n', 4),
      expectBytes('NOOP\r\n'),
      send('+OK\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'capa.yaml',
      suite(
        p.port,
        `  - c: CAPA
  - s:
      status: +OK
      text: Capability list follows
      lines: [+OK Capability list follows, TOP, UIDL, SASL PLAIN, STLS]
      contains: [SASL PLAIN]
  - c: NOOP
  - s: { status: +OK, lines: [+OK] }
`,
      ),
    );
    expectPassed(run);
    await expectReceived(p, 'CAPA\r\nNOOP\r\n');
  });

  it('LIST and UIDL without argument are multi-line, LIST 1 and UIDL 2 one line', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('LIST\r\n'),
      send('+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n'),
      expectBytes('LIST 1\r\n'),
      send('+OK 1 120\r\n'),
      expectBytes('UIDL\r\n'),
      send('+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n'),
      expectBytes('UIDL 2\r\n'),
      send('+OK 2 QhdPYR:00WBw1Ph7x7\r\n'),
      expectBytes('LIST 9\r\n'),
      send('-ERR no such message\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'list.yaml',
      suite(
        p.port,
        `  - c: LIST
  - s: { status: +OK, lines: [+OK 2 messages (320 octets), 1 120, 2 200] }
  - c: LIST 1
  - s: +OK 1 120
  - c: UIDL
  - s: { lines: [+OK, "/^1 \\\\S+$/", "...", "/^2 /"], capture: { uid: '/^2 (\\S+)$/m' } }
  - c: UIDL 2
  - s: "+OK 2 \${uid}"
  - c: LIST 9
  - s: { status: -ERR, text: no such message }
`,
      ),
    );
    expectPassed(run);
    await expectReceived(p, 'LIST\r\nLIST 1\r\nUIDL\r\nUIDL 2\r\nLIST 9\r\n');
  });

  it('RETR unstuffs dot lines; TOP is multi-line too; pipelined commands answer in order', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('RETR 1\r\n'),
      send('+OK 52 octets\r\nSubject: dots\r\n\r\n..leading\r\n..\r\n...\r\nbody.\r\n.\r\n'),
      expectBytes('TOP 1 0\r\nSTAT\r\n'),
      send('+OK top of message follows\r\nSubject: dots\r\n\r\n.\r\n+OK 1 52\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'retr.yaml',
      suite(
        p.port,
        `  - c: RETR 1
  - s:
      status: +OK
      lines: [+OK 52 octets, "Subject: dots", "", .leading, ., .., body.]
      contains: ["/^\\\\.leading$/"]
  - c: [TOP 1 0, STAT]
  - s: { lines: [+OK top of message follows, "Subject: dots", ""] }
  - s: +OK 1 52
`,
      ),
    );
    expectPassed(run);
    await expectReceived(p, 'RETR 1\r\nTOP 1 0\r\nSTAT\r\n');
  });

  it('an -ERR to a multi-line command is one line', async () => {
    const p = await peer([send(GREETING), expectBytes('RETR 7\r\n'), send('-ERR no such message\r\n'), expectBytes('NOOP\r\n'), send('+OK\r\n'), waitClose()]);
    const run = await runSpec(ws(), 'retr-err.yaml', suite(p.port, `  - c: RETR 7\n  - s: -ERR no such message\n  - c: NOOP\n  - s: +OK\n`));
    expectPassed(run);
    await expectReceived(p, 'RETR 7\r\nNOOP\r\n');
  });

  it('multiline: true reads a body the table does not know of; multiline: false reads one line', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('AUTH\r\n'),
      send('+OK methods\r\nPLAIN\r\nLOGIN\r\n.\r\n'),
      expectBytes('LIST\r\n'),
      // A server that answers LIST with one line (a broken one): the override reads just it.
      send('+OK 0 messages\r\n'),
      expectBytes('NOOP\r\n'),
      send('+OK\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'override.yaml',
      suite(
        p.port,
        `  - c: AUTH
  - s: { multiline: true, lines: [+OK methods, PLAIN, LOGIN] }
  - c: LIST
  - s: { multiline: false, text: 0 messages }
  - c: NOOP
  - s: +OK
`,
      ),
    );
    expectPassed(run);
    await expectReceived(p, 'AUTH\r\nLIST\r\nNOOP\r\n');
  });

  it('a multi-line reply cut off before its dot fails "the server closed the connection"', async () => {
    const p = await peer([send(GREETING), expectBytes('RETR 1\r\n'), send('+OK\r\nSubject: x\r\n'), close()]);
    const text = `name: cut
connect: { port: ${p.port}, protocol: pop3 }
timeout: 3s
tests:
  - name: cut
    steps:
      - s: +OK POP3 ready
      - c: RETR 1
      - s: { status: +OK } #fails
`;
    const run = await runSpec(ws(), 'cut.yaml', text);
    const t = expectFailed(run, 'cut', 'the server closed the connection while reading the reply; received so far: "+OK\\x0aSubject: x\\x0a"');
    expect(t.failure).toMatchObject(positionOf(text, '{ status', '#fails'));
  });
});

describe('AUTH and STLS', () => {
  const plain = Buffer.from('\0alice\0s3cret').toString('base64');

  it('AUTH PLAIN: the response after + is the SASL answer, not a command', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('AUTH PLAIN\r\n'),
      send('+ \r\n'),
      expectBytes(`${plain}\r\n`),
      send('+OK maildrop locked and ready\r\n'),
      expectBytes('LIST\r\n'),
      send('+OK 0 messages\r\n.\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'auth.yaml',
      suite(
        p.port,
        `  - c: AUTH PLAIN
  - s: { status: "+", text: "" }
  - c: \${sasl_plain(user, pass)}
  - s: { status: +OK, text: maildrop locked and ready }
  - c: LIST
  - s: { lines: [+OK 0 messages] }
`,
        'vars: { user: alice, pass: s3cret }\nsecrets: [pass]\n',
      ),
    );
    expectPassed(run);
    expect(run.console).not.toContain(plain);
    await expectReceived(p, `AUTH PLAIN\r\n${plain}\r\nLIST\r\n`);
  });

  describe('STLS', () => {
    let pki: Pki;
    beforeAll(async () => {
      pki = await createPki();
      await ws().write('ca.pem', pki.ca.cert);
    });

    it('upgrades after +OK, verified against the test CA, and speaks POP3 over TLS', async () => {
      const p = await peer([
        send(GREETING),
        expectBytes('STLS\r\n'),
        send('+OK Begin TLS negotiation\r\n'),
        upgradeTls(pki.server),
        expectBytes('CAPA\r\n'),
        send('+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n'),
        expectBytes('QUIT\r\n'),
        send('+OK bye\r\n'),
        close(),
      ]);
      const run = await runSpec(
        ws(),
        'stls.yaml',
        suite(
          p.port,
          `  - c: STLS
  - s: +OK Begin TLS negotiation
  - tls: { expect: { authorized: true, protocol: '/^TLSv1\\.[23]$/', issuer: '/convospec test CA/' } }
  - c: CAPA
  - s: { lines: [+OK, USER, SASL PLAIN] }
  - c: QUIT
  - s: +OK bye
  - s: { closed: true }
`,
          'tls: { ca: ca.pem, servername: mail.convospec.test }\n',
        ),
      );
      expectPassed(run);
      await expectReceived(p, 'STLS\r\nCAPA\r\nQUIT\r\n');
    });

    it('fails the handshake without the CA (verification is on by default)', async () => {
      const p = await peer([send(GREETING), expectBytes('STLS\r\n'), send('+OK go\r\n'), upgradeTls(pki.server)]);
      const text = `name: stls untrusted
connect: { port: ${p.port}, protocol: pop3 }
timeout: 3s
tests:
  - name: untrusted
    steps:
      - s: +OK POP3 ready
      - c: STLS
      - s: +OK go
      - tls: { servername: mail.convospec.test } #fails
`;
      const run = await runSpec(ws(), 'stls-untrusted.yaml', text);
      const t = expectFailed(run, 'untrusted', /^unable to verify the certificate: unknown CA .*issuer CN=convospec test CA/);
      expect(t.failure?.kind).toBe('tls');
      expect(t.failure).toMatchObject(positionOf(text, 'tls:', '#fails'));
    });
  });
});
