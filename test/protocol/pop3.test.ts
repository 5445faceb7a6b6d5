import { describe, expect, it } from 'vitest';
import { frameAll } from '../../src/protocol/frame-all.js';
import { classifyPop3Command } from '../../src/protocol/pop3/framer.js';
import { PROTOCOLS } from '../../src/protocol/registry.js';
import type { ProtocolSession, Reply, ReplyOptions } from '../../src/protocol/types.js';

const GREETING = '+OK POP3 ready <1896.697170952@dbc.mindspring.com>\r\n';

/** A session whose greeting was read, with `commands` sent as `c:` lines. */
function session(...commands: string[]): ProtocolSession {
  const s = PROTOCOLS.pop3.createSession();
  expect(frameAll(s, Buffer.from(GREETING)).replies).toHaveLength(1);
  for (const text of commands) s.sent({ kind: 'line', text });
  return s;
}

function frame(s: ProtocolSession, input: string, options?: ReplyOptions): { replies: readonly Reply[]; rest: string } {
  const { replies, rest } = frameAll(s, Buffer.from(input), options);
  return { replies, rest: rest.toString() };
}

function view(reply: Reply | undefined): Partial<Reply> {
  if (!reply) return {};
  const { raw: _raw, ...rest } = reply;
  return rest;
}

