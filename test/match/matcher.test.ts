import { describe, expect, it } from 'vitest';
import { TemplateError } from '../../src/template/index.js';
import { at, cap, closed, exact, failure, holds, matcher, rx, scope, smtp, spanned } from './helpers.js';

describe('closed', () => {
  it('closed: true holds when the server closed the connection', () => {
    expect(holds(matcher({ closed: spanned(true as const) }), closed).size).toBe(0);
  });

  it('fails when a reply came instead', () => {
    const span = at();
    const f = failure(matcher({ closed: spanned(true as const, span) }), smtp('250 still here'));
    expect(f.message).toBe('expected the server to close the connection, got a reply');
    expect(f.span).toEqual(span);
    expect(f.actual).toBe('250 still here');
  });

  it('any other key fails on a closed connection, saying what was expected', () => {
    const span = at();
    const f = failure(matcher({ code: [spanned('221', span)] }), closed);
    expect(f.message).toBe('expected reply code 221, but the server closed the connection');
    expect(f.span).toEqual(span);
    expect(failure(matcher({ status: [spanned('OK')] }), closed, undefined, 'imap').message).toBe('expected status OK, but the server closed the connection');
    expect(failure(matcher({ contains: [exact('x')] }), closed).message).toBe('expected a reply, but the server closed the connection');
    expect(failure(matcher({ any: spanned(true as const) }), closed).message).toBe('expected a reply, but the server closed the connection');
  });
});

describe('any', () => {
  it('holds for any reply', () => {
    holds(matcher({ any: spanned(true as const) }), smtp('421 4.3.2 shutting down'));
  });
});

describe('several keys', () => {
  it('every key must hold; the first failing one (code first) is reported', () => {
    const m = matcher({ code: [spanned('250')], contains: [exact('STARTTLS')], excludes: [exact('AUTH')] });
    holds(m, smtp('250-mx', '250 STARTTLS'));
    expect(failure(m, smtp('250-mx', '250 HELP')).message).toBe('expected a line containing "STARTTLS"');
    expect(failure(m, smtp('250-STARTTLS', '250 AUTH PLAIN')).message).toBe('expected no line containing "AUTH", got line 2 "250 AUTH PLAIN"');
    expect(failure(m, smtp('554 no')).message).toBe('expected reply code 250, got 554');
  });

  it('multiline and timeout are not conditions', () => {
    holds(matcher({ multiline: spanned(true), timeoutMs: 5 }), smtp('250 ok'));
  });
});

describe('oneOf', () => {
  const ok = matcher({ code: [spanned('250')], capture: [cap('how', '^250 (.*)')] });
  const defer = matcher({ code: [spanned('4xx')], capture: [cap('why', '^4\\d\\d (.*)')] });

  it('holds when one alternative holds, with that alternative\u2019s captures', () => {
    const got = holds(matcher({ oneOf: [ok, defer] }), smtp('451 4.7.1 greylisted'));
    expect([...got.keys()]).toEqual(['why']);
    expect(got.get('why')?.text).toBe('4.7.1 greylisted');
  });

  it('captures come from the first alternative that holds', () => {
    const a = matcher({ code: [spanned('2xx')], capture: [cap('c', '^(\\d)')] });
    const b = matcher({ code: [spanned('250')], capture: [cap('c', '(\\d+)')] });
    expect(holds(matcher({ oneOf: [a, b] }), smtp('250 ok')).get('c')?.text).toBe('2');
  });

  it('can accept a closed connection as one outcome', () => {
    holds(matcher({ oneOf: [matcher({ code: [spanned('221')] }), matcher({ closed: spanned(true as const) })] }), closed);
    holds(matcher({ oneOf: [matcher({ code: [spanned('221')] }), matcher({ closed: spanned(true as const) })] }), smtp('221 bye'));
  });

  it('combines with the matcher\u2019s own keys and captures', () => {
    const m = matcher({ contains: [exact('ok')], oneOf: [ok], capture: [cap('all', '.*')] });
    const got = holds(m, smtp('250 ok'));
    expect(got.get('how')?.text).toBe('ok');
    expect(got.get('all')?.text).toBe('250 ok');
    expect(failure(m, smtp('250 nope')).message).toBe('expected a line containing "ok"');
  });

  it('when none holds, says briefly why each failed, spanning the alternatives', () => {
    const a = matcher({ code: [spanned('250')], span: at(70) });
    const b = matcher({ code: [spanned('4xx')], text: rx('grey'), span: at(72) });
    const f = failure(matcher({ oneOf: [a, b] }), smtp('554 5.7.1 rejected'));
    expect(f.message).toBe('none of the 2 alternatives held: (1) expected reply code 250, got 554; (2) expected reply code 4xx, got 554');
    expect(f.span).toEqual({ file: 'm.yaml', line: 70, col: 5, endLine: 72, endCol: 15 });
    expect(f.actual).toBe('554 5.7.1 rejected');
  });

  it('on a closed connection, lists why each alternative failed', () => {
    const f = failure(matcher({ oneOf: [matcher({ code: [spanned('221')] }), matcher({ any: spanned(true as const) })] }), closed);
    expect(f.message).toBe(
      'none of the 2 alternatives held: (1) expected reply code 221, but the server closed the connection; (2) expected a reply, but the server closed the connection',
    );
  });

  it('nests', () => {
    const inner = matcher({ oneOf: [matcher({ code: [spanned('252')] }), matcher({ code: [spanned('251')], capture: [cap('n', '(\\d+)')] })] });
    expect(holds(matcher({ oneOf: [matcher({ code: [spanned('250')] }), inner] }), smtp('251 fwd')).get('n')?.text).toBe('251');
  });
});

describe('templates in matchers', () => {
  it('an unknown variable is our error, thrown as TemplateError', () => {
    expect(() => holds(matcher({ text: exact('${nope}') }), smtp('250 x'))).toThrow(TemplateError);
  });

  it('see the scope given', () => {
    holds(matcher({ whole: exact('250 ${id}') }), smtp('250 abc'), scope({ id: 'abc' }));
  });
});

describe('oneOf edge', () => {
  it('an empty oneOf never holds', () => {
    expect(failure(matcher({ oneOf: [] }), smtp('250 ok')).message).toBe('oneOf lists no alternatives, so none can hold');
  });
});
