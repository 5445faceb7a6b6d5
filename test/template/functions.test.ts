import { describe, expect, it } from 'vitest';
import { evaluate, FUNCTIONS, TemplateError } from '../../src/template/index.js';
import { scope, tpl } from './helpers.js';

const run = (source: string, vars: Record<string, string> = {}): string => evaluate(tpl(source), scope(vars)).text;

describe('SASL functions against published vectors', () => {
  it('sasl_plain: RFC 4616 §4, first example (no authzid)', () => {
    const out = run('${sasl_plain(user, pass)}', { user: 'tim', pass: 'tanstaaftanstaaf' });
    expect(out).toBe('AHRpbQB0YW5zdGFhZnRhbnN0YWFm');
    expect(Buffer.from(out, 'base64').toString()).toBe('\0tim\0tanstaaftanstaaf');
  });

  it('sasl_plain: RFC 4616 §4, second example (authzid Ursel)', () => {
    const out = run("${sasl_plain('Kurt', 'xipj3plmq', 'Ursel')}");
    expect(out).toBe('VXJzZWwAS3VydAB4aXBqM3BsbXE=');
    expect(Buffer.from(out, 'base64').toString()).toBe('Ursel\0Kurt\0xipj3plmq');
  });

  it('sasl_plain encodes non-ASCII names as UTF-8 (RFC 4616 §2)', () => {
    const out = run("${sasl_plain('jöns', 'pässword')}");
    expect(Buffer.from(out, 'base64')).toEqual(Buffer.from('\0jöns\0pässword', 'utf8'));
  });

  it('cram_md5: RFC 2195 §2 example', () => {
    const out = run("${cram_md5('tim', 'tanstaaftanstaaf', 'PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+')}");
    expect(out).toBe('dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw');
    expect(Buffer.from(out, 'base64').toString()).toBe('tim b913a602c7eda7a495b4e6e7334d3890');
  });

  it('xoauth2: the format of Google\u2019s documented example', () => {
    const out = run("${xoauth2('someuser@example.com', 'ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg')}");
    expect(out).toBe(
      'dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==',
    );
  });
});

