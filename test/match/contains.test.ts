import { describe, expect, it } from 'vitest';
import { at, exact, failure, holds, matcher, rx, scope, smtp } from './helpers.js';

const ehlo = smtp('250-mx.test Hello', '250-SIZE 10485760', '250-STARTTLS', '250-AUTH PLAIN LOGIN', '250 HELP');

describe('contains', () => {
  it('holds when every item is found in some line, substrings or regexes', () => {
    holds(matcher({ contains: [exact('STARTTLS'), rx('AUTH .*PLAIN'), exact('SIZE')] }), ehlo);
  });

  it('each item is looked for line by line, not across lines', () => {
    failure(matcher({ contains: [exact('STARTTLS\n250-AUTH')] }), ehlo);
    failure(matcher({ contains: [rx('STARTTLS.250')] }), ehlo);
  });

  it('names the first item not found and points at it', () => {
    const span = at();
    const f = failure(matcher({ contains: [exact('SIZE'), exact('PIPELINING', span), exact('CHUNKING')] }), ehlo);
    expect(f.message).toBe('expected a line containing "PIPELINING"');
    expect(f.span).toEqual(span);
    expect(f.actual).toContain('250-AUTH PLAIN LOGIN');
    const g = failure(matcher({ contains: [rx('AUTH .*CRAM-MD5')] }), ehlo);
    expect(g.message).toBe('expected a line matching /AUTH .*CRAM-MD5/');
  });

  it('interpolates variables', () => {
    holds(matcher({ contains: [exact('${mech}'), rx('AUTH ${mech}')] }), ehlo, scope({ mech: 'PLAIN' }));
  });
});

describe('excludes', () => {
  it('holds when no item is in any line', () => {
    holds(matcher({ excludes: [exact('AUTH CRAM-MD5'), rx('^250-PIPELINING')] }), ehlo);
  });

  it('names the item and the line it was found in', () => {
    const span = at();
    const f = failure(matcher({ excludes: [exact('CHUNKING'), rx('AUTH.*LOGIN', '', span)] }), ehlo);
    expect(f.message).toBe('expected no line matching /AUTH.*LOGIN/, got line 4 "250-AUTH PLAIN LOGIN"');
    expect(f.span).toEqual(span);
    const g = failure(matcher({ excludes: [exact('AUTH')] }), ehlo);
    expect(g.message).toBe('expected no line containing "AUTH", got line 4 "250-AUTH PLAIN LOGIN"');
  });
});
