import { describe, expect, it } from 'vitest';
import { literalValue } from '../../src/template/index.js';
import { at, exact, failure, holds, imap, matcher, rx, scope, smtp } from './helpers.js';

describe('text', () => {
  it('smtp text is the texts after the codes, joined by \\n', () => {
    holds(matcher({ text: exact('mx.test\nHELP') }), smtp('250-mx.test', '250 HELP'));
    holds(matcher({ text: rx('^HELP$', 'm') }), smtp('250-mx.test', '250 HELP'));
  });

  it('imap text holds the response code', () => {
    holds(matcher({ text: rx('^\\[CAPABILITY [^\\]]*IMAP4rev1') }), imap('a1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in'), undefined, 'imap');
  });

  it('fails with both texts, at the text key', () => {
    const span = at();
    const f = failure(matcher({ text: exact('Logged in', span) }), imap('a1 NO Authentication failed'), undefined, 'imap');
    expect(f.message).toBe('expected text "Logged in", got "Authentication failed"');
    expect(f.span).toEqual(span);
  });

  it('a regex failure shows the regex', () => {
    const f = failure(matcher({ text: rx('^Ready', 'i') }), smtp('220 mx.test ESMTP'));
    expect(f.message).toBe('expected text matching /^Ready/i, got "mx.test ESMTP"');
  });

  it('interpolates variables: literally in an exact string, escaped in a regex', () => {
    const s = scope({ host: 'mx.test', dot: 'a.b' });
    holds(matcher({ text: exact('${host} ESMTP') }), smtp('220 mx.test ESMTP'), s);
    holds(matcher({ text: rx('^${host} ') }), smtp('220 mx.test ESMTP'), s);
    failure(matcher({ text: rx('^${dot}$') }), smtp('250 axb'), s);
  });

  it('shows a secret pattern as written, never its value', () => {
    const s = scope({ pass: literalValue('hunter2', true) });
    const f = failure(matcher({ text: exact('pw ${pass}') }), smtp('250 nope'), s);
    expect(f.message).toBe('expected text "pw ${pass}", got "nope"');
    const g = failure(matcher({ match: rx('pw ${pass}') }), smtp('250 nope'), s);
    expect(g.message).toBe('expected the reply to match /pw ${pass}/, got "250 nope"');
  });
});

describe('whole (the string shorthand)', () => {
  it('compares the raw lines joined by \\n, status lines included', () => {
    holds(matcher({ whole: exact('250-mx.test\n250 HELP') }), smtp('250-mx.test', '250 HELP'));
    holds(matcher({ whole: rx('^250 HELP$', 'm') }), smtp('250-mx.test', '250 HELP'));
    const f = failure(matcher({ whole: exact('250 HELP') }), smtp('250-mx.test', '250 HELP'));
    expect(f.message).toBe('expected the reply "250 HELP", got "250-mx.test\\n250 HELP"');
  });

  it('control characters are shown as \\xHH', () => {
    const f = failure(matcher({ whole: exact('x') }), smtp('250 a\u0000b\u001bc'));
    expect(f.message).toBe('expected the reply "x", got "250 a\\x00b\\x1bc"');
  });
});

describe('match', () => {
  it('searches the whole reply', () => {
    holds(matcher({ match: rx('SIZE \\d+\\n250 HELP') }), smtp('250-SIZE 1000', '250 HELP'));
    const span = at();
    const f = failure(matcher({ match: rx('PIPELINING', '', span) }), smtp('250-SIZE 1000', '250 HELP'));
    expect(f.message).toBe('expected the reply to match /PIPELINING/, got "250-SIZE 1000\\n250 HELP"');
    expect(f.span).toEqual(span);
    expect(f.actual).toBe('250-SIZE 1000\n250 HELP');
  });
});
