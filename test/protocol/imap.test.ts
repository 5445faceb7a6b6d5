import { describe, expect, it } from 'vitest';
import { frameAll } from '../../src/protocol/frame-all.js';
import { literalAtEnd } from '../../src/protocol/imap/commands.js';
import { PROTOCOLS } from '../../src/protocol/registry.js';
import type { ProtocolSession, Reply, SessionOptions } from '../../src/protocol/types.js';

const GREETING = '* OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ AUTH=PLAIN] ready\r\n';

/** A session whose greeting was read. */
function greeted(options?: SessionOptions): ProtocolSession {
  const s = PROTOCOLS.imap.createSession(options);
  expect(frameAll(s, Buffer.from(GREETING)).replies).toHaveLength(1);
  return s;
}

function send(s: ProtocolSession, ...lines: string[]): ProtocolSession {
  for (const text of lines) s.sent({ kind: 'line', text });
  return s;
}

function frame(s: ProtocolSession, input: string | Buffer): { replies: readonly Reply[]; rest: string } {
  const { replies, rest } = frameAll(s, Buffer.isBuffer(input) ? input : Buffer.from(input));
  return { replies, rest: rest.toString() };
}

function view(reply: Reply | undefined): Partial<Reply> {
  if (!reply) return {};
  const { raw: _raw, ...rest } = reply;
  return rest;
}