describe('text functions', () => {
  it.each([
    ["${base64('alice')}", 'YWxpY2U='],
    ["${base64('')}", ''],
    ["${unbase64('YWxpY2U=')}", 'alice'],
    ["${unbase64('VXNlcm5hbWU6')}", 'Username:'],
    ["${unbase64('YWxpY2U')}", 'alice'],
    ["${unbase64(' YWxp\\r\\nY2U= ')}", 'alice'],
    ["${hex('A\\0é')}", '4100c3a9'],
    ["${concat('a', 1, 'b')}", 'a1b'],
    ["${repeat('ab', 3)}", 'ababab'],
    ["${repeat('ab', 0)}", ''],
    ["${len('abc')}", '3'],
    ["${len('')}", '0'],
    ["${len('é€😀')}", '9'],
    ["${len('a\\r\\nb')}", '4'],
    ["${lower('MiXeD')}", 'mixed'],
    ["${upper('MiXeD')}", 'MIXED'],
    ["${base64(unbase64(base64('round')))}", 'cm91bmQ='],
    ["${local_part('carol@convospec.test')}", 'carol'],
    ["${domain('carol@convospec.test')}", 'convospec.test'],
    ["${local_part('carol')}", 'carol'],
    ["${domain('carol')}", ''],
    ["${local_part('a@b@c')}", 'a'],
    ["${domain('a@b@c')}", 'b@c'],
    ["${imap_url_mailbox('imaptest')}", 'imaptest'],
    ["${imap_url_mailbox('INBOX/Sent Items')}", 'INBOX/Sent%20Items'],
    ["${imap_url_mailbox('a;b?c#d%e')}", 'a%3Bb%3Fc%23d%25e'],
    ["${imap_url_mailbox('~peter/mail/&U,BTFw-/&ZeVnLIqe-')}", '~peter/mail/%E5%8F%B0%E5%8C%97/%E6%97%A5%E6%9C%AC%E8%AA%9E'],
    ["${imap_url_mailbox('Tom &- Jerry')}", 'Tom%20&%20Jerry'],
  ])('%s → %j', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it('repeat builds the over-long line a test needs', () => {
    expect(run("${repeat('x', 70000)}")).toHaveLength(70000);
  });
});

describe('clock and randomness come from the scope', () => {
  it('date() is an RFC 5322 date in UTC', () => {
    expect(run('${date()}')).toBe('Thu, 29 Feb 2024 07:05:09 +0000');
  });

  it('uuid() is a version 4 UUID built from the injected bytes', () => {
    expect(run('${uuid()}')).toBe('abababab-abab-4bab-abab-abababababab');
    const zero = evaluate(tpl('${uuid()}'), scope({}, {}, { randomBytes: (n) => Buffer.alloc(n) }));
    expect(zero.text).toBe('00000000-0000-4000-8000-000000000000');
  });

  it('random(n) gives exactly n hex digits', () => {
    expect(run('${random(5)}')).toBe('ababa');
    expect(run('${random(0)}')).toBe('');
    let asked = 0;
    const s = scope({}, {}, { randomBytes: (n) => ((asked = n), Buffer.alloc(n, 1)) });
    expect(evaluate(tpl('${random(8)}'), s).text).toBe('01010101');
    expect(asked).toBe(4);
  });
});

describe('bad arguments are TemplateErrors at the call', () => {
  it.each([
    ["x${unbase64('not base64!')}", 'unbase64: the argument is not base64'],
    ["x${unbase64('////')}", 'unbase64: the decoded bytes are not UTF-8 text'],
    ["x${unbase64('YWxpY2U===')}", 'not base64'],
    ["x${cram_md5('u', 'p', '%%')}", 'cram_md5: the challenge is not base64'],
    ["x${imap_url_mailbox('a&Jjo')}", 'imap_url_mailbox: the mailbox name is not modified UTF-7'],
    ["x${imap_url_mailbox('a&!!-')}", 'imap_url_mailbox: the mailbox name is not modified UTF-7'],
    ["x${repeat('a', 'many')}", 'repeat: the count must be a whole number'],
    ["x${repeat('ab', 9000000)}", 'more than the limit'],
    ["x${random(99999999)}", 'random: the number of digits is 99999999, more than the limit'],
    ["x${base64('a', 'b')}", 'base64 takes 1 argument, got 2'],
    ['x${sasl_plain(u)}', 'sasl_plain takes 2 to 3 arguments, got 1'],
    ["x${uuid('a')}", 'uuid takes no arguments, got 1'],
    ['x${concat()}', 'concat takes at least 1 argument, got 0'],
    ['x${nosuch(1)}', 'unknown function nosuch'],
  ])('%s', (source, message) => {
    const t = tpl(source);
    let caught: unknown;
    try {
      evaluate(t, scope({ u: 'x' }));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    expect((caught as TemplateError).message).toContain(message);
    expect((caught as TemplateError).offset).toBe(3);
    expect((caught as TemplateError).span).toBe(t.span);
  });
});

describe('FUNCTIONS table', () => {
  it('holds exactly the functions of spec §7, each with a summary', () => {
    expect([...FUNCTIONS.keys()].sort()).toEqual(
      ['base64', 'concat', 'cram_md5', 'date', 'domain', 'hex', 'imap_url_mailbox', 'len', 'local_part', 'lower', 'random', 'repeat', 'sasl_plain', 'unbase64', 'upper', 'uuid', 'xoauth2'],
    );
    for (const [name, def] of FUNCTIONS) {
      expect(def.summary.startsWith(`${name}(`)).toBe(true);
      expect(def.minArgs).toBeLessThanOrEqual(def.maxArgs);
    }
  });
});
