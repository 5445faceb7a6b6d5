/**
 * IMAP end to end against scripted peers that assert the exact bytes they receive
 * (spec-format §4): the greeting, pipelined tags, literals both ways (a server literal that
 * holds a fake completion; `{n}` and `{n+}` client literals), AUTHENTICATE continuations,
 * IDLE, an untagged BYE, and status/text matchers with response codes.
 *
 * "Nothing is pending" is observable: with no command pending, an `s:` reads ONE line. So a
 * pair of unsolicited lines read by two `s:` (each `timeout: 1s`) proves that no bogus
 * command (a SASL response or literal bytes taken for a tagged command) is left waiting.
 */
import { describe, expect, it } from 'vitest';
import { close, expectBytes, send, sendSplit, waitClose } from '../helpers/peer.js';
import { expectFailed, expectPassed, expectReceived, positionOf, runSpec, setup } from './harness.js';

const { ws, peer } = setup();

const GREETING = '* OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE AUTH=PLAIN] ready\r\n';

const suite = (port: number, steps: string, extra = ''): string => `name: imap
connect: { port: ${port}, protocol: imap }
timeout: 3s
${extra}steps:
  - s: { status: OK, text: "[CAPABILITY IMAP4rev1 LITERAL+ IDLE AUTH=PLAIN] ready" }
${steps}`;

/** Two unsolicited lines, each its own reply: nothing may be pending now. */
const UNSOLICITED = '* 4 EXISTS\r\n* 1 RECENT\r\n';
const nothingPending = `  - s: { lines: ["* 4 EXISTS"], timeout: 1s }
  - s: { lines: ["* 1 RECENT"], timeout: 1s }
`;

describe('imap framing', () => {
  it('reads pipelined tagged commands one completion per s:, untagged data included', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('a1 NOOP\r\na2 NOOP\r\n'),
      send('* 2 EXISTS\r\na1 OK NOOP done\r\n* 3 EXISTS\r\na2 OK [READ-WRITE] NOOP done\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'pipelined.yaml',
      suite(
        p.port,
        `  - c: [a1 NOOP, a2 NOOP]
  - s: { status: OK, lines: ["* 2 EXISTS", a1 OK NOOP done], text: NOOP done }
  - s: { status: OK, text: "[READ-WRITE] NOOP done", lines: ["* 3 EXISTS", "/^a2 OK/"] }
`,
      ),
    );
    expectPassed(run);
    await expectReceived(p, 'a1 NOOP\r\na2 NOOP\r\n');
  });

  it('ends a reply at the first pending completion, whichever order the tags come in', async () => {
    const p = await peer([send(GREETING), expectBytes('a1 SEARCH ALL\r\na2 NOOP\r\n'), send('a2 OK noop\r\n* SEARCH 1 2\r\na1 OK search\r\n'), waitClose()]);
    const run = await runSpec(
      ws(),
      'out-of-order.yaml',
      suite(p.port, `  - c: [a1 SEARCH ALL, a2 NOOP]\n  - s: a2 OK noop\n  - s: { text: search, contains: ["* SEARCH 1 2"] }\n`),
    );
    expectPassed(run);
    await expectReceived(p, 'a1 SEARCH ALL\r\na2 NOOP\r\n');
  });

  it('reads a server literal by count: a fake tagged completion and a + inside it end nothing', async () => {
    const body = 'a1 OK fake\r\n+ fake\r\nreal\r\n';
    const p = await peer([
      send(GREETING),
      expectBytes('a1 FETCH 1 BODY[]\r\n'),
      sendSplit(`* 1 FETCH (BODY[] {${body.length}}\r\n${body})\r\na1 OK FETCH completed\r\n`, 3),
      send(UNSOLICITED),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'server-literal.yaml',
      suite(
        p.port,
        `  - c: a1 FETCH 1 BODY[]
  - s:
      status: OK
      text: FETCH completed
      contains: [a1 OK fake, + fake]
      lines: ["* 1 FETCH (BODY[] {${body.length}}", a1 OK fake, + fake, real, ")", a1 OK FETCH completed]
${nothingPending}`,
      ),
    );
    expectPassed(run);
    await expectReceived(p, 'a1 FETCH 1 BODY[]\r\n');
  });

  it('a literal that does not end in CRLF joins the rest of its line; a {0} literal is empty', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('a1 FETCH 1:2 (BODY[HEADER.FIELDS (X)])\r\n'),
      send('* 1 FETCH (BODY[HEADER.FIELDS (X)] {5}\r\nHello)\r\n* 2 FETCH (BODY[HEADER.FIELDS (X)] {0}\r\n)\r\na1 OK done\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'literal-joins.yaml',
      suite(
        p.port,
        `  - c: a1 FETCH 1:2 (BODY[HEADER.FIELDS (X)])
  - s: { lines: ["* 1 FETCH (BODY[HEADER.FIELDS (X)] {5}", "Hello)", "* 2 FETCH (BODY[HEADER.FIELDS (X)] {0}", ")", a1 OK done] }
`,
      ),
    );
    expectPassed(run);
  });
});

