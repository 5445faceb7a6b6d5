import { describe, expect, it } from 'vitest';
import { frameAll } from '../../src/protocol/frame-all.js';
import { PROTOCOLS } from '../../src/protocol/registry.js';
import { createReplyBuilder, decodeUtf8 } from '../../src/protocol/reply-builder.js';
import { createLineSplitter, EOL_BYTES, sentBytes } from '../../src/protocol/sent-lines.js';

describe('reply builder', () => {
  it('splits blocks of bytes into lines, dropping a CR before LF only', () => {
    const reply = createReplyBuilder();
    reply.line(Buffer.from('head {9}'));
    reply.bytes(Buffer.from('a\r\nb\rc\nd'));
    reply.line(Buffer.from(' tail'));
    const built = reply.build({ text: 't' });
    expect(built.lines).toEqual(['head {9}', 'a', 'b\rc', 'd tail']);
    expect(built.raw.toString()).toBe('head {9}\na\r\nb\rc\nd tail\n');
    expect(built.text).toBe('t');
  });

  it('a line may be shown differently or not at all, raw keeps it', () => {
    const reply = createReplyBuilder();
    reply.line(Buffer.from('..x'), Buffer.from('.x'));
    reply.line(Buffer.from('.'), null);
    const built = reply.build({ text: '' });
    expect(built.lines).toEqual(['.x']);
    expect(built.raw.toString()).toBe('..x\n.\n');
  });

  it('a reply of many lines and blocks keeps raw byte for byte (held in one growing buffer)', () => {
    const reply = createReplyBuilder();
    let expected = '';
    for (let i = 0; i < 500; i++) {
      const line = `250-line ${i} ${'x'.repeat(i % 37)}`;
      reply.line(Buffer.from(line));
      expected += `${line}\n`;
      if (i % 50 === 0) {
        reply.bytes(Buffer.from(`block ${i}\r\n`));
        expected += `block ${i}\r\n`;
      }
    }
    const built = reply.build({ text: '' });
    expect(built.raw.toString()).toBe(expected);
    expect(built.lines).toHaveLength(510);
  });

  it.each([
    [[0x61, 0xff, 0x62], 'a\uFFFDb'],
    [[0xc3, 0xa9], 'é'],
    [[0xe2, 0x82], '\uFFFD'],
    [[0xef, 0xbb, 0xbf, 0x61], '\uFEFFa'],
    [[0x00, 0x07], '\u0000\u0007'],
  ])('decodes %j as %j', (bytes, text) => {
    expect(decodeUtf8(Buffer.from(bytes))).toBe(text);
  });
});

describe('sent lines', () => {
  it.each([
    [{ kind: 'line', text: 'NOOP' } as const, 'crlf' as const, 'NOOP\r\n'],
    [{ kind: 'line', text: 'NOOP' } as const, 'lf' as const, 'NOOP\n'],
    [{ kind: 'raw', text: 'a\r\nb' } as const, 'crlf' as const, 'a\r\nb'],
  ])('sentBytes(%j, %s)', (command, eol, bytes) => {
    expect(sentBytes(command, EOL_BYTES[eol])?.toString()).toBe(bytes);
  });

  it('a DATA body has no bytes for the command queue', () => {
    expect(sentBytes({ kind: 'data' }, EOL_BYTES.crlf)).toBeUndefined();
  });

  it('holds back an unfinished line until its LF', () => {
    const split = createLineSplitter();
    expect(split.push(Buffer.from('US'))).toEqual([]);
    expect(split.push(Buffer.from('ER a\r\nPA'))).toEqual(['USER a']);
    expect(split.push(Buffer.from('SS b\n\r\n'))).toEqual(['PASS b', '']);
    split.push(Buffer.from('half'));
    split.reset();
    expect(split.push(Buffer.from('x\r\n'))).toEqual(['x']);
  });
});

describe('line protocol', () => {
  it('one reply per line, whatever it says', () => {
    const session = PROTOCOLS.line.createSession();
    session.sent({ kind: 'line', text: 'hello' });
    const { replies, rest } = frameAll(session, Buffer.from('250-not smtp here\r\n\r\n+OK\nhalf'));
    expect(replies.map((r) => [r.lines, r.text, r.code, r.status])).toEqual([
      [['250-not smtp here'], '250-not smtp here', undefined, undefined],
      [[''], '', undefined, undefined],
      [['+OK'], '+OK', undefined, undefined],
    ]);
    expect(rest.toString()).toBe('half');
  });
});

describe('frameAll', () => {
  it('returns nothing for empty input', () => {
    const { replies, rest } = frameAll(PROTOCOLS.smtp.createSession(), Buffer.alloc(0));
    expect(replies).toEqual([]);
    expect(rest.length).toBe(0);
  });

  it('stops at a literal longer than the input and keeps it as the rest', () => {
    const session = PROTOCOLS.imap.createSession();
    frameAll(session, Buffer.from('* OK hi\r\n'));
    session.sent({ kind: 'line', text: 'a1 FETCH 1 BODY[]' });
    const input = Buffer.from('* 1 FETCH (BODY[] {100}\r\nshort');
    const { replies, rest } = frameAll(session, input);
    expect(replies).toEqual([]);
    expect(rest.equals(input)).toBe(true);
  });
});
