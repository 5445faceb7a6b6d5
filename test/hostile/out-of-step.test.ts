/**
 * Servers out of step with the client: a reply whose bytes came before the command it
 * would answer was written is no answer to it (docs/format.md §4). The step fails and says
 * so; greetings, pipelined replies, IMAP untagged data and replies read while no command
 * waits still pass.
 */
import { describe, expect, it } from 'vitest';
import { listen, smtpScript, type Behaviour } from './peers.js';
import { expectFailure, hostileSetup, jsonTest, matcherAt, runWithReports } from './harness.js';

const { ws: workspaceOf, good: goodOf, start } = hostileSetup();

const UNSOLICITED = /the server sent a reply nobody asked for: it came before "MAIL FROM:<a@convospec\.test>" was sent/;

/** A spec with the hostile test (its connection and steps given) and a good test. */
function spec(connect: string, steps: string): string {
  return `name: out of step
timeout: 2s
tests:
  - name: hostile
    connect: ${connect}
    steps:
${steps}
  - name: good
    connect: { host: 127.0.0.1, port: ${goodOf().port}, protocol: smtp }
    steps:
      - s: 220
      - c: EHLO client.test
      - s: { code: 250, contains: [PIPELINING] }
      - c: QUIT
      - s: 221
`;
}

const smtpAt = (port: number): string => `{ host: 127.0.0.1, port: ${port}, protocol: smtp }`;

async function run(name: string, text: string) {
  const file = await workspaceOf().write(name, text);
  return runWithReports(workspaceOf(), file);
}

/** Answers each client line from `answers` in turn (the last one for any extra line). */
function inTurn(greeting: string, answers: readonly string[]): Behaviour {
  return (conn) => {
    conn.socket.write(greeting);
    let n = 0;
    conn.lines(() => {
      if (conn.isOpen) conn.socket.write(answers[Math.min(n++, answers.length - 1)]!);
    });
  };
}

describe('a reply that came before its command was written', () => {
  it('SMTP: a second 250 after NOOP is not the answer to MAIL FROM, which was refused', async () => {
    const peer = await start(
      listen(
        smtpScript({
          NOOP: '250 2.0.0 OK\r\n250 2.0.0 OK again\r\n',
          MAIL: '550 5.7.1 refused\r\n',
        }),
      ),
    );
    const text = spec(
      smtpAt(peer.port),
      `      - s: 220
      - c: NOOP
      - s: 250
      - c: MAIL FROM:<a@convospec.test>
      - s: 250 #fails`,
    );
    const reports = await run('noop.yaml', text);
    expectFailure(reports, matcherAt('noop.yaml', text), UNSOLICITED);
    expect(jsonTest(reports, 'hostile').failure?.actual).toContain('250 2.0.0 OK again');
  });

  it('SMTP inside retry: the late answer to a timed-out try does not pass the next try', async () => {
    let mails = 0;
    const peer = await start(
      listen(
        smtpScript({
          // The first MAIL is answered after the client gave up on it, before it tries again;
          // every later one is refused at once.
          MAIL: (conn) => {
            mails += 1;
            if (mails === 1) conn.after(700, () => conn.socket.write('250 2.1.0 late\r\n'));
            else conn.socket.write('550 5.7.1 refused\r\n');
          },
        }),
      ),
    );
    const text = spec(
      smtpAt(peer.port),
      `      - s: 220
      - retry:
          times: 2
          delay: 1500ms
          steps:
            - c: MAIL FROM:<a@convospec.test>
            - s: { code: 250, timeout: 200ms } #fails`,
    );
    const reports = await run('retry.yaml', text);
    const at = matcherAt('retry.yaml', text);
    expectFailure(reports, { file: at.file, line: at.line }, UNSOLICITED);
    expect(mails).toBe(2);
  });

  it('POP3: a second +OK is not the answer to the next command', async () => {
    const peer = await start(listen(inTurn('+OK POP3 ready\r\n', ['+OK\r\n+OK extra\r\n', '-ERR no such user\r\n'])));
    const text = spec(
      `{ host: 127.0.0.1, port: ${peer.port}, protocol: pop3 }`,
      `      - s: { status: '+OK' }
      - c: NOOP
      - s: { status: '+OK' }
      - c: USER alice
      - s: { status: '+OK' } #fails`,
    );
    const reports = await run('pop3.yaml', text);
    expectFailure(reports, matcherAt('pop3.yaml', text), /the server sent a reply nobody asked for: it came before "USER alice" was sent/);
  });

  it('IMAP: a repeated tagged completion is not the answer to a later command of that tag; untagged data before a command is', async () => {
    const peer = await start(
      listen((conn) => {
        conn.socket.write('* OK IMAP ready\r\n');
        conn.lines((line) => {
          const [tag, verb] = line.split(' ');
          if (verb === 'NOOP') conn.socket.write(`${tag} OK done\r\n* 4 EXISTS\r\n${tag} OK done again\r\n`);
          else conn.socket.write(`${tag} NO refused\r\n`);
        });
      }),
    );
    const text = spec(
      `{ host: 127.0.0.1, port: ${peer.port}, protocol: imap }`,
      `      - s: { status: OK }
      - c: a1 NOOP
      - s: { status: OK }
      - c: a1 LOGIN alice secret
      - s: { status: OK } #fails`,
    );
    const reports = await run('imap.yaml', text);
    expectFailure(reports, matcherAt('imap.yaml', text), /the server sent a reply nobody asked for: it came before "a1 LOGIN alice secret" was sent/);
  });
});