describe('client literals', () => {
  it('sends a synchronising {n} literal after the + go-ahead, byte-exact', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('a2 LOGIN {5}\r\n'),
      send('+ Ready for literal data\r\n'),
      expectBytes('alice "pw"\r\n'),
      send('a2 OK [CAPABILITY IMAP4rev1] Logged in\r\n'),
      send(UNSOLICITED),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'client-literal.yaml',
      suite(
        p.port,
        `  - c: 'a2 LOGIN {5}'
  - s: { status: "+", text: Ready for literal data }
  - c: 'alice "pw"'
  - s: { status: OK, text: "[CAPABILITY IMAP4rev1] Logged in" }
${nothingPending}`,
      ),
    );
    expectPassed(run);
    await expectReceived(p, 'a2 LOGIN {5}\r\nalice "pw"\r\n');
  });

  it('an APPEND literal whose lines look like commands is counted, not taken as commands', async () => {
    const message = 'Subject: a\r\na9 OK x\r\n';
    const p = await peer([
      send(GREETING),
      expectBytes(`a3 APPEND INBOX {${message.length}}\r\n`),
      send('+ go ahead\r\n'),
      expectBytes(`${message}\r\n`),
      send('a3 OK [APPENDUID 7 12] APPEND completed\r\n'),
      send(UNSOLICITED),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'append.yaml',
      suite(
        p.port,
        `  - c: 'a3 APPEND INBOX {${message.length}}'
  - s: { status: "+" }
  - c: ["Subject: a", a9 OK x, ""]
  - s: { status: OK, capture: { uid: '/APPENDUID \\d+ (\\d+)/' } }
${nothingPending}  - c: a4 UID FETCH \${uid} FLAGS
`,
      ),
    );
    expectPassed(run);
    await expectReceived(p, `a3 APPEND INBOX {${message.length}}\r\n${message}\r\na4 UID FETCH 12 FLAGS\r\n`);
  });

  it('sends a {n+} LITERAL+ literal without waiting, and its bytes start no command', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('a3 LOGIN {5+}\r\nalice "pw"\r\n'),
      send('a3 OK Logged in\r\n'),
      send(UNSOLICITED),
      expectBytes('a4 APPEND INBOX {3+}\r\nhey\r\na5 NOOP\r\n'),
      send('a5 OK noop\r\na4 OK append\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'literal-plus.yaml',
      suite(
        p.port,
        `  - c: 'a3 LOGIN {5+}'
  - c: 'alice "pw"'
  - s: { status: OK, lines: [a3 OK Logged in] }
${nothingPending}  - c: ['a4 APPEND INBOX {3+}', hey, a5 NOOP]
  - s: a5 OK noop
  - s: a4 OK append
`,
      ),
    );
    expectPassed(run);
    await expectReceived(p, 'a3 LOGIN {5+}\r\nalice "pw"\r\na4 APPEND INBOX {3+}\r\nhey\r\na5 NOOP\r\n');
  });
});

describe('continuations', () => {
  const plain = Buffer.from('\0alice\0s3cret').toString('base64');

  it('AUTHENTICATE PLAIN: the SASL response after + is not a new command', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('a1 AUTHENTICATE PLAIN\r\n'),
      send('+ \r\n'),
      expectBytes(`${plain}\r\n`),
      send('a1 OK [CAPABILITY IMAP4rev1 IDLE] authenticated\r\n'),
      send(UNSOLICITED),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'authenticate.yaml',
      suite(
        p.port,
        `  - c: a1 AUTHENTICATE PLAIN
  - s: { status: "+", text: "", lines: ["+ "] }
  - c: \${sasl_plain(user, pass)}
  - s: { status: OK, text: "[CAPABILITY IMAP4rev1 IDLE] authenticated" }
${nothingPending}`,
        'vars: { user: alice, pass: s3cret }\nsecrets: [pass]\n',
      ),
    );
    expectPassed(run);
    await expectReceived(p, `a1 AUTHENTICATE PLAIN\r\n${plain}\r\n`);
  });

  it('AUTHENTICATE LOGIN: two challenges, two responses, then the completion', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('a1 AUTHENTICATE LOGIN\r\n'),
      send('+ VXNlcm5hbWU6\r\n'),
      expectBytes('YWxpY2U=\r\n'),
      send('+ UGFzc3dvcmQ6\r\n'),
      expectBytes('czNjcmV0\r\n'),
      send('a1 NO [AUTHENTICATIONFAILED] Invalid credentials (failure)\r\n'),
      send(UNSOLICITED),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'auth-login.yaml',
      suite(
        p.port,
        `  - c: a1 AUTHENTICATE LOGIN
  - s: { status: "+", text: VXNlcm5hbWU6 }
  - c: \${base64(user)}
  - s: { status: "+", text: "/^\${base64('Password:')}$/" }
  - c: \${base64(pass)}
  - s: { status: NO, text: '/^\\[AUTHENTICATIONFAILED\\]/', excludes: [s3cret] }
${nothingPending}`,
        'vars: { user: alice, pass: s3cret }\n',
      ),
    );
    expectPassed(run);
    await expectReceived(p, 'a1 AUTHENTICATE LOGIN\r\nYWxpY2U=\r\nczNjcmV0\r\n');
  });

  it('IDLE: + idling, single untagged lines while idling, DONE, the completion', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('a5 IDLE\r\n'),
      send('+ idling\r\n'),
      send('* 3 EXISTS\r\n'),
      send('* 1 EXPUNGE\r\n'),
      expectBytes('DONE\r\n'),
      send('a5 OK IDLE terminated\r\n'),
      send(UNSOLICITED),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'idle.yaml',
      suite(
        p.port,
        `  - c: a5 IDLE
  - s: { status: "+", text: idling }
  - s: "* 3 EXISTS"
  - s: { lines: ["* 1 EXPUNGE"] }
  - c: DONE
  - s: { status: OK, lines: [a5 OK IDLE terminated] }
${nothingPending}`,
      ),
    );
    expectPassed(run);
    await expectReceived(p, 'a5 IDLE\r\nDONE\r\n');
  });
});

