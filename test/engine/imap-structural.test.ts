/**
 * `imap:` end to end (format §5) against scripted IMAP peers: untagged responses in any
 * order, variables bound by a pattern and sent by a later `c:`, pipelined commands read as
 * one reply up to every listed tag's completion, and hostile peers (unbalanced parentheses,
 * a literal that never ends, 100,000 untagged lines, 100,000 EXPUNGEs against `$n`) failing
 * the step within its timeout and limits, or matched in time linear in the reply.
 */
import { describe, expect, it } from 'vitest';
import { expectBytes, hold, send, sendEndless, waitClose } from '../helpers/peer.js';
import { expectFailed, expectPassed, expectReceived, positionOf, runSpec, setup } from './harness.js';

const { ws, peer } = setup();

const GREETING = '* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n';

const suite = (port: number, steps: string, extra = ''): string => `name: imap structural
connect: { port: ${port}, protocol: imap }
timeout: 2s
${extra}steps:
  - s: { imap: { tagged: 'OK [$!unordered CAPABILITY IMAP4rev1]' } }
${steps}`;

describe('imap: against a scripted server', () => {
  it('matches responses in any order, binds $uid, and a later c: sends it', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('a1 SELECT INBOX\r\n'),
      send('* OK [UIDVALIDITY 42] ok\r\n* 2 EXISTS\r\n* FLAGS (\\Seen \\Recent \\Answered)\r\na1 OK [READ-WRITE] done\r\n'),
      expectBytes('a2 FETCH 2 (UID FLAGS)\r\n'),
      send('* 2 FETCH (FLAGS (\\Recent) UID 17)\r\na2 OK done\r\n'),
      expectBytes('a3 UID STORE 17 +FLAGS (\\Seen)\r\n'),
      send('* 2 FETCH (UID 17 FLAGS (\\Seen))\r\na3 OK done\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'structural.yaml',
      suite(
        p.port,
        `  - c: a1 SELECT INBOX
  - s:
      imap:
        untagged: ['* FLAGS (\\Answered \\Seen)', '* $n EXISTS', '* OK [UIDVALIDITY $uv]']
        tagged: OK [READ-WRITE]
  - c: a2 FETCH \${n} (UID FLAGS)
  - s: { imap: { untagged: '* $n FETCH (UID $uid FLAGS ())', extra: false } }
  - c: a3 UID STORE \${uid} +FLAGS (\\Seen)
  - s: { imap: { untagged: '* $n FETCH (FLAGS (\\Seen) UID $uid)', forbid: '* $ EXPUNGE' } }
`,
      ),
    );
    expectPassed(run);
    await expectReceived(p, 'a1 SELECT INBOX\r\na2 FETCH 2 (UID FLAGS)\r\na3 UID STORE 17 +FLAGS (\\Seen)\r\n');
  });

  it('reads pipelined commands to every listed completion, whichever order they come in', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('t1 STATUS a (MESSAGES)\r\nt2 STATUS b (MESSAGES)\r\nt3 NOOP\r\n'),
      send('t3 OK noop\r\n* STATUS b (MESSAGES 0)\r\nt2 OK b\r\n* STATUS a (MESSAGES 1)\r\nt1 OK a\r\n'),
      expectBytes('t4 NOOP\r\n'),
      send('t4 OK after\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'pipelined.yaml',
      suite(
        p.port,
        `  - c: [t1 STATUS a (MESSAGES), t2 STATUS b (MESSAGES), t3 NOOP]
  - s:
      imap:
        untagged: ['* STATUS a (MESSAGES 1)', '* STATUS b (MESSAGES 0)']
        tagged: { t1: OK, t2: OK, t3: OK }
  - c: t4 NOOP
  - s: t4 OK after
`,
      ),
    );
    expectPassed(run);
  });

  it('every completion read with named tags answers its command: a later early reply is still caught', async () => {
    const p = await peer([
      send(GREETING),
      expectBytes('t1 NOOP\r\nt2 NOOP\r\n'),
      // A second t2 completion, sent before the client sends t2 again.
      send('t2 OK b\r\nt1 OK a\r\nt2 OK again\r\n'),
      expectBytes('t2 NOOP\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'answered.yaml',
      suite(p.port, `  - c: [t1 NOOP, t2 NOOP]\n  - s: { imap: { tagged: { t1: OK, t2: OK } } }\n  - sleep: 300ms\n  - c: t2 NOOP\n  - s: t2 OK again\n`),
    );
    expectFailed(run, 'imap structural', /the server sent a reply nobody asked for/);
  });

  it('a literal8 of bytes that are not text: its line, the server\'s +, send: of the bytes, and c: "" to end the line (format §3)', async () => {
    const literal = Buffer.from('413a20620d0a0d0a002de4', 'hex');
    const p = await peer([
      send(GREETING),
      expectBytes('a1 APPEND INBOX ~{11}\r\n'),
      send('+ go ahead\r\n'),
      expectBytes(Buffer.concat([literal, Buffer.from('\r\n')])),
      send('a1 OK [APPENDUID 1 7] done\r\n'),
      expectBytes('a2 UID FETCH 7 BINARY.PEEK[1]\r\n'),
      send(Buffer.concat([Buffer.from('* 1 FETCH (UID 7 BINARY[1] ~{3}\r\n'), Buffer.from([0x00, 0x2d, 0xe4]), Buffer.from(')\r\na2 OK done\r\n')])),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'literal8.yaml',
      suite(
        p.port,
        `  - c: a1 APPEND INBOX ~{11}
  - s: { status: '+' }
  - send: { hex: 41 3a 20 62 0d 0a 0d 0a 00 2d e4 }
  - c: ""
  - s: { imap: { tagged: 'OK [APPENDUID $ $uid]' } }
  - c: a2 UID FETCH \${uid} BINARY.PEEK[1]
  - s: { imap: { untagged: "* 1 FETCH (BINARY[1] \\"\\0-\\uFFFD\\")" } }
`,
      ),
    );
    expectPassed(run);
  });

  it('a mismatch names the pattern at its own line', async () => {
    const p = await peer([send(GREETING), expectBytes('a1 NOOP\r\n'), send('* 1 EXPUNGE\r\na1 OK done\r\n'), waitClose()]);
    const text = suite(p.port, `  - c: a1 NOOP\n  - s: { imap: { forbid: ['* 1 EXPUNGE'] } }\n`);
    const run = await runSpec(ws(), 'forbid.yaml', text);
    const t = expectFailed(run, 'imap structural', 'expected no untagged response like "* 1 EXPUNGE", got "* 1 EXPUNGE"');
    const where = positionOf(text, "'* 1 EXPUNGE'");
    expect(t.failure).toMatchObject({ line: where.line, col: where.col });
  });
});

describe('imap: against hostile peers', () => {
  it('unbalanced parentheses: the response matches nothing, the step fails and says why', async () => {
    const p = await peer([send(GREETING), expectBytes('a1 FETCH 1 UID\r\n'), send('* 1 FETCH (UID 1 ((\r\na1 OK done\r\n'), waitClose()]);
    const run = await runSpec(ws(), 'unbalanced.yaml', suite(p.port, `  - c: a1 FETCH 1 UID\n  - s: { imap: { untagged: '* 1 FETCH (UID 1)' } }\n`));
    expectFailed(run, 'imap structural', /is no IMAP \(3 unclosed/);
  });

  it('a literal that never ends: the step fails at its timeout', async () => {
    const p = await peer([send(GREETING), expectBytes('a1 FETCH 1 BODY[]\r\n'), send('* 1 FETCH (BODY[] {100000}\r\nabc'), hold()]);
    const run = await runSpec(ws(), 'endless-literal.yaml', suite(p.port, `  - c: a1 FETCH 1 BODY[]\n  - s: { imap: { untagged: '* 1 FETCH (BODY[] $)' }, timeout: 1s }\n`));
    expectFailed(run, 'imap structural', /no reply within 1s|within 1s/);
  });

  it('100,000 untagged lines: matched within limits, or stopped by limits.reply', async () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `* ${i + 1} FETCH (UID ${i + 1})\r\n`).join('');
    const p = await peer([send(GREETING), expectBytes('a1 FETCH 1:* UID\r\n'), send(`${lines}a1 OK done\r\n`), waitClose()]);
    const run = await runSpec(
      ws(),
      'many.yaml',
      suite(p.port, `  - c: a1 FETCH 1:* UID\n  - s: { imap: { untagged: ['* 100000 FETCH (UID 100000)', '* 1 FETCH (UID $)'], forbid: '* $ EXPUNGE' }, timeout: 10s }\n`),
    );
    expectPassed(run);
    const small = await peer([send(GREETING), expectBytes('a1 FETCH 1:* UID\r\n'), sendEndless('* 1 FETCH (UID 1)\r\n', 8 * 1024 * 1024), waitClose()]);
    const limited = await runSpec(
      ws(),
      'flood.yaml',
      suite(small.port, `  - c: a1 FETCH 1:* UID\n  - s: { imap: { untagged: '* 1 FETCH (UID 2)' }, timeout: 10s }\n`).replace('protocol: imap }', 'protocol: imap, limits: { reply: 1MiB } }'),
    );
    expectFailed(limited, 'imap structural', /reply longer than 1 MiB/);
  });

  it('100,000 EXPUNGEs against $n patterns: followed in linear time, not one pass per response', async () => {
    const lines = '* 1 EXPUNGE\r\n'.repeat(100_000);
    const p = await peer([send(GREETING), expectBytes('a1 EXPUNGE\r\n'), send(`${lines}a1 OK done\r\n`), waitClose()]);
    const run = await runSpec(
      ws(),
      'expunges.yaml',
      suite(p.port, `  - c: a1 EXPUNGE\n  - s: { imap: { untagged: ['* $100000 EXPUNGE', '* $1 EXPUNGE', '* $50000 EXPUNGE'], forbid: ['* $100001 EXPUNGE', '* $7 FETCH $'] }, timeout: 10s }\n`),
    );
    expectPassed(run);
  });
});
