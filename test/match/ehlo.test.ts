import { describe, expect, it } from 'vitest';
import { at, failure, holds, matcher, smtp, spanned } from './helpers.js';

const ehlo = smtp('250-mx.test Hello', '250-SIZE 10485760', '250-STARTTLS', '250-AUTH PLAIN LOGIN', '250-8BITMIME', '250 HELP');
const keys = (has: string[], lacks: string[] = []) => ({ span: at(), has: has.map((h) => spanned(h)), lacks: lacks.map((l) => spanned(l)) });

describe('ehlo', () => {
  it('holds when each `has` keyword is advertised, in any order and case, with or without its parameters', () => {
    holds(matcher({ ehlo: keys(['starttls', 'SIZE', 'AUTH PLAIN', 'auth=login', 'AUTH LOGIN PLAIN', 'SIZE 10485760', 'HELP']) }), ehlo);
  });

  it('a keyword is a whole word: 8BITMIME is not BITMIME, and the greeting line is no keyword', () => {
    failure(matcher({ ehlo: keys(['BITMIME']) }), ehlo);
    failure(matcher({ ehlo: keys(['MX.TEST']) }), ehlo);
  });

  it('names the first missing keyword and points at it', () => {
    const span = at();
    const f = failure(matcher({ ehlo: { span: at(), has: [spanned('STARTTLS'), spanned('AUTH CRAM-MD5', span)], lacks: [] } }), ehlo);
    expect(f.message).toBe('expected the EHLO keyword AUTH CRAM-MD5, which the server does not advertise');
    expect(f.span).toEqual(span);
    expect(f.actual).toContain('250-AUTH PLAIN LOGIN');
  });

  it('`lacks`: a keyword (or a keyword with that parameter) that must not be advertised', () => {
    holds(matcher({ ehlo: keys([], ['CHUNKING', 'AUTH CRAM-MD5', 'PIPELINING']) }), ehlo);
    const span = at();
    const f = failure(matcher({ ehlo: { span: at(), has: [], lacks: [spanned('CHUNKING'), spanned('AUTH=LOGIN', span)] } }), ehlo);
    expect(f.message).toBe('expected no EHLO keyword AUTH=LOGIN, but the server advertises it');
    expect(f.span).toEqual(span);
  });
});