describe('replies that came after their command still pass', () => {
  it('a greeting read after the first command, pipelined lists, LMTP replies per recipient, IMAP untagged data before a command, a 421 nobody asked for', async () => {
    const smtp = await start(
      listen(
        smtpScript({
          // A reply nobody asked for, read by an `s:` while no command waits (RFC 5321 §3.8).
          RSET: (conn) => {
            conn.socket.write('250 2.0.0 OK\r\n');
            conn.after(100, () => conn.socket.end('421 4.4.2 idle too long\r\n'));
          },
        }),
      ),
    );
    const imap = await start(
      listen((conn) => {
        conn.socket.write('* OK IMAP ready\r\n');
        conn.lines((line) => {
          const [tag] = line.split(' ');
          conn.socket.write(`* 3 EXISTS\r\n${tag} OK done\r\n* 4 EXISTS\r\n`);
        });
      }),
    );
    const lmtp = await start(
      listen((conn) => {
        conn.socket.write('220 lmtp ready\r\n');
        let body = false;
        conn.lines((line) => {
          if (body) {
            // One reply per recipient after the body (RFC 2033 §4.2), in one packet.
            if (line === '.') conn.socket.write('250 2.0.0 <a> delivered\r\n452 4.2.2 <b> over quota\r\n');
            body = line !== '.';
            return;
          }
          const verb = line.split(' ', 1)[0]!.toUpperCase();
          if (verb === 'DATA') {
            body = true;
            conn.socket.write('354 go\r\n');
          } else if (verb === 'QUIT') conn.socket.end('221 bye\r\n');
          else conn.socket.write('250 ok\r\n');
        });
      }),
    );
    const text = `name: in step
timeout: 2s
tests:
  - name: lmtp
    connect: { host: 127.0.0.1, port: ${lmtp.port}, protocol: lmtp }
    steps:
      - s: 220
      - c: [LHLO client.test, MAIL FROM:<x@convospec.test>, RCPT TO:<a@convospec.test>, RCPT TO:<b@convospec.test>, DATA]
      - s: 250
      - s: 250
      - s: 250
      - s: 250
      - s: 354
      - data: "hello\\n"
      - s: 250
      - c: QUIT
      - s: 452
      - s: 221
  - name: smtp
    connect: ${smtpAt(smtp.port)}
    steps:
      - c: EHLO client.test
      - s: 220
      - s: 250
      - c: [MAIL FROM:<a@convospec.test>, RCPT TO:<b@convospec.test>, NOOP]
      - s: 250
      - s: 250
      - s: 250
      - c: RSET
      - s: 250
      - s: 421
  - name: imap
    connect: { host: 127.0.0.1, port: ${imap.port}, protocol: imap }
    steps:
      - s: { status: OK }
      - c: a1 NOOP
      - s: { status: OK, contains: ['3 EXISTS'] }
      - c: a2 NOOP
      - s: { status: OK, contains: ['4 EXISTS', '3 EXISTS'] }
`;
    const reports = await run('in-step.yaml', text);
    expect(reports.cli.code, reports.console).toBe(0);
    expect(jsonTest(reports, 'smtp').status).toBe('passed');
    expect(jsonTest(reports, 'imap').status).toBe('passed');
    expect(jsonTest(reports, 'lmtp').status).toBe('passed');
  });
});