describe('BYE and closes', () => {
  it('LOGOUT: the untagged BYE is part of the reply, then the server closes', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('a9 LOGOUT\r\n'),
      send('* BYE IMAP4rev1 Server logging out\r\na9 OK LOGOUT completed\r\n'),
      close(),
    ]);
    const run = await runSpec(
      ws(),
      'logout.yaml',
      suite(
        p.port,
        `  - c: a9 LOGOUT
  - s: { status: OK, lines: ["* BYE IMAP4rev1 Server logging out", a9 OK LOGOUT completed] }
  - s: { closed: true }
`,
      ),
    );
    expectPassed(run);
    await expectReceived(p, 'a9 LOGOUT\r\n');
  });

  it('an unsolicited BYE is one reply with status BYE, then the close', async () => {
    const p = await peer([send(GREETING), send('* BYE [UNAVAILABLE] autologout; idle for too long\r\n'), close()]);
    const run = await runSpec(
      ws(),
      'bye.yaml',
      suite(p.port, `  - s: { status: BYE, text: "[UNAVAILABLE] autologout; idle for too long" }\n  - s: { closed: true }\n`),
    );
    expectPassed(run);
  });

  it('a BYE then a close while a command waits fails "the server closed the connection"', async () => {
    const p = await peer([send(GREETING), expectBytes('a1 NOOP\r\n'), send('* BYE shutting down\r\n'), close()]);
    const text = `name: bye
connect: { port: ${p.port}, protocol: imap }
timeout: 3s
tests:
  - name: shutdown
    steps:
      - s: { status: OK }
      - c: a1 NOOP
      - s: { status: OK } #fails
`;
    const run = await runSpec(ws(), 'bye-pending.yaml', text);
    const t = expectFailed(run, 'shutdown', /^the server closed the connection while reading the reply; received so far: "\* BYE shutting down/);
    expect(t.failure?.kind).toBe('closed');
    expect(t.failure).toMatchObject(positionOf(text, '{ status: OK }', '#fails'));
  });
});

describe('status and text matchers', () => {
  it('matches status words and response codes; a wrong status fails at its key with both shown', async () => {
    const p = await peer([
      send('* PREAUTH [CAPABILITY IMAP4rev1] logged in as alice\r\n'),
      expectBytes('a2 SELECT INBOX\r\n'),
      send('* 3 EXISTS\r\n* OK [UIDVALIDITY 3857529045] UIDs valid\r\n* FLAGS (\\Seen \\Deleted)\r\na2 OK [READ-WRITE] SELECT completed\r\n'),
      expectBytes('a3 SELECT Nope\r\n'),
      send('a3 NO [NONEXISTENT] Unknown mailbox\r\n'),
      waitClose(),
    ]);
    const text = `name: status
connect: { port: ${p.port}, protocol: imap }
timeout: 3s
tests:
  - name: select
    steps:
      - s: { status: PREAUTH, text: '/^\\[CAPABILITY [^\\]]*\\] logged in as alice$/' }
      - c: a2 SELECT INBOX
      - s:
          status: OK
          text: "[READ-WRITE] SELECT completed"
          contains: [3 EXISTS, '/UIDVALIDITY \\d+/', "\\\\Seen"]
          excludes: [READ-ONLY]
          capture: { uidvalidity: '/UIDVALIDITY (\\d+)/' }
      - c: a3 SELECT Nope
      - s: { status: OK, text: "[NONEXISTENT] Unknown mailbox" } #fails
`;
    const run = await runSpec(ws(), 'status.yaml', text);
    const t = expectFailed(run, 'select', 'expected status OK, got NO');
    expect(t.failure).toMatchObject(positionOf(text, 'OK', '#fails'));
    expect(t.failure?.actual).toContain('a3 NO [NONEXISTENT] Unknown mailbox');
    await expectReceived(p, 'a2 SELECT INBOX\r\na3 SELECT Nope\r\n');
  });
});
