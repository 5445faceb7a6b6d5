import { describe, expect, it } from 'vitest';
import { frameAll } from '../../src/protocol/frame-all.js';
import { enhancedCode } from '../../src/protocol/smtp/framer.js';
import { PROTOCOLS } from '../../src/protocol/registry.js';
import type { Reply } from '../../src/protocol/types.js';

function frame(input: string | Buffer, protocol: 'smtp' | 'lmtp' = 'smtp'): { replies: readonly Reply[]; rest: string } {
  const session = PROTOCOLS[protocol].createSession();
  const { replies, rest } = frameAll(session, Buffer.isBuffer(input) ? input : Buffer.from(input));
  return { replies, rest: rest.toString('latin1') };
}

/** The fields matchers read, without `raw`. */
function view(reply: Reply | undefined): Partial<Reply> {
  if (!reply) return {};
  const { raw: _raw, ...rest } = reply;
  return rest;
}

describe('smtp framing (RFC 5321 §4.2)', () => {
  it.each([
    ['single line', '220 mail.test ESMTP\r\n', { code: 220, text: 'mail.test ESMTP', lines: ['220 mail.test ESMTP'] }],
    ['bare code', '250\r\n', { code: 250, text: '', lines: ['250'] }],
    ['code and space', '250 \r\n', { code: 250, text: '', lines: ['250 '] }],
    [
      'multi-line EHLO',
      '250-mail.test\r\n250-SIZE 10485760\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n',
      {
        code: 250,
        text: 'mail.test\nSIZE 10485760\nSTARTTLS\nAUTH PLAIN LOGIN',
        lines: ['250-mail.test', '250-SIZE 10485760', '250-STARTTLS', '250 AUTH PLAIN LOGIN'],
      },
    ],
    ['empty continuation text', '250-\r\n250 x\r\n', { code: 250, text: '\nx', lines: ['250-', '250 x'] }],
    ['LF only line ends', '221 bye\n', { code: 221, text: 'bye', lines: ['221 bye'] }],
    ['text keeps inner spaces', '250  two  spaces \r\n', { code: 250, text: ' two  spaces ', lines: ['250  two  spaces '] }],
  ])('%s', (_name, input, expected) => {
    const { replies, rest } = frame(input);
    expect(replies).toHaveLength(1);
    expect(view(replies[0])).toEqual(expected);
    expect(rest).toBe('');
  });

  it.each([
    ['5.7.0 Must issue a STARTTLS command first', '5.7.0'],
    ['#5.7.0 Must issue a STARTTLS command first', '5.7.0'],
    ['2.0.0 Ok: queued as 1234', '2.0.0'],
    ['4.7.1 <x@y>: Recipient address rejected', '4.7.1'],
    ['5.1.10 Recipient address has null MX', '5.1.10'],
    ['5.123.456', '5.123.456'],
    ['2.1.5\tOk', '2.1.5'],
    ['3.0.0 not a class', undefined],
    ['5.7 too short', undefined],
    ['5.7.0x glued', undefined],
    ['5.1234.0 subject too long', undefined],
    ['ok 5.7.0 not at the start', undefined],
    ['', undefined],
  ])('enhanced code in %j → %s (RFC 3463 §2)', (text, expected) => {
    expect(enhancedCode(text)).toBe(expected);
  });

  it('takes the enhanced code from the first line only', () => {
    const { replies } = frame('250-mail.test\r\n250-2.0.0 second\r\n250 ok\r\n');
    expect(replies[0]?.enhanced).toBeUndefined();
    const { replies: [auth] } = frame('530-5.7.0 Must issue STARTTLS\r\n530 5.7.0 first\r\n');
    expect(view(auth)).toEqual({
      code: 530,
      enhanced: '5.7.0',
      text: '5.7.0 Must issue STARTTLS\n5.7.0 first',
      lines: ['530-5.7.0 Must issue STARTTLS', '530 5.7.0 first'],
    });
  });

  it('reports the #-prefixed form without the #', () => {
    const { replies } = frame('550 #5.1.1 unknown user\r\n');
    expect(replies[0]?.enhanced).toBe('5.1.1');
    expect(replies[0]?.text).toBe('#5.1.1 unknown user');
  });

  it('frames pipelined replies one by one (RFC 2920)', () => {
    const session = PROTOCOLS.smtp.createSession();
    for (const text of ['MAIL FROM:<a@b>', 'RCPT TO:<c@d>', 'RCPT TO:<e@f>', 'DATA']) session.sent({ kind: 'line', text });
    const { replies, rest } = frameAll(
      session,
      Buffer.from('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550-5.1.1 no such user\r\n550 5.1.1 here\r\n354 End data with <CR><LF>.<CR><LF>\r\n'),
    );
    expect(replies.map((r) => [r.code, r.enhanced, r.lines.length])).toEqual([
      [250, '2.1.0', 1],
      [250, '2.1.5', 1],
      [550, '5.1.1', 2],
      [354, undefined, 1],
    ]);
    expect(rest.length).toBe(0);
  });

  it('keeps an unfinished reply as the rest', () => {
    const { replies, rest } = frame('250 ok\r\n250-first\r\n250-sec');
    expect(replies).toHaveLength(1);
    expect(rest).toBe('250-first\r\n250-sec');
  });

  it('a reply has exactly the fields that apply, and raw besides', () => {
    const { replies } = frame('250-2.0.0 a\r\n250 b\r\n250 c\r\n');
    expect(Object.keys(replies[0] ?? {}).sort()).toEqual(['code', 'enhanced', 'lines', 'text']);
    expect({ ...replies[0] }).toEqual({ code: 250, enhanced: '2.0.0', text: '2.0.0 a\nb', lines: ['250-2.0.0 a', '250 b'] });
    expect(replies[0]?.raw.toString()).toBe('250-2.0.0 a\n250 b\n');
    expect(Object.keys(replies[1] ?? {}).sort()).toEqual(['code', 'lines', 'text']);
  });

  it('keeps raw bytes, each line followed by LF', () => {
    const { replies } = frame('250-a\r\n250 b\r\n');
    expect(replies[0]?.raw.toString()).toBe('250-a\n250 b\n');
  });

  it('decodes invalid UTF-8 as U+FFFD and keeps the bytes in raw', () => {
    const { replies } = frame(Buffer.from([0x32, 0x35, 0x30, 0x20, 0x66, 0xff, 0x6f, 0x0d, 0x0a]));
    expect(replies[0]?.text).toBe('f\uFFFDo');
    expect([...(replies[0]?.raw ?? [])]).toEqual([0x32, 0x35, 0x30, 0x20, 0x66, 0xff, 0x6f, 0x0a]);
  });

  describe('malformed replies end where the grammar breaks', () => {
    it.each([
      ['not a reply line', 'hello there\r\n', ['hello there'], 'hello there'],
      ['two digits', '25 ok\r\n', ['25 ok'], '25 ok'],
      ['four digits', '2500 ok\r\n', ['2500 ok'], '2500 ok'],
      ['tab separator', '250\tok\r\n', ['250\tok'], '250\tok'],
      ['a letter among the digits', '2x0 ok\r\n', ['2x0 ok'], '2x0 ok'],
      ['digits that are not ASCII', '\u0662\u0665\u0660 ok\r\n', ['\u0662\u0665\u0660 ok'], '\u0662\u0665\u0660 ok'],
      ['empty line', '\r\n', [''], ''],
      ['garbage inside a multi-line reply', '250-a\r\n250-b\r\noops\r\n', ['250-a', '250-b', 'oops'], 'a\nb\noops'],
      ['code changes inside a multi-line reply', '250-a\r\n251 b\r\n', ['250-a', '251 b'], 'a\n251 b'],
    ])('%s', (_name, input, lines, text) => {
      const { replies, rest } = frame(input);
      expect(replies).toHaveLength(1);
      const reply = replies[0];
      expect(reply?.code).toBeUndefined();
      expect(reply?.enhanced).toBeUndefined();
      expect(reply?.lines).toEqual(lines);
      expect(reply?.text).toBe(text);
      expect(reply?.malformed).toMatch(/RFC 5321/);
      expect(rest).toBe('');
    });

    it('names both codes when the code changes', () => {
      const { replies } = frame('250-a\r\n550 b\r\n');
      expect(replies[0]?.malformed).toContain('250 to 550');
    });

    it('frames the next reply normally after a malformed one', () => {
      const { replies } = frame('junk\r\n220 ready\r\n');
      expect(replies.map((r) => r.code)).toEqual([undefined, 220]);
    });
  });

  describe('lmtp frames as smtp (RFC 2033 §4.2)', () => {
    it('one reply per recipient after DATA', () => {
      const session = PROTOCOLS.lmtp.createSession();
      session.sent({ kind: 'data' });
      const { replies } = frameAll(session, Buffer.from('250 2.0.0 <a@x> delivered\r\n452 4.2.2 <b@x> mailbox full\r\n'));
      expect(replies.map((r) => [r.code, r.enhanced])).toEqual([
        [250, '2.0.0'],
        [452, '4.2.2'],
      ]);
    });

    it('multi-line LHLO', () => {
      const { replies } = frame('250-lmtp.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n', 'lmtp');
      expect(replies[0]?.code).toBe(250);
      expect(replies[0]?.lines).toHaveLength(3);
    });
  });
});
