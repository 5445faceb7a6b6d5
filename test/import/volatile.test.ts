/**
 * Values that vary between runs become regexes; the rest of the line stays literal. Each
 * regex must match the recorded line, a line with other values, and not a line whose
 * constant part changed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderReply } from '../../src/import/matcher.js';
import type { ProtocolName } from '../../src/import/types.js';

function render(line: string, protocol: ProtocolName = 'smtp') {
  return renderReply({ kind: 'reply', lines: [line], line: 1 }, protocol, []);
}

/** A line that varies: `{ match: '/…/', serve: <the line as it came> }`. */
function varying(value: unknown): { match: string; serve: string } {
  expect(value).toEqual({ match: expect.any(String), serve: expect.any(String) });
  return value as { match: string; serve: string };
}

/** The regex a `/…/` matcher string stands for (no `${…}` in these). */
function regexOf(value: unknown): RegExp {
  expect(typeof value === 'string' && value.startsWith('/') && value.endsWith('/')).toBe(true);
  return new RegExp((value as string).slice(1, -1));
}

const CASES: readonly { name: string; line: string; other: string; broken: string; protocol?: ProtocolName }[] = [
  { name: 'Postfix queue id', line: '250 2.0.0 Ok: queued as 4F3A2B1C0D', other: '250 2.0.0 Ok: queued as 4Zx9QmLkN1z2y3', broken: '250 2.0.0 Ok: kept as 4F3A2B1C0D' },
  { name: 'Exim id', line: '250 OK id=1tpQxY-000Abc-7Z', other: '250 OK id=1uAbCd-000XyZ-1Q', broken: '251 OK id=1tpQxY-000Abc-7Z' },
  { name: 'sendmail id', line: '250 2.0.0 52S9F2Zx012345 Message accepted for delivery', other: '250 2.0.0 52TAAAAA099999 Message accepted for delivery', broken: '250 2.0.0 52S9F2Zx012345 Message refused' },
  { name: 'Dovecot LMTP delivery id', line: '250 2.0.0 <dave@convospec.test> U2eqIv6dFms9YgAAg+zDdQ Saved', other: '250 2.0.0 <dave@convospec.test> kNdpFQCeFms9YgAAg+z/dQ Saved', broken: '250 2.0.0 <bob@convospec.test> U2eqIv6dFms9YgAAg+zDdQ Saved' },
  { name: 'message number', line: '250 ok: Message 214 accepted', other: '250 ok: Message 9 accepted', broken: '250 ok: Message 214 rejected' },
  { name: 'RFC 5322 date', line: '220 mx ESMTP Sendmail 8.15.2; Tue, 4 Mar 2025 10:15:02 +0100 (CET)', other: '220 mx ESMTP Sendmail 8.15.2; Sat, 28 Nov 2026 18:00:00 -0500 (EST)', broken: '220 mx ESMTP Sendmail 8.15.3; Tue, 4 Mar 2025 10:15:02 +0100 (CET)' },
  { name: 'ISO date', line: '* OK [ALERT] maintenance at 2025-03-04T22:00:00Z', other: '* OK [ALERT] maintenance at 2026-11-28T01:02:03Z', broken: '* OK [ALERT] downtime at 2025-03-04T22:00:00Z', protocol: 'imap' },
  { name: 'message id', line: '250 2.0.0 <20250304101502.012345@client.example.org> queued', other: '250 2.0.0 <abc.999999999@elsewhere.test> queued', broken: '250 2.0.0 <20250304101502.012345@client.example.org> dropped' },
  { name: 'UIDVALIDITY', line: '* OK [UIDVALIDITY 1741083302] UIDs valid', other: '* OK [UIDVALIDITY 7] UIDs valid', broken: '* OK [UIDNEXT 1741083302] UIDs valid', protocol: 'imap' },
  { name: 'EXISTS', line: '* 23 EXISTS', other: '* 0 EXISTS', broken: '* 23 RECENT', protocol: 'imap' },
  { name: 'octets', line: '+OK 612 octets', other: '+OK 7 octets', broken: '+OK 612 bytes', protocol: 'pop3' },
  { name: 'APOP timestamp', line: '+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>', other: '+OK POP3 server ready <2001.100000000@dbc.mtview.ca.us>', broken: '+OK POP2 server ready <1896.697170952@dbc.mtview.ca.us>', protocol: 'pop3' },
  { name: 'client address', line: '250-mx.example.net Hello client [198.51.100.7]', other: '250-mx.example.net Hello client [127.0.0.1]', broken: '250-mx.example.org Hello client [198.51.100.7]' },
  { name: 'session id', line: '421 4.7.0 session 7f3a9c timed out', other: '421 4.7.0 session 000aaa1 timed out', broken: '421 4.7.0 session 7f3a9c closed' },
  {
    name: 'CRAM-MD5 challenge',
    line: '334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+',
    other: `334 ${Buffer.from('<77.1234567@other.test>').toString('base64')}`,
    broken: '335 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+',
  },
];

describe('volatile values', () => {
  for (const c of CASES) {
    it(`${c.name}: an anchored regex that matches other values, not other text`, () => {
      const rendered = render(c.line, c.protocol);
      const { match, serve } = varying(rendered.value);
      // What `convospec serve` sends: the line as it came (format §9).
      expect(serve).toBe(c.line);
      const re = regexOf(match);
      expect(re.test(c.line)).toBe(true);
      expect(re.test(c.other)).toBe(true);
      expect(re.test(c.broken)).toBe(false);
      expect(rendered.varies.length).toBeGreaterThan(0);
    });
  }

  it('leaves stable values alone: addresses, sizes in EHLO, capability names', () => {
    for (const line of ['250 sender <test@test.com> ok', '250-SIZE 10485760', '* CAPABILITY IMAP4rev1 STARTTLS', '334 VXNlcm5hbWU6', '250 8BITMIME']) {
      expect(render(line, line.startsWith('*') ? 'imap' : 'smtp').value).toBe(line);
    }
  });

  it('escapes every regex character around a varying value', () => {
    const special = fc.stringMatching(/^[ -~]{0,30}$/).filter((s) => !/\d/.test(s));
    fc.assert(
      fc.property(special, special, (before, after) => {
        const line = `250 ${before} queued as 4F3A2B1C0D ${after}`;
        const re = regexOf(varying(render(line).value).match);
        expect(re.test(line)).toBe(true);
        expect(re.test(`${line}x`)).toBe(false);
        expect(re.test(line.replace('4F3A2B1C0D', 'ZZZ999'))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
