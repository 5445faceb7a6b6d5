import { describe, expect, it } from 'vitest';
import { literalValue } from '../../src/template/index.js';
import { at, cap, failure, holds, imap, matcher, pop3, rx, scope, smtp, spanned } from './helpers.js';

describe('capture', () => {
  it('stores group 1', () => {
    const got = holds(matcher({ code: [spanned('334')], capture: [cap('challenge', '^334 (\\S+)')] }), smtp('334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+'));
    expect(got.get('challenge')).toEqual({ text: 'PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+', secret: false });
  });

  it('stores the whole match when the regex has no group', () => {
    const got = holds(matcher({ capture: [cap('id', '[0-9A-F]{10,}')] }), smtp('250 2.0.0 Ok: queued as 4BC2D1A0F3E'));
    expect(got.get('id')?.text).toBe('4BC2D1A0F3E');
  });

  it('a group that took no part gives an empty string', () => {
    const got = holds(matcher({ capture: [cap('x', 'OK(?: (\\d+))?')] }), pop3('+OK'), undefined, 'pop3');
    expect(got.get('x')?.text).toBe('');
  });

  it('searches the whole reply across lines', () => {
    const got = holds(matcher({ capture: [cap('uidnext', 'UIDNEXT (\\d+)'), cap('exists', '^\\* (\\d+) EXISTS')] }), imap('* 3 EXISTS', '* OK [UIDNEXT 42] Predicted next UID', 'a3 OK [READ-WRITE] Select completed.'), undefined, 'imap');
    expect(got.get('uidnext')?.text).toBe('42');
    expect(got.get('exists')?.text).toBe('3');
  });

  it('a capture that finds nothing fails the step at the capture', () => {
    const span = at();
    const f = failure(matcher({ capture: [cap('id', 'queued as (\\w+)', span)] }), smtp('250 Ok'));
    expect(f.message).toBe('expected /queued as (\\w+)/ in the reply, to capture id');
    expect(f.span).toEqual(span);
  });

  it('captured values are not secret, even when the regex interpolated a secret', () => {
    const s = scope({ user: literalValue('alice', true) });
    const got = holds(matcher({ capture: [{ name: 'who', regex: rx('(${user}@\\S+)'), span: at() }] }), smtp('250 alice@mail.test ok'), s);
    expect(got.get('who')).toEqual({ text: 'alice@mail.test', secret: false });
  });

  it('captures nothing unless every other key holds', () => {
    failure(matcher({ code: [spanned('250')], capture: [cap('x', '(.*)')] }), smtp('550 no'));
  });
});