describe('pop3 framing (RFC 1939 §3)', () => {
  it('reads the greeting as one line, before any command', () => {
    const s = PROTOCOLS.pop3.createSession();
    s.sent({ kind: 'line', text: 'CAPA' }); // sent before the greeting was read
    const { replies, rest } = frame(s, `${GREETING}+OK\r\nTOP\r\nUSER\r\n.\r\n`);
    expect(replies.map(view)).toEqual([
      { status: '+OK', text: 'POP3 ready <1896.697170952@dbc.mindspring.com>', lines: [GREETING.trimEnd()] },
      { status: '+OK', text: '', lines: ['+OK', 'TOP', 'USER'] },
    ]);
    expect(rest).toBe('');
  });

  it.each([
    ['CAPA', '+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN\r\n.\r\n', ['+OK Capability list follows', 'TOP', 'USER', 'SASL PLAIN']],
    ['capa', '+OK\r\nTOP\r\n.\r\n', ['+OK', 'TOP']],
    ['LIST', '+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n', ['+OK 2 messages (320 octets)', '1 120', '2 200']],
    ['LIST', '+OK 0 messages\r\n.\r\n', ['+OK 0 messages']],
    ['LIST 1', '+OK 1 120\r\n', ['+OK 1 120']],
    ['LIST 9', '-ERR no such message, only 2 messages in maildrop\r\n', ['-ERR no such message, only 2 messages in maildrop']],
    ['UIDL', '+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n', ['+OK', '1 whqtswO00WBw418f9t5JxYwZ', '2 QhdPYR:00WBw1Ph7x7']],
    ['UIDL 2', '+OK 2 QhdPYR:00WBw1Ph7x7\r\n', ['+OK 2 QhdPYR:00WBw1Ph7x7']],
    ['RETR 1', '+OK 120 octets\r\nSubject: x\r\n\r\n..x\r\n...\r\n.\r\n', ['+OK 120 octets', 'Subject: x', '', '.x', '..']],
    ['RETR 7', '-ERR no such message\r\n', ['-ERR no such message']],
    ['TOP 1 0', '+OK\r\nSubject: x\r\n\r\n.\r\n', ['+OK', 'Subject: x', '']],
    ['STAT', '+OK 2 320\r\n', ['+OK 2 320']],
    ['USER alice', '+OK\r\n', ['+OK']],
    ['DELE 1', '-ERR message 1 already deleted\r\n', ['-ERR message 1 already deleted']],
    ['NOOP', '+OK\r\n', ['+OK']],
  ])('%s', (command, input, lines) => {
    const { replies, rest } = frame(session(command), input);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.lines).toEqual(lines);
    expect(rest).toBe('');
  });

  it('status and text come from the status line', () => {
    const { replies } = frame(session('RETR 1', 'QUIT'), '+OK 5 octets\r\nhi\r\n.\r\n-ERR some deleted messages not removed\r\n');
    expect(replies.map((r) => [r.status, r.text])).toEqual([
      ['+OK', '5 octets'],
      ['-ERR', 'some deleted messages not removed'],
    ]);
  });

  it('dot-unstuffs the body but keeps the stuffed bytes and the closing dot in raw', () => {
    const { replies } = frame(session('RETR 1'), '+OK\r\n..x\r\n.\r\n');
    expect(replies[0]?.lines).toEqual(['+OK', '.x']);
    expect(replies[0]?.raw.toString()).toBe('+OK\n..x\n.\n');
  });

  it('a line "." with a space is not the end', () => {
    const { replies, rest } = frame(session('RETR 1'), '+OK\r\n. \r\nx\r\n.\r\n');
    expect(replies[0]?.lines).toEqual(['+OK', ' ', 'x']);
    expect(rest).toBe('');
  });

  it('answers pipelined commands in order (RFC 2449 §6.6)', () => {
    const s = session('STAT', 'LIST', 'RETR 1', 'LIST 2', 'QUIT');
    const { replies, rest } = frame(
      s,
      '+OK 2 320\r\n+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n+OK\r\nbody\r\n.\r\n+OK 2 200\r\n+OK bye\r\n',
    );
    expect(replies.map((r) => r.lines)).toEqual([['+OK 2 320'], ['+OK 2 messages', '1 120', '2 200'], ['+OK', 'body'], ['+OK 2 200'], ['+OK bye']]);
    expect(rest).toBe('');
  });

  it('also queues commands sent as one c: list and by send:', () => {
    const s = session();
    s.sent({ kind: 'raw', text: 'STAT\r\nLI' });
    s.sent({ kind: 'raw', text: 'ST\r\n' });
    const { replies } = frame(s, '+OK 1 10\r\n+OK\r\n1 10\r\n.\r\n');
    expect(replies.map((r) => r.lines.length)).toEqual([1, 2]);
  });

  it('counts lines correctly with eol: lf', () => {
    const s = PROTOCOLS.pop3.createSession({ eol: 'lf' });
    frame(s, GREETING);
    s.sent({ kind: 'line', text: 'NOOP' });
    s.sent({ kind: 'line', text: 'CAPA' });
    expect(frame(s, '+OK\r\n+OK\r\nUSER\r\n.\r\n').replies.map((r) => r.lines.length)).toEqual([1, 2]);
  });

  describe('multiline override', () => {
    it.each([
      ['true on a one-line command', 'NOOP', true, '+OK\r\na\r\n.\r\n', ['+OK', 'a']],
      ['false on a multi-line command', 'CAPA', false, '+OK\r\nTOP\r\n', ['+OK']],
      ['true on a bare AUTH', 'AUTH', true, '+OK\r\nPLAIN\r\nLOGIN\r\n.\r\n', ['+OK', 'PLAIN', 'LOGIN']],
      ['true does not read a body after -ERR', 'XYZ', true, '-ERR unknown\r\n', ['-ERR unknown']],
      ['undefined keeps the default', 'LIST', undefined, '+OK\r\n1 1\r\n.\r\n', ['+OK', '1 1']],
    ])('%s', (_name, command, multiline, input, lines) => {
      const options = multiline === undefined ? {} : { multiline };
      const first = frameAll(session(command), Buffer.from(input), options).replies[0];
      expect(first?.lines).toEqual(lines);
    });

    it('applies to the greeting too', () => {
      const s = PROTOCOLS.pop3.createSession();
      expect(frame(s, '+OK hi\r\nx\r\n.\r\n', { multiline: true }).replies[0]?.lines).toEqual(['+OK hi', 'x']);
    });
  });

  describe('SASL continuations (RFC 5034 §4)', () => {
    it('AUTH PLAIN: the line after "+ " is a response, not a command', () => {
      const s = session('AUTH PLAIN');
      const first = frame(s, '+ \r\n').replies;
      expect(first.map(view)).toEqual([{ status: '+', text: '', lines: ['+ '] }]);
      s.sent({ kind: 'line', text: 'AGFsaWNlAHNlY3JldA==' });
      s.sent({ kind: 'line', text: 'LIST' });
      const { replies } = frame(s, '+OK maildrop locked and ready\r\n+OK\r\n1 5\r\n.\r\n');
      expect(replies.map((r) => [r.status, r.lines.length])).toEqual([
        ['+OK', 1],
        ['+OK', 2],
      ]);
    });

    it('AUTH LOGIN: two challenges, bare "+" accepted', () => {
      const s = session('AUTH LOGIN');
      expect(frame(s, '+ VXNlcm5hbWU6\r\n').replies[0]).toMatchObject({ status: '+', text: 'VXNlcm5hbWU6' });
      s.sent({ kind: 'line', text: 'YWxpY2U=' });
      expect(frame(s, '+\r\n').replies[0]).toMatchObject({ status: '+', text: '' });
      s.sent({ kind: 'line', text: 'c2VjcmV0' });
      s.sent({ kind: 'line', text: 'CAPA' });
      expect(frame(s, '-ERR [AUTH] bad\r\n+OK\r\nUSER\r\n.\r\n').replies.map((r) => r.lines)).toEqual([['-ERR [AUTH] bad'], ['+OK', 'USER']]);
    });

    it('a cancelled exchange (*) is answered by -ERR', () => {
      const s = session('AUTH PLAIN');
      frame(s, '+ \r\n');
      s.sent({ kind: 'line', text: '*' });
      s.sent({ kind: 'line', text: 'UIDL' });
      expect(frame(s, '-ERR cancelled\r\n+OK\r\n1 a\r\n.\r\n').replies.map((r) => r.lines.length)).toEqual([1, 2]);
    });
  });

  describe('malformed and unsolicited replies', () => {
    it.each([
      ['lower case', '+ok fine\r\n'],
      ['no space', '+OKAY\r\n'],
      ['junk', 'hello\r\n'],
      ['empty', '\r\n'],
    ])('%s: one line, no status', (_name, input) => {
      const { replies } = frame(session('CAPA'), input);
      expect(replies).toHaveLength(1);
      expect(replies[0]?.status).toBeUndefined();
      expect(replies[0]?.text).toBe(input.trimEnd());
      expect(replies[0]?.malformed).toMatch(/RFC 1939/);
    });

    it('a malformed reply still answers its command', () => {
      const s = session('CAPA', 'STAT');
      expect(frame(s, 'junk\r\n+OK 1 1\r\n').replies.map((r) => r.status)).toEqual([undefined, '+OK']);
    });

    it('with nothing queued a reply is one line', () => {
      expect(frame(session(), '+OK a\r\n-ERR b\r\n').replies.map((r) => r.lines)).toEqual([['+OK a'], ['-ERR b']]);
    });
  });

  it('reset() forgets pending commands (after STLS)', () => {
    const s = session('STLS', 'CAPA');
    expect(frame(s, '+OK begin TLS\r\n').replies).toHaveLength(1);
    s.reset?.();
    s.sent({ kind: 'line', text: 'LIST 1' });
    // no greeting after the handshake: the reply answers LIST 1, not CAPA
    expect(frame(s, '+OK 1 10\r\n').replies[0]?.lines).toEqual(['+OK 1 10']);
  });

  it('keeps an unfinished body as the rest, leaving the command unanswered', () => {
    const s = session('RETR 1');
    expect(frame(s, '+OK\r\nline\r\n').replies).toHaveLength(0);
    expect(frame(s, '+OK\r\nline\r\n.\r\n').replies[0]?.lines).toEqual(['+OK', 'line']);
  });

  it.each([
    ['CAPA', true],
    ['LIST', true],
    ['list ', true],
    ['LIST 1', false],
    ['UIDL', true],
    ['UIDL 3', false],
    ['RETR 1', true],
    ['retr 1', true],
    ['TOP 1 10', true],
    ['STAT', false],
    ['QUIT', false],
    ['', false],
    ['toString', false],
  ])('classifies %j as multi-line: %s', (line, multiline) => {
    expect(classifyPop3Command(line).multiline).toBe(multiline);
  });
});
