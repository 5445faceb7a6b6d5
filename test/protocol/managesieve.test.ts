import { describe, expect, it } from 'vitest';
import { frameAll } from '../../src/protocol/frame-all.js';
import { PROTOCOLS } from '../../src/protocol/registry.js';
import type { ProtocolSession, Reply } from '../../src/protocol/types.js';

/** What Dovecot's Pigeonhole sends first (RFC 5804 §1.7). */
const GREETING = [
  '"IMPLEMENTATION" "Dovecot Pigeonhole"',
  '"SIEVE" "fileinto vacation"',
  '"SASL" "PLAIN"',
  '"STARTTLS"',
  '"VERSION" "1.0"',
  'OK "Dovecot ready."',
];
const GREETING_BYTES = GREETING.map((line) => `${line}\r\n`).join('');

/** A session whose greeting was read, with `commands` sent as `c:` lines. */
function session(...commands: string[]): ProtocolSession {
  const s = PROTOCOLS.managesieve.createSession();
  expect(frameAll(s, Buffer.from(GREETING_BYTES)).replies).toHaveLength(1);
  for (const text of commands) s.sent({ kind: 'line', text });
  return s;
}

function frame(s: ProtocolSession, input: string): { replies: readonly Reply[]; rest: string } {
  const { replies, rest } = frameAll(s, Buffer.from(input));
  return { replies, rest: rest.toString() };
}

function view(reply: Reply | undefined): Partial<Reply> {
  if (!reply) return {};
  const { raw: _raw, ...rest } = reply;
  return rest;
}

