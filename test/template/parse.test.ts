import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseTemplate, templateRefs } from '../../src/template/index.js';
import { span, tpl } from './helpers.js';

function fails(source: string): { offset: number; message: string } {
  const r = parseTemplate(source, span);
  if (r.ok) throw new Error(`expected ${source} not to parse`);
  return { offset: r.offset, message: r.message };
}

describe('parseTemplate', () => {
  it('keeps plain text as one part and the span as given', () => {
    const t = tpl('EHLO client.test');
    expect(t.parts).toEqual([{ kind: 'text', value: 'EHLO client.test' }]);
    expect(t.span).toBe(span);
    expect(t.source).toBe('EHLO client.test');
  });

  it('gives no parts for the empty string', () => {
    expect(tpl('').parts).toEqual([]);
  });

  it('reads $${ as a literal ${ and leaves a lone $ alone', () => {
    expect(tpl('cost $5 $${HOME} $').parts).toEqual([{ kind: 'text', value: 'cost $5 ${HOME} $' }]);
  });

  it('reads $${ next to a real ${', () => {
    expect(tpl('a$$${b}${c}$').parts).toEqual([
      { kind: 'text', value: 'a$${b}' },
      { kind: 'expr', offset: 7, expr: { kind: 'var', name: 'c', offset: 9 } },
      { kind: 'text', value: '$' },
    ]);
  });

  it('reads every $${ as a literal ${, left to right', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('$', '{', 'a') }), (s) => {
        // No `}`: a `${` left after unescaping cannot parse, so an accepted string is all text.
        const r = parseTemplate(s, span);
        if (r.ok) expect(r.template.parts.map((p) => (p.kind === 'text' ? p.value : '?')).join('')).toBe(s.replaceAll('$${', '${'));
        else expect(s.replaceAll('$${', '').includes('${')).toBe(true);
      }),
    );
  });

  it('parses a variable with offsets of ${ and of the name', () => {
    expect(tpl('MAIL FROM:<${ from }>').parts).toEqual([
      { kind: 'text', value: 'MAIL FROM:<' },
      { kind: 'expr', offset: 11, expr: { kind: 'var', name: 'from', offset: 14 } },
      { kind: 'text', value: '>' },
    ]);
  });

  it('parses env.NAME with and without a default that runs to the closing }', () => {
    const t = tpl('${env.HOST}:${env.PORT:-25 or (so)}${env.E:-}');
    expect(t.parts).toEqual([
      { kind: 'expr', offset: 0, expr: { kind: 'env', name: 'HOST', offset: 2 } },
      { kind: 'text', value: ':' },
      { kind: 'expr', offset: 12, expr: { kind: 'env', name: 'PORT', fallback: '25 or (so)', offset: 14 } },
      { kind: 'expr', offset: 35, expr: { kind: 'env', name: 'E', fallback: '', offset: 37 } },
    ]);
  });

  it('parses nested calls with every kind of argument', () => {
    const t = tpl("${concat(user, env.X, 12, lower('A\\x41\\'\\n'), uuid())}");
    const part = t.parts[0];
    expect(part?.kind).toBe('expr');
    expect(part?.kind === 'expr' && part.expr).toEqual({
      kind: 'call',
      fn: 'concat',
      offset: 2,
      args: [
        { kind: 'var', name: 'user', offset: 9 },
        { kind: 'env', name: 'X', offset: 15 },
        { kind: 'number', value: 12, offset: 22 },
        { kind: 'call', fn: 'lower', offset: 26, args: [{ kind: 'string', value: "AA'\n", offset: 32 }] },
        { kind: 'call', fn: 'uuid', offset: 46, args: [] },
      ],
    });
  });

  it('decodes every escape of a quoted string', () => {
    const t = tpl("${'\\0\\r\\n\\t\\\\\\'\\x7e}'}");
    const part = t.parts[0];
    expect(part?.kind === 'expr' && part.expr).toEqual({ kind: 'string', value: "\0\r\n\t\\'~}", offset: 2 });
  });

  it.each([
    ['AUTH ${user', 5, 'unclosed `${`'],
    ['${}', 0, 'empty `${}`'],
    ['x ${ }', 2, 'empty `${}`'],
    ['${base64(user}', 13, 'expected `)` after arguments of base64'],
    ['${base64(user', 13, 'expected `)` after arguments of base64'],
    ['${base64(user pass)}', 14, 'expected `)` after arguments of base64'],
    ['${concat(a,)}', 11, 'expected an argument of concat'],
    ['${concat(,a)}', 9, 'expected an argument of concat'],
    ['${user.name}', 2, '`user.name` is not a name: only env.NAME may hold a dot'],
    ['${env.}', 6, 'expected the name of an environment variable'],
    ['${env.X:-oops', 0, 'unclosed `${`'],
    ['${base64(env.X:-d)}', 14, 'a default (`:-`) works only'],
    ["${'abc}", 2, 'unterminated quoted string'],
    ["${'a\\qb'}", 4, 'unknown escape `\\q`'],
    ["${'a\\x4g'}", 4, 'unknown escape `\\x4g`'],
    ['${user pass}', 7, 'unexpected `p` in `${…}`: expected `}`'],
    ['${-1}', 2, 'unexpected `-`'],
    ['${3abc}', 2, 'neither a number nor a name'],
    ['${1234567890123456}', 2, 'too large'],
    ['${a} ${"b"}', 7, 'unexpected `"`'],
  ])('rejects %j at offset %i: %s', (source, offset, message) => {
    const r = fails(source);
    expect(r.offset).toBe(offset);
    expect(r.message).toContain(message);
  });

  it('refuses calls nested too deeply instead of overflowing the stack', () => {
    const deep = '${' + 'f('.repeat(1000) + ')'.repeat(1000) + '}';
    expect(fails(deep).message).toContain('nested more than');
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('$', '{', '}', '(', ')', "'", '\\', ',', '.', 'a', 'env', ':-', ' ', '1') }), (s) => {
        const r = parseTemplate(s, span);
        if (!r.ok) {
          expect(r.offset).toBeGreaterThanOrEqual(0);
          expect(r.offset).toBeLessThanOrEqual(s.length);
        }
      }),
    );
  });

  it('round-trips text without ${', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        fc.pre(!s.includes('${'));
        const r = parseTemplate(s, span);
        expect(r.ok && r.template.parts.map((p) => (p.kind === 'text' ? p.value : '')).join('')).toBe(s);
      }),
    );
  });
});

describe('templateRefs', () => {
  it('lists variables, env references and calls in source order with offsets', () => {
    const t = tpl('AUTH PLAIN ${sasl_plain(user, base64(pass))} ${env.A} ${env.B:-x} ${user}');
    expect(templateRefs(t)).toEqual({
      vars: [
        { name: 'user', offset: 24 },
        { name: 'pass', offset: 37 },
        { name: 'user', offset: 68 },
      ],
      envs: [
        { name: 'A', hasDefault: false, offset: 47 },
        { name: 'B', hasDefault: true, offset: 56 },
      ],
      calls: [
        { name: 'sasl_plain', argc: 2, offset: 13 },
        { name: 'base64', argc: 1, offset: 30 },
      ],
    });
  });

  it('is empty for plain text', () => {
    expect(templateRefs(tpl('QUIT'))).toEqual({ vars: [], envs: [], calls: [] });
  });
});