describe('imap framing (RFC 9051)', () => {
  describe('greeting (RFC 9051 §7.1)', () => {
    it.each([
      [GREETING, 'OK', '[CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ AUTH=PLAIN] ready'],
      ['* PREAUTH IMAP4rev2 server logged in as Smith\r\n', 'PREAUTH', 'IMAP4rev2 server logged in as Smith'],
      ['* BYE Autologout; idle for too long\r\n', 'BYE', 'Autologout; idle for too long'],
      ['* ok lower case\r\n', 'OK', 'lower case'],
      ['* OK\r\n', 'OK', ''],
    ])('%j', (input, status, text) => {
      const { replies, rest } = frame(PROTOCOLS.imap.createSession(), input);
      expect(view(replies[0])).toEqual({ status, text, lines: [input.trimEnd()] });
      expect(rest).toBe('');
    });

    it.each([['* NO go away\r\n'], ['a1 OK hello\r\n'], ['hello\r\n'], ['+ hi\r\n']])('%j is a malformed greeting', (input) => {
      const { replies } = frame(PROTOCOLS.imap.createSession(), input);
      expect(replies[0]?.status).toBeUndefined();
      expect(replies[0]?.text).toBe(input.trimEnd());
      expect(replies[0]?.malformed).toMatch(/RFC 9051/);
    });

    it('comes first even when a command was sent before it was read', () => {
      const s = send(PROTOCOLS.imap.createSession(), 'a1 CAPABILITY');
      const { replies } = frame(s, `${GREETING}* CAPABILITY IMAP4rev2\r\na1 OK done\r\n`);
      expect(replies.map((r) => r.lines.length)).toEqual([1, 2]);
    });
  });

  it('with tags named, reads on until each pending one has completed (pipelining)', () => {
    const s = send(greeted(), 't1 NOOP', 't2 NOOP', 't3 NOOP');
    const input = 't3 OK c\r\n* 1 EXISTS\r\nt2 OK b\r\n* 2 EXISTS\r\nt1 OK a\r\n';
    const { replies, rest } = frameAll(s, Buffer.from(input), { tags: ['t1', 't2', 'nosuch'] });
    // t3, not named, does not end the reply; `nosuch` is not pending, so t1 and t2 end it.
    expect(replies.map((r) => r.lines)).toEqual([['t3 OK c', '* 1 EXISTS', 't2 OK b', '* 2 EXISTS', 't1 OK a']]);
    expect(view(replies[0])).toMatchObject({ status: 'OK', text: 'a' });
    expect(rest.toString()).toBe('');
    // Every completion was settled: nothing is pending, so the next reply is one line.
    expect(frame(s, '* 3 EXISTS\r\n* 4 EXISTS\r\n').replies).toHaveLength(2);
  });

  it('reads untagged data up to the tagged completion', () => {
    const s = send(greeted(), 'a1 LOGIN alice secret');
    const { replies, rest } = frame(s, '* CAPABILITY IMAP4rev2 IDLE\r\na1 OK [CAPABILITY IMAP4rev2 IDLE] Logged in\r\n');
    expect(view(replies[0])).toEqual({
      status: 'OK',
      text: '[CAPABILITY IMAP4rev2 IDLE] Logged in',
      lines: ['* CAPABILITY IMAP4rev2 IDLE', 'a1 OK [CAPABILITY IMAP4rev2 IDLE] Logged in'],
    });
    expect(rest).toBe('');
  });

  it.each([
    ['a1 OK done', 'OK', 'done'],
    ['a1 NO [AUTHENTICATIONFAILED] Invalid credentials', 'NO', '[AUTHENTICATIONFAILED] Invalid credentials'],
    ['a1 BAD Error in IMAP command', 'BAD', 'Error in IMAP command'],
    ['a1 ok lower', 'OK', 'lower'],
    ['a1 OK', 'OK', ''],
    ['a1 OK done {5}', 'OK', 'done {5}'],
  ])('completion %j → %s', (line, status, text) => {
    const { replies, rest } = frame(send(greeted(), 'a1 NOOP'), `${line}\r\n`);
    expect(replies[0]).toMatchObject({ status, text });
    expect(rest).toBe('');
  });

  it('untagged status responses and BYE do not end a reply', () => {
    const s = send(greeted(), 'a9 LOGOUT');
    const { replies } = frame(s, '* OK [ALERT] going\r\n* BYE IMAP4rev2 Server logging out\r\na9 OK LOGOUT completed\r\n');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ status: 'OK', text: 'LOGOUT completed' });
    expect(replies[0]?.lines).toHaveLength(3);
  });

  it('BYE and EOF with the completion missing: the reply stays unfinished', () => {
    const { replies, rest } = frame(send(greeted(), 'a9 LOGOUT'), '* BYE going\r\n');
    expect(replies).toHaveLength(0);
    expect(rest).toBe('* BYE going\r\n');
  });

  it('a tag that is not pending does not end the reply', () => {
    const s = send(greeted(), 'a2 NOOP');
    const { replies } = frame(s, 'a1 OK stray\r\na2 OK done\r\n');
    expect(replies[0]?.lines).toEqual(['a1 OK stray', 'a2 OK done']);
    expect(replies[0]?.text).toBe('done');
  });

  it('tags compare case-sensitively', () => {
    const { replies } = frame(send(greeted(), 'a1 NOOP'), 'A1 OK other\r\na1 OK mine\r\n');
    expect(replies[0]?.lines).toHaveLength(2);
  });

  it('pipelined tagged commands: each reply ends at the next completion (RFC 9051 §5.5)', () => {
    const s = send(greeted(), 'a1 SELECT INBOX', 'a2 FETCH 1 FLAGS', 'a3 NOOP');
    const { replies, rest } = frame(
      s,
      '* 3 EXISTS\r\n* FLAGS (\\Seen)\r\na1 OK [READ-WRITE] selected\r\n* 1 FETCH (FLAGS (\\Seen))\r\na2 OK fetched\r\na3 OK noop\r\n',
    );
    expect(replies.map((r) => [r.status, r.text, r.lines.length])).toEqual([
      ['OK', '[READ-WRITE] selected', 3],
      ['OK', 'fetched', 2],
      ['OK', 'noop', 1],
    ]);
    expect(rest).toBe('');
  });

  it('pipelined commands may complete out of order', () => {
    const s = send(greeted(), 'a1 NOOP', 'a2 NOOP');
    const { replies } = frame(s, 'a2 OK second\r\na1 OK first\r\n');
    expect(replies.map((r) => r.text)).toEqual(['second', 'first']);
  });

  it('with no command pending a reply is one line (unsolicited data)', () => {
    const { replies } = frame(greeted(), '* 4 EXISTS\r\n* BYE Autologout\r\n');
    expect(replies.map(view)).toEqual([
      { text: '4 EXISTS', lines: ['* 4 EXISTS'] },
      { status: 'BYE', text: 'Autologout', lines: ['* BYE Autologout'] },
    ]);
  });

  describe('server literals (RFC 9051 §4.3)', () => {
    it('reads n bytes whatever they hold: a tag or + inside never ends the reply', () => {
      const body = 'a1 OK fake\r\n+ fake\r\n* BYE fake\r\n';
      const s = send(greeted(), 'a1 FETCH 1 BODY[]');
      const input = `* 1 FETCH (BODY[] {${body.length}}\r\n${body})\r\na1 OK FETCH completed\r\n`;
      const { replies, rest } = frame(s, input);
      expect(view(replies[0])).toEqual({
        status: 'OK',
        text: 'FETCH completed',
        lines: [`* 1 FETCH (BODY[] {${body.length}}`, 'a1 OK fake', '+ fake', '* BYE fake', ')', 'a1 OK FETCH completed'],
      });
      expect(rest).toBe('');
    });

    it('keeps the literal bytes in raw exactly, CRs included', () => {
      const s = send(greeted(), 'a1 FETCH 1 BODY[]');
      const { replies } = frame(s, '* 1 FETCH (BODY[] {7}\r\nab\r\ncd\r)\r\na1 OK\r\n');
      expect(replies[0]?.raw.toString()).toBe('* 1 FETCH (BODY[] {7}\nab\r\ncd\r)\na1 OK\n');
      // the literal's last line has no LF: the rest of the response line continues it
      expect(replies[0]?.lines).toEqual(['* 1 FETCH (BODY[] {7}', 'ab', 'cd\r)', 'a1 OK']);
    });

    it('a literal ending without CRLF joins the rest of its line', () => {
      const s = send(greeted(), 'a1 FETCH 1 BODY[1]<0.5>');
      const { replies } = frame(s, '* 1 FETCH (BODY[1]<0> {5}\r\nHello UID 7)\r\na1 OK\r\n');
      expect(replies[0]?.lines).toEqual(['* 1 FETCH (BODY[1]<0> {5}', 'Hello UID 7)', 'a1 OK']);
    });

    it('several literals in one response line, and a literal at the very end', () => {
      const s = send(greeted(), 'a1 LIST "" *');
      const input = '* LIST () "/" {5}\r\nINBOX\r\n* 1 FETCH (BODY[1] {2}\r\nab BODY[2] {2}\r\ncd)\r\na1 OK\r\n';
      const { replies } = frame(s, input);
      expect(replies[0]?.lines).toEqual(['* LIST () "/" {5}', 'INBOX', '* 1 FETCH (BODY[1] {2}', 'ab BODY[2] {2}', 'cd)', 'a1 OK']);
    });

    it('an empty literal {0} asks for no bytes', () => {
      const s = send(greeted(), 'a1 FETCH 1 BODY[]');
      const steps: string[] = [];
      const framer = s.begin({});
      let step = framer.start();
      for (const line of ['* 1 FETCH (BODY[] {0}', ')', 'a1 OK']) {
        steps.push(step.need);
        step = framer.line(Buffer.from(line));
      }
      expect(steps).toEqual(['line', 'line', 'line']);
      expect(step.need).toBe('done');
    });

    it('returns the count as the server sent it, however large (the transport enforces limits)', () => {
      const framer = send(greeted(), 'a1 FETCH 1 BODY[]').begin({});
      framer.start();
      expect(framer.line(Buffer.from('* 1 FETCH (BODY[] {99999999999}'))).toEqual({ need: 'bytes', count: 99999999999 });
    });

    it('binary literal8 ~{n} (RFC 3516)', () => {
      const s = send(greeted(), 'a1 FETCH 1 BINARY[1]');
      const { replies } = frame(s, Buffer.concat([Buffer.from('* 1 FETCH (BINARY[1] ~{3}\r\n'), Buffer.from([0, 0xff, 0x0a]), Buffer.from(')\r\na1 OK\r\n')]));
      expect(replies[0]?.lines).toEqual(['* 1 FETCH (BINARY[1] ~{3}', '\u0000\uFFFD', ')', 'a1 OK']);
    });

    it('status responses carry no literals: a trailing {5} is text', () => {
      const s = send(greeted(), 'a1 NOOP');
      const { replies, rest } = frame(s, '* OK see {5}\r\na1 OK\r\n');
      expect(replies[0]?.lines).toEqual(['* OK see {5}', 'a1 OK']);
      expect(rest).toBe('');
    });

    it.each([
      ['{5}', { count: 5, synchronising: true }],
      ['{5+}', { count: 5, synchronising: false }],
      ['~{12}', { count: 12, synchronising: true }],
      ['{0}', { count: 0, synchronising: true }],
      ['{5} ', undefined],
      ['{x}', undefined],
      ['{-1}', undefined],
      ['{}', undefined],
    ])('literalAtEnd(%j)', (line, expected) => {
      expect(literalAtEnd(`a1 APPEND INBOX ${line}`)).toEqual(expected);
    });
  });

  describe('AUTHENTICATE (RFC 9051 §6.2.2)', () => {
    it('continuations, then the SASL response is not a command', () => {
      const s = send(greeted(), 'a1 AUTHENTICATE PLAIN');
      expect(view(frame(s, '+ \r\n').replies[0])).toEqual({ status: '+', text: '', lines: ['+ '] });
      send(s, 'AGFsaWNlAHNlY3JldA==');
      const { replies, rest } = frame(s, '* CAPABILITY IMAP4rev2\r\na1 OK [CAPABILITY IMAP4rev2] Logged in\r\n');
      expect(replies).toHaveLength(1);
      expect(replies[0]).toMatchObject({ status: 'OK', text: '[CAPABILITY IMAP4rev2] Logged in' });
      expect(replies[0]?.lines).toHaveLength(2);
      expect(rest).toBe('');
      // done: the next line is a new command again
      send(s, 'a2 NOOP');
      expect(frame(s, '* 1 EXISTS\r\na2 OK\r\n').replies[0]?.lines).toHaveLength(2);
    });

    it('several challenges (LOGIN), a bare +, then NO', () => {
      const s = send(greeted(), 'a1 AUTHENTICATE LOGIN');
      expect(frame(s, '+ VXNlcm5hbWU6\r\n').replies[0]).toMatchObject({ status: '+', text: 'VXNlcm5hbWU6' });
      send(s, 'YWxpY2U=');
      expect(frame(s, '+\r\n').replies[0]).toMatchObject({ status: '+', text: '' });
      send(s, 'd3Jvbmc=');
      expect(frame(s, 'a1 NO [AUTHENTICATIONFAILED] Authentication failed\r\n').replies[0]).toMatchObject({ status: 'NO' });
    });

    it('SASL-IR: an initial response needs no continuation (RFC 4959)', () => {
      const s = send(greeted(), 'a1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==', 'a2 NOOP');
      expect(frame(s, 'a1 OK Logged in\r\na2 OK\r\n').replies.map((r) => r.text)).toEqual(['Logged in', '']);
    });
  });

  describe('IDLE (RFC 9051 §6.3.13)', () => {
    it('+ idling, single untagged lines while idle, DONE, completion', () => {
      const s = send(greeted(), 'a2 IDLE');
      expect(view(frame(s, '+ idling\r\n').replies[0])).toEqual({ status: '+', text: 'idling', lines: ['+ idling'] });
      const idle = frame(s, '* 3 EXISTS\r\n* 1 RECENT\r\n');
      expect(idle.replies.map(view)).toEqual([
        { text: '3 EXISTS', lines: ['* 3 EXISTS'] },
        { text: '1 RECENT', lines: ['* 1 RECENT'] },
      ]);
      send(s, 'DONE');
      const { replies, rest } = frame(s, '* 4 EXISTS\r\na2 OK IDLE terminated\r\n');
      expect(replies).toHaveLength(1);
      expect(replies[0]).toMatchObject({ status: 'OK', text: 'IDLE terminated' });
      expect(replies[0]?.lines).toEqual(['* 4 EXISTS', 'a2 OK IDLE terminated']);
      expect(rest).toBe('');
    });

    it('an untagged line with a literal while idle is still one reply', () => {
      const s = send(greeted(), 'a2 IDLE');
      frame(s, '+ idling\r\n');
      const { replies } = frame(s, '* 1 FETCH (BODY[] {3}\r\na2 )\r\n');
      expect(replies[0]?.lines).toEqual(['* 1 FETCH (BODY[] {3}', 'a2 )']);
    });

    it('the completion may end an idle reply too', () => {
      const s = send(greeted(), 'a2 IDLE');
      frame(s, '+ idling\r\n');
      send(s, 'DONE');
      expect(frame(s, 'a2 OK\r\n').replies[0]).toMatchObject({ status: 'OK' });
      send(s, 'a3 NOOP');
      expect(frame(s, 'a3 OK\r\n').replies[0]?.text).toBe('');
    });
  });

  describe('APPEND and client literals', () => {
    it('synchronising literal: + go-ahead, content counted in bytes, completion', () => {
      const s = send(greeted(), 'a3 APPEND INBOX (\\Seen) {13}');
      expect(frame(s, '+ Ready for literal data\r\n').replies[0]).toMatchObject({ status: '+', text: 'Ready for literal data' });
      // 11 bytes + CRLF + "" = 13 bytes of literal; the next c: line ends the command line
      send(s, 'Subject: hi', '', '');
      send(s, 'a4 NOOP');
      const { replies } = frame(s, 'a3 OK [APPENDUID 1 7] APPEND completed\r\na4 OK noop\r\n');
      expect(replies.map((r) => r.text)).toEqual(['[APPENDUID 1 7] APPEND completed', 'noop']);
    });

    it('a literal that ends inside a sent line: the rest of that line continues the command', () => {
      const s = send(greeted(), 'a1 LOGIN {5}');
      frame(s, '+ go\r\n');
      send(s, 'alice {6}');
      frame(s, '+ go\r\n');
      send(s, 'secret');
      send(s, 'a2 NOOP');
      expect(frame(s, 'a1 OK\r\na2 OK\r\n').replies.map((r) => r.lines)).toEqual([['a1 OK'], ['a2 OK']]);
    });

    it('non-synchronising literal {n+} (RFC 7888): the next lines continue the command', () => {
      const s = send(greeted(), 'a3 APPEND INBOX {11+}', 'Hello World', 'a4 NOOP');
      const { replies } = frame(s, 'a3 OK appended\r\na4 OK\r\n');
      expect(replies.map((r) => r.text)).toEqual(['appended', '']);
    });

    it('a content line that looks like a tagged command is not one', () => {
      const s = send(greeted(), 'a3 APPEND INBOX {11+}', 'a9 OK fake');
      // a9 is not pending: its completion does not end the reply
      const { replies } = frame(s, 'a9 OK fake\r\na3 OK appended\r\n');
      expect(replies).toHaveLength(1);
      expect(replies[0]?.text).toBe('appended');
    });

    it('MULTIAPPEND: a second literal after the first (RFC 3502)', () => {
      const s = send(greeted(), 'a5 APPEND INBOX {3}');
      frame(s, '+ go\r\n');
      send(s, 'abc {3}');
      expect(frame(s, '+ go\r\n').replies[0]?.status).toBe('+');
      send(s, 'def');
      send(s, 'a6 NOOP');
      expect(frame(s, 'a5 OK\r\na6 OK\r\n').replies.map((r) => r.lines)).toEqual([['a5 OK'], ['a6 OK']]);
    });

    it('literal sent without waiting for + (pipelined): the + is still its go-ahead', () => {
      const s = send(greeted(), 'a3 APPEND INBOX {3}', 'abc', 'a4 NOOP');
      expect(frame(s, '+ Ready\r\n').replies[0]?.status).toBe('+');
      expect(frame(s, 'a3 OK\r\na4 OK\r\n').replies.map((r) => r.lines)).toEqual([['a3 OK'], ['a4 OK']]);
    });

    it('a refused synchronising literal: the next line is a new command (RFC 9051 §4.3)', () => {
      const s = send(greeted(), 'a3 APPEND INBOX {99999999}');
      expect(frame(s, 'a3 NO [TOOBIG] too big\r\n').replies[0]).toMatchObject({ status: 'NO' });
      send(s, 'a4 NOOP');
      expect(frame(s, 'a4 OK\r\n').replies[0]?.lines).toEqual(['a4 OK']);
    });

    it('counts LF-only EOLs with eol: lf', () => {
      const s = send(greeted({ eol: 'lf' }), 'a1 APPEND INBOX {4+}', 'abc', 'a2 NOOP');
      expect(frame(s, 'a1 OK\r\na2 OK\r\n').replies.map((r) => r.lines)).toEqual([['a1 OK'], ['a2 OK']]);
    });

    it('counts multi-byte UTF-8 characters as bytes', () => {
      // 'héllo' is 6 bytes: with its CR, the 7 bytes of the literal; its LF ends the command line
      const s = send(greeted(), 'a1 APPEND INBOX {7+}', 'héllo', 'a2 NOOP');
      expect(frame(s, 'a1 OK\r\na2 OK\r\n').replies.map((r) => r.lines)).toEqual([['a1 OK'], ['a2 OK']]);
    });

    it('send: bytes are parsed like lines, across writes', () => {
      const s = greeted();
      s.sent({ kind: 'raw', text: 'a1 APPEND INBOX {3+}\r\nab' });
      s.sent({ kind: 'raw', text: 'c\r\na2 NO' });
      s.sent({ kind: 'raw', text: 'OP\r\n' });
      expect(frame(s, 'a1 OK\r\na2 OK\r\n').replies.map((r) => r.lines)).toEqual([['a1 OK'], ['a2 OK']]);
    });

    it('a DATA body is no IMAP command', () => {
      const s = greeted();
      s.sent({ kind: 'data' });
      expect(frame(s, '* 1 EXISTS\r\n').replies).toHaveLength(1);
    });
  });

  it('reset() forgets pending commands after STARTTLS', () => {
    const s = send(greeted(), 'a1 STARTTLS', 'a2 NOOP');
    expect(frame(s, 'a1 OK Begin TLS negotiation now\r\n').replies).toHaveLength(1);
    s.reset?.();
    send(s, 'a3 CAPABILITY');
    const { replies } = frame(s, '* CAPABILITY IMAP4rev2 AUTH=PLAIN\r\na3 OK\r\n');
    expect(replies[0]?.lines).toHaveLength(2);
  });

  it('an unfinished reply leaves the session as it was', () => {
    const s = send(greeted(), 'a1 NOOP');
    expect(frame(s, '* 1 EXISTS\r\n').replies).toHaveLength(0);
    expect(frame(s, '* 1 EXISTS\r\na1 OK\r\n').replies).toHaveLength(1);
  });
});