describe('managesieve framing (RFC 5804 §4)', () => {
  it('reads the greeting: the capability list up to its OK, answering no command', () => {
    const s = PROTOCOLS.managesieve.createSession();
    s.sent({ kind: 'line', text: 'CAPABILITY' }); // sent before the greeting was read
    const { replies, rest } = frame(s, `${GREETING_BYTES}"VERSION" "1.0"\r\nOK "Capability completed."\r\n`);
    expect(replies.map(view)).toEqual([
      { status: 'OK', text: '"Dovecot ready."', lines: GREETING },
      { status: 'OK', text: '"Capability completed."', lines: ['"VERSION" "1.0"', 'OK "Capability completed."'] },
    ]);
    expect(rest).toBe('');
  });

  it.each([
    ['OK', 'OK', ''],
    ['OK "Logged in."', 'OK', '"Logged in."'],
    ['ok "lower case"', 'OK', '"lower case"'],
    ['No (QUOTA/MAXSIZE) "Script too large"', 'NO', '(QUOTA/MAXSIZE) "Script too large"'],
    ['NO (NONEXISTENT) "Sieve script `x\' not found"', 'NO', '(NONEXISTENT) "Sieve script `x\' not found"'],
    ['OK (WARNINGS) "line 2: warning"', 'OK', '(WARNINGS) "line 2: warning"'],
    ['OK (TAG "t1") "Done"', 'OK', '(TAG "t1") "Done"'],
    ['OK (SASL "dGVzdA==")', 'OK', '(SASL "dGVzdA==")'],
    ['BYE "Disconnected for inactivity."', 'BYE', '"Disconnected for inactivity."'],
    ['bye', 'BYE', ''],
  ])('%j: status %s', (line, status, text) => {
    const { replies, rest } = frame(session('NOOP'), `${line}\r\n`);
    expect(replies.map(view)).toEqual([{ status, text, lines: [line] }]);
    expect(rest).toBe('');
  });

  it('a word that only starts like a status is no status line', () => {
    const { replies } = frame(session('LISTSCRIPTS'), '"OKAY"\r\nOKAY\r\nOK\r\n');
    expect(replies[0]).toMatchObject({ malformed: expect.stringMatching(/RFC 5804 §4/), lines: ['"OKAY"', 'OKAY'] });
  });

  it('LISTSCRIPTS: data lines up to OK', () => {
    const { replies } = frame(session('LISTSCRIPTS'), '"summer_script"\r\n"vac\\"ation" ACTIVE\r\n{7}\r\nclever"\r\nOK\r\n');
    expect(replies.map(view)).toEqual([{ status: 'OK', text: '', lines: ['"summer_script"', '"vac\\"ation" ACTIVE', '{7}', 'clever"', 'OK'] }]);
  });

  it('GETSCRIPT: a literal holding "OK" and "NO" lines never ends the reply', () => {
    const script = 'OK\r\nNO "x"\r\nBYE\r\nrequire "fileinto";\r\n';
    const { replies, rest } = frame(session('GETSCRIPT "s"'), `{${script.length}}\r\n${script}\r\nOK "Getscript completed."\r\n`);
    expect(replies.map(view)).toEqual([
      {
        status: 'OK',
        text: '"Getscript completed."',
        lines: [`{${script.length}}`, 'OK', 'NO "x"', 'BYE', 'require "fileinto";', '', 'OK "Getscript completed."'],
      },
    ]);
    expect(replies[0]?.raw.toString()).toBe(`{${script.length}}\n${script}\nOK "Getscript completed."\n`);
    expect(rest).toBe('');
  });

  it('a literal on the status line is read whole: its bytes are part of the text', () => {
    const message = 'line 1: error: unknown command\r\nOK\r\nerror: validation failed.\r\n';
    const { replies, rest } = frame(session('CHECKSCRIPT {4+}', 'foo;'), `NO {${message.length}}\r\n${message}\r\n`);
    expect(replies.map(view)).toEqual([
      {
        status: 'NO',
        text: `{${message.length}}\nline 1: error: unknown command\nOK\nerror: validation failed.\n`,
        lines: [`NO {${message.length}}`, 'line 1: error: unknown command', 'OK', 'error: validation failed.', ''],
      },
    ]);
    expect(rest).toBe('');
  });

  it('a literal that does not end in CRLF joins the rest of its line; {n+} and {0} are literals too', () => {
    const { replies } = frame(session('GETSCRIPT "s"', 'GETSCRIPT "t"'), '{2+}\r\nOK ACTIVE\r\nOK\r\n{0}\r\n\r\nOK\r\n');
    expect(replies.map((r) => r.lines)).toEqual([
      ['{2+}', 'OK ACTIVE', 'OK'],
      ['{0}', '', 'OK'],
    ]);
  });

  it('a {n} inside a quoted string is text', () => {
    const { replies, rest } = frame(session('LISTSCRIPTS'), '"a {5}"\r\n"b\\" {3}"\r\nOK\r\n');
    expect(replies.map((r) => r.lines)).toEqual([['"a {5}"', '"b\\" {3}"', 'OK']]);
    expect(rest).toBe('');
  });

  it('replies frame themselves: pipelined commands are answered in order', () => {
    const { replies } = frame(session('LISTSCRIPTS', 'SETACTIVE "s"', 'LOGOUT'), '"s"\r\nOK\r\nOK "Setactive completed."\r\nOK "Logout completed."\r\n');
    expect(replies.map((r) => r.lines.length)).toEqual([2, 1, 1]);
  });

  describe('malformed responses end the reply without a status', () => {
    it.each([
      ['a line that is not a string', 'IMPLEMENTATION Dovecot\r\nOK\r\n', ['IMPLEMENTATION Dovecot'], /not a ManageSieve response line \(RFC 5804 §4/],
      ['an empty line', '\r\nOK\r\n', [''], /not a ManageSieve response line/],
      ['a quoted string left open', '"SIEVE" "fileinto\r\nOK\r\n', ['"SIEVE" "fileinto'], /quoted string is not closed/],
      ['junk after data lines', '"a"\r\n* OK\r\nOK\r\n', ['"a"', '* OK'], /not a ManageSieve response line/],
    ])('%s', (_name, input, lines, why) => {
      const { replies, rest } = frame(session('LISTSCRIPTS'), input);
      expect(replies[0]?.status).toBeUndefined();
      expect(replies[0]?.lines).toEqual(lines);
      expect(replies[0]?.malformed).toMatch(why);
      // The status line that follows still answers the command.
      expect(replies.at(-1)).toMatchObject({ status: 'OK', lines: ['OK'] });
      expect(rest).toBe('');
    });

    it('a malformed greeting', () => {
      const { replies } = frame(PROTOCOLS.managesieve.createSession(), '220 mx.test ESMTP\r\n');
      expect(replies.map(view)).toEqual([{ text: '220 mx.test ESMTP', lines: ['220 mx.test ESMTP'], malformed: expect.stringMatching(/RFC 5804/) }]);
    });
  });

  describe('AUTHENTICATE challenges (RFC 5804 §2.1)', () => {
    it('a lone string is a reply with status +; the client line after it is the SASL response', () => {
      const s = session('AUTHENTICATE "PLAIN"');
      expect(frame(s, '""\r\n').replies.map(view)).toEqual([{ status: '+', text: '""', lines: ['""'] }]);
      s.sent({ kind: 'line', text: '"AGFsaWNlAHB3"' });
      s.sent({ kind: 'line', text: 'LISTSCRIPTS' });
      const { replies, rest } = frame(s, 'OK "Logged in."\r\n"s"\r\nOK\r\n');
      expect(replies.map((r) => [r.status, r.lines])).toEqual([
        ['OK', ['OK "Logged in."']],
        ['OK', ['"s"', 'OK']],
      ]);
      expect(rest).toBe('');
    });

    it('a challenge may be a literal; several rounds; OK (SASL …) ends the exchange', () => {
      const s = session('authenticate "DIGEST-MD5"');
      expect(frame(s, '{10}\r\nrealm="x"\n\r\n').replies[0]).toMatchObject({ status: '+', text: '{10}\nrealm="x"\n', lines: ['{10}', 'realm="x"', ''] });
      s.sent({ kind: 'line', text: '{8+}' });
      s.sent({ kind: 'line', text: 'cmVzcA==' });
      expect(frame(s, '"cnNwYXV0aA=="\r\n').replies[0]).toMatchObject({ status: '+', text: '"cnNwYXV0aA=="' });
      s.sent({ kind: 'line', text: '""' });
      expect(frame(s, 'OK (SASL "eA==") "Logged in."\r\n').replies[0]).toMatchObject({ status: 'OK', text: '(SASL "eA==") "Logged in."' });
      s.sent({ kind: 'line', text: 'CAPABILITY' });
      expect(frame(s, '"VERSION" "1.0"\r\nOK\r\n').replies.map((r) => r.lines.length)).toEqual([2]);
    });

    it('an initial response as a literal, and a refusal', () => {
      const s = session();
      s.sent({ kind: 'raw', text: 'AUTHENTICATE "PLAIN" {12+}\r\nAGFsaWNlAHB3\r\n' });
      s.sent({ kind: 'line', text: 'LISTSCRIPTS' });
      const { replies } = frame(s, 'NO "Authentication failed."\r\nNO "Not authenticated."\r\n');
      expect(replies.map((r) => r.status)).toEqual(['NO', 'NO']);
    });

    it('a script line that starts with AUTHENTICATE is literal bytes, not a command', () => {
      const script = 'AUTHENTICATE\r\n';
      const s = session(`PUTSCRIPT "s" {${script.length}+}`, 'AUTHENTICATE', '', 'LISTSCRIPTS');
      const { replies } = frame(s, 'NO "Compile error"\r\n"s"\r\nOK\r\n');
      expect(replies.map((r) => r.lines)).toEqual([['NO "Compile error"'], ['"s"', 'OK']]);
    });

    it('outside AUTHENTICATE a lone string is a data line', () => {
      const { replies } = frame(session('CAPABILITY'), '""\r\nOK\r\n');
      expect(replies.map((r) => r.lines)).toEqual([['""', 'OK']]);
    });
  });

  it('STARTTLS: after the handshake the capabilities come again and answer no command (RFC 5804 §2.2)', () => {
    const s = session('STARTTLS');
    expect(frame(s, 'OK "Begin TLS negotiation now."\r\n').replies[0]?.status).toBe('OK');
    s.reset?.();
    // A spec that sends AUTHENTICATE before reading the capabilities: they are still no challenge.
    s.sent({ kind: 'line', text: 'AUTHENTICATE "PLAIN"' });
    const { replies } = frame(s, '"SASL" "PLAIN"\r\nOK "TLS negotiation successful."\r\n""\r\n');
    expect(replies.map((r) => [r.status, r.lines.length])).toEqual([
      ['OK', 2],
      ['+', 1],
    ]);
  });

  it('counts client literals in bytes with eol: lf', () => {
    const s = PROTOCOLS.managesieve.createSession({ eol: 'lf' });
    frame(s, 'OK\r\n');
    // `keep;` plus LF is 6 bytes: the empty line after it ends the PUTSCRIPT command.
    s.sent({ kind: 'line', text: 'PUTSCRIPT "s" {6+}' });
    s.sent({ kind: 'line', text: 'keep;' });
    s.sent({ kind: 'line', text: '' });
    s.sent({ kind: 'line', text: 'AUTHENTICATE "PLAIN"' });
    expect(frame(s, 'OK\r\n""\r\n').replies.map((r) => r.status)).toEqual(['OK', '+']);
  });
});
