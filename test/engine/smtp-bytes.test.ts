/**
 * SMTP and LMTP at the byte level: real specs through the CLI against scripted peers that
 * assert exactly what they receive (spec-format §3, §4).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../src/pki/index.js';
import { close, expectBytes, send, sendSplit, upgradeTls, waitClose } from '../helpers/peer.js';
import { expectFailed, expectPassed, expectReceived, positionOf, runSpec, setup } from './harness.js';

const { ws, peer } = setup();

const suite = (port: number, body: string, protocol = 'smtp'): string => `name: bytes
connect: { port: ${port}, protocol: ${protocol} }
timeout: 3s
${body}`;

describe('smtp replies as they arrive', () => {
  it('reads a multi-line 250- reply that arrives one byte per packet, greeting included', async () => {
    const p = await peer([
      sendSplit('220 mx.test ESMTP\r\n'),
      expectBytes('EHLO client.test\r\n'),
      sendSplit('250-mx.test\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n'),
      expectBytes('QUIT\r\n'),
      send('221 bye\r\n'),
      close(),
    ]);
    const run = await runSpec(
      ws(),
      'split.yaml',
      suite(
        p.port,
        `steps:
  - s: { code: 220, text: mx.test ESMTP }
  - c: EHLO client.test
  - s:
      code: 250
      lines: [250-mx.test, 250-PIPELINING, 250-SIZE 1000, 250 8BITMIME]
      text: "mx.test\\nPIPELINING\\nSIZE 1000\\n8BITMIME"
  - c: QUIT
  - s: 221
  - s: { closed: true }
`,
      ),
    );
    expectPassed(run);
    await expectReceived(p, 'EHLO client.test\r\nQUIT\r\n');
  });

  it('reads a reply whose CR and LF come in separate packets', async () => {
    const p = await peer([sendSplit('220 a\r\n', 5), expectBytes('NOOP\r\n'), sendSplit('250-x\r\n250 y\r\n', 6), waitClose()]);
    const run = await runSpec(
      ws(),
      'crlf-split.yaml',
      suite(p.port, `steps:\n  - s: "220 a"\n  - c: NOOP\n  - s: [250-x, 250 y]\n`),
    );
    expectPassed(run);
    await expectReceived(p, 'NOOP\r\n');
  });

  it('writes a c: list in one write and answers pipelined replies in order', async () => {
    const p = await peer([
      send('220 mx\r\n'),
      expectBytes('MAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n'),
      // All three replies in one packet: each s: reads exactly one of them.
      send('250 2.1.0 sender ok\r\n550-5.1.1 no such\r\n550 5.1.1 user\r\n554 5.5.1 no valid recipients\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'pipe.yaml',
      suite(
        p.port,
        `steps:
  - s: 220
  - c: ["MAIL FROM:<a>", "RCPT TO:<b>", DATA]
  - s: { code: 250, enhanced: 2.1.0 }
  - s: { code: 550, enhanced: 5.1.x, lines: [550-5.1.1 no such, 550 5.1.1 user] }
  - s: { code: 5xx, text: 5.5.1 no valid recipients }
`,
      ),
    );
    expectPassed(run);
    await expectReceived(p, 'MAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n');
  });
});

describe('the server closing', () => {
  it('passes `closed: true` when the server closes after 221', async () => {
    const p = await peer([send('220 mx\r\n'), expectBytes('QUIT\r\n'), send('221 2.0.0 bye\r\n'), close()]);
    const run = await runSpec(ws(), 'closed.yaml', suite(p.port, `steps:\n  - s: 220\n  - c: QUIT\n  - s: 221\n  - s: { closed: true }\n`));
    expectPassed(run);
    await expectReceived(p, 'QUIT\r\n');
  });

  it('fails `closed: true` when a reply comes instead of the close', async () => {
    const p = await peer([send('220 mx\r\n'), expectBytes('QUIT\r\n'), send('221 bye\r\n250 more\r\n'), waitClose()]);
    const text = suite(p.port, `tests:\n  - name: talks on\n    steps:\n      - s: 220\n      - c: QUIT\n      - s: 221\n      - s: { closed: true }\n`);
    const run = await runSpec(ws(), 'not-closed.yaml', text);
    const t = expectFailed(run, 'talks on', 'expected the server to close the connection, got a reply');
    expect(t.failure).toMatchObject({ ...positionOf(text, 'true', 'closed: true'), actual: '250 more' });
    expect(run.cli.stdout).toContain(`not-closed.yaml:${t.failure!.line}:${t.failure!.col}:`);
    expect(run.cli.code).toBe(1);
  });

  it('fails a close in the middle of a multi-line reply with "the server closed the connection"', async () => {
    const p = await peer([send('220 mx\r\n'), expectBytes('EHLO c\r\n'), send('250-mx\r\n250-SIZE'), close()]);
    const text = suite(p.port, `tests:\n  - name: cut\n    steps:\n      - s: 220\n      - c: EHLO c\n      - s: 250 #fails\n`);
    const run = await runSpec(ws(), 'cut.yaml', text);
    const t = expectFailed(run, 'cut', /^the server closed the connection while reading the reply/);
    expect(t.failure?.kind).toBe('closed');
    expect(t.failure?.message).toContain('250-mx');
    expect(t.failure).toMatchObject(positionOf(text, '250', '#fails'));
    expect(run.cli.stdout).toContain(`cut.yaml:${t.failure!.line}:${t.failure!.col}:`);
    await expectReceived(p, 'EHLO c\r\n');
  });
});

describe('data: bodies go out byte-exact', () => {
  const session = (body: string): string => `steps:
  - s: 220
  - c: DATA
  - s: 354
${body}
  - s: 250
`;

  const dataPeer = (wire: string) =>
    peer([send('220 mx\r\n'), expectBytes('DATA\r\n'), send('354 go\r\n'), expectBytes(wire), send('250 queued\r\n'), waitClose()]);

  const cases: { name: string; step: string; wire: string }[] = [
    {
      name: 'LF becomes CRLF, a leading dot is doubled, a lone dot too, the final line end is not doubled',
      step: `  - data: "Subject: hi\\n\\n.x\\n.\\nend\\n"`,
      wire: 'Subject: hi\r\n\r\n..x\r\n..\r\nend\r\n.\r\n',
    },
    { name: 'a body without a final line end gets one before the terminator', step: `  - data: "a\\nb"`, wire: 'a\r\nb\r\n.\r\n' },
    { name: 'CRLF in the body stays CRLF (not doubled)', step: `  - data: "a\\r\\n..b\\r\\n"`, wire: 'a\r\n...b\r\n.\r\n' },
    { name: 'a YAML block scalar', step: `  - data: |\n      From: a@b\n      .hidden\n`, wire: 'From: a@b\r\n..hidden\r\n.\r\n' },
    {
      name: 'dotStuff: false sends dots as written',
      step: `  - data: { text: ".x\\n..y\\nz\\n", dotStuff: false }`,
      wire: '.x\r\n..y\r\nz\r\n.\r\n',
    },
    { name: 'an empty body is just the terminator', step: `  - data: ""`, wire: '.\r\n' },
    { name: 'UTF-8 goes out as UTF-8', step: `  - data: "Grüße\\n"`, wire: Buffer.from('Grüße\r\n.\r\n', 'utf8').toString('latin1') },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const p = await dataPeer(c.wire);
      const run = await runSpec(ws(), 'data.yaml', suite(p.port, session(c.step)));
      expectPassed(run);
      await expectReceived(p, `DATA\r\n${c.wire}`);
    });
  }

  it('reads a body from a file next to the spec, and templates in a text body', async () => {
    await ws().write('bodies/msg.txt', 'Subject: file\n\n.dot\n');
    const p = await peer([
      send('220 mx\r\n'),
      expectBytes('DATA\r\n'),
      send('354 go\r\n'),
      expectBytes('Subject: file\r\n\r\n..dot\r\n.\r\n'),
      send('250 one\r\n'),
      expectBytes('DATA\r\n'),
      send('354 go\r\n'),
      expectBytes('id: 42\r\n.\r\n'),
      send('250 two\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'data-file.yaml',
      suite(
        p.port,
        `vars: { id: "42" }
steps:
  - s: 220
  - c: DATA
  - s: 354
  - data: { file: bodies/msg.txt }
  - s: 250 one
  - c: DATA
  - s: 354
  - data: "id: \${id}\\n"
  - s: 250 two
`,
      ),
    );
    expectPassed(run);
    await expectReceived(p, 'DATA\r\nSubject: file\r\n\r\n..dot\r\n.\r\nDATA\r\nid: 42\r\n.\r\n');
  });
});

describe('send: exact bytes, and eol', () => {
  it('sends {hex}, {base64} and a plain string with no EOL added', async () => {
    const p = await peer([send('220 mx\r\n'), expectBytes(Buffer.from('0d0a00ff4845', 'hex')), expectBytes('AB'), expectBytes('EHLO x\n'), send('500 what\r\n'), waitClose()]);
    const run = await runSpec(
      ws(),
      'send.yaml',
      suite(
        p.port,
        `steps:
  - s: 220
  - send: { hex: "0d 0a 00 ff 48 45" }
  - send: { base64: QUI= }
  - send: "EHLO x\\n"
  - s: 500
`,
      ),
    );
    expectPassed(run);
    await expectReceived(p, Buffer.from('0d0a00ff4845', 'hex').toString('latin1') + 'ABEHLO x\n');
  });

  it('ends c: lines with a bare LF under eol: lf, also in a pipelined list', async () => {
    const p = await peer([send('220 mx\n'), expectBytes('EHLO x\n'), send('250 ok\n'), expectBytes('NOOP\nNOOP\n'), send('250 a\n250 b\n'), waitClose()]);
    const run = await runSpec(
      ws(),
      'lf.yaml',
      `name: lf
connect: { port: ${p.port}, protocol: smtp, eol: lf }
timeout: 3s
steps:
  - s: 220
  - c: EHLO x
  - s: 250
  - c: [NOOP, NOOP]
  - s: 250 a
  - s: 250 b
`,
    );
    expectPassed(run);
    await expectReceived(p, 'EHLO x\nNOOP\nNOOP\n');
  });
});

describe('lmtp', () => {
  it('reads one reply per recipient after DATA', async () => {
    const wire = 'LHLO c\r\nMAIL FROM:<s@x>\r\nRCPT TO:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n';
    const p = await peer([
      send('220 lmtp ready\r\n'),
      expectBytes('LHLO c\r\n'),
      send('250-lmtp\r\n250 PIPELINING\r\n'),
      expectBytes('MAIL FROM:<s@x>\r\nRCPT TO:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n'),
      send('250 2.1.0 ok\r\n250 2.1.5 ok\r\n250 2.1.5 ok\r\n354 go\r\n'),
      expectBytes('hi\r\n.\r\n'),
      send('250 2.0.0 <a@x> delivered\r\n452 4.2.2 <b@x> over quota\r\n'),
      expectBytes('QUIT\r\n'),
      send('221 bye\r\n'),
      close(),
    ]);
    const run = await runSpec(
      ws(),
      'lmtp.yaml',
      suite(
        p.port,
        `steps:
  - s: 220
  - c: LHLO c
  - s: { code: 250, contains: [PIPELINING] }
  - c: ["MAIL FROM:<s@x>", "RCPT TO:<a@x>", "RCPT TO:<b@x>", DATA]
  - s: 250
  - s: 250
  - s: 250
  - s: 354
  - data: "hi\\n"
  - s: { code: 250, match: /<a@x>/ }
  - s: { code: 4xx, enhanced: 4.2.2, match: /<b@x>/ }
  - c: QUIT
  - s: 221
  - s: { closed: true }
`,
        'lmtp',
      ),
    );
    expectPassed(run);
    await expectReceived(p, wire);
  });
});

describe('STARTTLS and implicit TLS', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await createPki();
    await ws().write('ca.pem', pki.ca.cert);
  });

  it('discards a reply injected after the STARTTLS 220 (RFC 3207 §6) and talks over TLS', async () => {
    const p = await peer([
      send('220 mx\r\n'),
      expectBytes('STARTTLS\r\n'),
      // In the same packet as the 220: a man in the middle's reply, to be dropped.
      send('220 2.0.0 go ahead\r\n250 injected before the handshake\r\n'),
      upgradeTls(pki.server),
      expectBytes('EHLO client.test\r\n'),
      send('250-mx over tls\r\n250 AUTH PLAIN\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'starttls.yaml',
      `name: starttls
connect: { port: ${p.port}, protocol: smtp }
tls: { ca: ca.pem, servername: mail.convospec.test }
timeout: 3s
steps:
  - s: 220
  - c: STARTTLS
  - s: { code: 220, lines: [220 2.0.0 go ahead] }
  - tls: { expect: { authorized: true, subject: /mail.convospec.test|CN=/ } }
  - c: EHLO client.test
  - s: { code: 250, lines: [250-mx over tls, 250 AUTH PLAIN], excludes: [injected] }
`,
    );
    expectPassed(run);
    await expectReceived(p, 'STARTTLS\r\nEHLO client.test\r\n');
  });

  it('connects with implicit TLS (connect tls: true), verified against the CA', async () => {
    const p = await peer([upgradeTls(pki.server), send('220 smtps ready\r\n'), expectBytes('QUIT\r\n'), send('221 bye\r\n'), close()]);
    const run = await runSpec(
      ws(),
      'smtps.yaml',
      `name: smtps
connect: { port: ${p.port}, protocol: smtp, tls: { expect: { authorized: true } } }
tls: { ca: ca.pem, servername: mail.convospec.test }
timeout: 3s
steps:
  - s: 220 smtps ready
  - c: QUIT
  - s: 221
  - s: { closed: true }
`,
    );
    expectPassed(run);
    await expectReceived(p, 'QUIT\r\n');
  });
});
