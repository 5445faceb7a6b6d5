import { describe, expect, it } from 'vitest';
import { at, failure, holds, imap, matcher, pop3, spanned } from './helpers.js';

describe('status', () => {
  it('pop3: +OK, -ERR and the SASL continuation +', () => {
    holds(matcher({ status: [spanned('+OK')] }), pop3('+OK POP3 ready'), undefined, 'pop3');
    holds(matcher({ status: [spanned('+')] }), pop3('+ '), undefined, 'pop3');
    const span = at();
    const f = failure(matcher({ status: [spanned('+OK', span)] }), pop3('-ERR [AUTH] invalid password'), undefined, 'pop3');
    expect(f.message).toBe('expected status +OK, got -ERR');
    expect(f.span).toEqual(span);
    expect(f.actual).toBe('-ERR [AUTH] invalid password');
  });

  it('pop3 status is compared exactly', () => {
    expect(failure(matcher({ status: [spanned('+ok')] }), pop3('+OK'), undefined, 'pop3').message).toBe('expected status +ok, got +OK');
  });

  it('imap: the tagged completion word, case-insensitively, shown from the last line', () => {
    holds(matcher({ status: [spanned('OK')] }), imap('* CAPABILITY IMAP4rev1', 'a1 OK done'), undefined, 'imap');
    holds(matcher({ status: [spanned('ok')] }), imap('a1 OK done'), undefined, 'imap');
    const f = failure(matcher({ status: [spanned('OK')] }), imap('* BAD noise', 'a2 NO [AUTHENTICATIONFAILED] Authentication failed.'), undefined, 'imap');
    expect(f.message).toBe('expected status OK, got NO');
    expect(f.actual).toBe('a2 NO [AUTHENTICATIONFAILED] Authentication failed.');
  });

  it('a list: any one of its words', () => {
    holds(matcher({ status: [spanned('NO'), spanned('BAD')] }), imap('a1 BAD syntax'), undefined, 'imap');
    const f = failure(matcher({ status: [spanned('NO'), spanned('BAD')] }), imap('a1 OK done'), undefined, 'imap');
    expect(f.message).toBe('expected status NO or BAD, got OK');
    expect(f.expected).toBe('NO or BAD');
  });

  it('explains a reply without a status', () => {
    const f = failure(matcher({ status: [spanned('+OK')] }), { kind: 'reply', reply: { lines: ['hello'], raw: Buffer.from('hello\n'), text: '', malformed: 'no status indicator' } }, undefined, 'pop3');
    expect(f.message).toBe('expected status +OK, got a reply without a status (no status indicator)');
  });
});
