/**
 * Several connections in one test (spec-format §2, §3): `connect` with `as`, `use`, `close`,
 * captures carried from one connection to another (the second peer asserts the exact bytes),
 * and what a `connect` step inherits from the file's `connect`.
 */
import { describe, expect, it } from 'vitest';
import { close, expectBytes, send, waitClose } from '../helpers/peer.js';
import { expectFailed, expectPassed, expectReceived, positionOf, runSpec, setup } from './harness.js';

const { ws, peer } = setup();

describe('connect / use / close', () => {
  it('submits by SMTP, then finds the message by IMAP with the queue id captured on SMTP', async () => {
    const smtp = await peer([
      send('220 mx ESMTP\r\n'),
      expectBytes('MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n'),
      send('250 ok\r\n250 ok\r\n354 go\r\n'),
      expectBytes('Subject: hi\r\n.\r\n'),
      send('250 2.0.0 Ok: queued as 4BqZ1x2Hk9z\r\n'),
      expectBytes('QUIT\r\n'),
      send('221 bye\r\n'),
      close(),
    ]);
    const imap = await peer([
      send('* OK imap ready\r\n'),
      expectBytes('a1 SEARCH HEADER X-Queue-Id 4BqZ1x2Hk9z\r\n'),
      send('* SEARCH 7\r\na1 OK SEARCH completed\r\n'),
      expectBytes('a2 FETCH 7 (BODY[HEADER.FIELDS (SUBJECT)])\r\n'),
      send('* 7 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {15}\r\nSubject: hi\r\n\r\n)\r\na2 OK FETCH completed\r\n'),
      expectBytes('a3 LOGOUT\r\n'),
      send('* BYE\r\na3 OK bye\r\n'),
      close(),
    ]);
    const run = await runSpec(
      ws(),
      'round-trip.yaml',
      `name: round trip
timeout: 3s
tests:
  - name: delivered
    steps:
      - connect: { port: ${smtp.port}, protocol: smtp, as: smtp }
      - s: 220
      - c: ["MAIL FROM:<a@x>", "RCPT TO:<b@x>", DATA]
      - s: 250
      - s: 250
      - s: 354
      - data: "Subject: hi\\n"
      - s: { code: 250, capture: { qid: '/queued as (\\w+)/' } }
      - connect: { port: ${imap.port}, protocol: imap, as: imap }
      - s: { status: OK }
      - c: a1 SEARCH HEADER X-Queue-Id \${qid}
      - s: { status: OK, capture: { seq: '/^\\* SEARCH (\\d+)/m' } }
      - use: smtp
      - c: QUIT
      - s: 221
      - s: { closed: true }
      - use: imap
      - c: a2 FETCH \${seq} (BODY[HEADER.FIELDS (SUBJECT)])
      - s: { status: OK, contains: ["Subject: hi"] }
      - c: a3 LOGOUT
      - s: { status: OK }
      - s: { closed: true }
`,
    );
    expectPassed(run);
    await expectReceived(smtp, 'MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\nSubject: hi\r\n.\r\nQUIT\r\n');
    await expectReceived(imap, 'a1 SEARCH HEADER X-Queue-Id 4BqZ1x2Hk9z\r\na2 FETCH 7 (BODY[HEADER.FIELDS (SUBJECT)])\r\na3 LOGOUT\r\n');
    // While both were open, the transcript says which connection each line is on.
    const transcript = run.test('delivered').transcript;
    expect(transcript).toContainEqual(expect.objectContaining({ dir: 'c', text: 'a1 SEARCH HEADER X-Queue-Id 4BqZ1x2Hk9z', connection: 'imap' }));
    expect(transcript).toContainEqual(expect.objectContaining({ dir: 'c', text: 'QUIT', connection: 'smtp' }));
  });

  it('keeps the test connection as well, and switches back and forth between them', async () => {
    const main = await peer([send('220 main\r\n'), expectBytes('NOOP main\r\n'), send('250 main ok\r\n'), expectBytes('NOOP again\r\n'), send('250 again\r\n'), waitClose()]);
    const other = await peer([send('+OK other\r\n'), expectBytes('NOOP\r\n'), send('+OK\r\n'), waitClose()]);
    const run = await runSpec(
      ws(),
      'switch.yaml',
      `name: switch
connect: { port: ${main.port}, protocol: smtp }
timeout: 3s
steps:
  - s: 220 main
  - connect: { port: ${other.port}, protocol: pop3, as: pop }
  - s: +OK other
  - use: main
  - c: NOOP main
  - s: 250 main ok
  - use: pop
  - c: NOOP
  - s: +OK
  - close: true
  - use: main
  - c: NOOP again
  - s: 250 again
`,
    );
    expectPassed(run);
    await expectReceived(main, 'NOOP main\r\nNOOP again\r\n');
    await expectReceived(other, 'NOOP\r\n');
  });

  it('a connect step inherits eol from the file connect, but not the port or protocol', async () => {
    const main = await peer([send('220 main\n'), waitClose()]);
    const other = await peer([send('* OK hi\n'), expectBytes('a1 NOOP\n'), send('a1 OK done\n'), waitClose()]);
    const run = await runSpec(
      ws(),
      'inherit.yaml',
      `name: inherit
connect: { port: ${main.port}, protocol: smtp, eol: lf }
timeout: 3s
steps:
  - s: 220
  - connect: { port: ${other.port}, protocol: imap, as: other }
  - s: { status: OK }
  - c: a1 NOOP
  - s: { status: OK, text: done }
`,
    );
    expectPassed(run);
    await expectReceived(other, 'a1 NOOP\n');
  });

  it('fails `use` of a connection that was closed, naming the open ones', async () => {
    const main = await peer([send('220 main\r\n'), waitClose()]);
    const other = await peer([send('220 other\r\n'), waitClose()]);
    const text = `name: use closed
connect: { port: ${main.port}, protocol: smtp }
timeout: 3s
tests:
  - name: gone
    steps:
      - s: 220
      - connect: { port: ${other.port}, protocol: smtp, as: other }
      - s: 220 other
      - close: true
      - use: other #fails
`;
    const run = await runSpec(ws(), 'use-closed.yaml', text);
    const t = run.test('gone');
    expect(t.status).toBe('errored');
    expect(t.failure?.message).toBe('no open connection named "other" (open: main)');
    expect(t.failure).toMatchObject(positionOf(text, 'use', '#fails'));
  });

  it('a step on a connection the server closed fails clearly', async () => {
    const p = await peer([send('220 mx\r\n'), expectBytes('QUIT\r\n'), send('221 bye\r\n'), close()]);
    const text = `name: after close
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
tests:
  - name: talks to nobody
    steps:
      - s: 220
      - c: QUIT
      - s: 221
      - s: { closed: true }
      - c: NOOP #fails
`;
    const run = await runSpec(ws(), 'after-close.yaml', text);
    const t = run.test('talks to nobody');
    // A step after the close is the spec's mistake, not the server's: an error, not a failure.
    expect(t.status).toBe('errored');
    expect(t.failure?.message).toBe('no open connection: add a `connect` step first, or reopen after `close`');
    expect(t.failure).toMatchObject(positionOf(text, 'c:', '#fails'));
    expect(run.cli.code).toBe(1);
  });
});

describe('failures on the second connection', () => {
  it('names the failing step on the second connection, with the line of the connect', async () => {
    const smtp = await peer([send('220 mx\r\n'), waitClose()]);
    const imap = await peer([send('* OK ready\r\n'), expectBytes('a1 LOGIN alice pw\r\n'), send('a1 NO [AUTHENTICATIONFAILED] nope\r\n'), waitClose()]);
    const text = `name: second fails
timeout: 3s
tests:
  - name: login refused
    steps:
      - connect: { port: ${smtp.port}, protocol: smtp, as: smtp }
      - s: 220
      - connect: { port: ${imap.port}, protocol: imap, as: imap }
      - s: { status: OK }
      - c: a1 LOGIN alice pw
      - s: { status: OK } #fails
`;
    const run = await runSpec(ws(), 'second.yaml', text);
    const t = expectFailed(run, 'login refused', 'expected status OK, got NO');
    expect(t.failure).toMatchObject(positionOf(text, 'OK', '#fails'));
    expect(t.transcript.at(-1)).toMatchObject({ dir: 's', text: 'a1 NO [AUTHENTICATIONFAILED] nope', connection: 'imap' });
  });
});
