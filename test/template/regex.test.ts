import { describe, expect, it } from 'vitest';
import { evaluateRegex, escapeRegex, literalValue, RegexCache, TemplateError } from '../../src/template/index.js';
import { scope, tpl } from './helpers.js';

describe('evaluateRegex', () => {
  it('escapes interpolated values so they match literally', () => {
    const { regex, secret } = evaluateRegex(tpl('^250 ${v}$'), '', scope({ v: 'a.b*c+(d)[e]{f}|g/h\\i^$?' }));
    expect(secret).toBe(false);
    expect(regex.test('250 a.b*c+(d)[e]{f}|g/h\\i^$?')).toBe(true);
    expect(regex.test('250 aXbbbc+(d)[e]{f}|g/h\\i^$?')).toBe(false);
  });

  it('keeps the regex syntax of the literal parts and applies flags', () => {
    const { regex } = evaluateRegex(tpl('auth .*${m}$'), 'im', scope({ m: 'PLAIN' }));
    expect(regex.flags).toBe('im');
    expect(regex.test('250-SIZE\n250 AUTH LOGIN plain')).toBe(true);
  });

  it('escaping stays valid under the u flag', () => {
    const { regex } = evaluateRegex(tpl('^${v}$'), 'u', scope({ v: 'x-y.z/é' }));
    expect(regex.test('x-y.z/é')).toBe(true);
  });

  it('is secret when a secret was interpolated', () => {
    expect(evaluateRegex(tpl('${p}'), '', scope({ p: literalValue('pw', true) })).secret).toBe(true);
  });

  it('caches by final source and flags, bounded', () => {
    const cache = new RegexCache(2);
    const a = evaluateRegex(tpl('x${v}'), '', scope({ v: '1' }), cache).regex;
    expect(evaluateRegex(tpl('x1'), '', scope(), cache).regex).toBe(a);
    expect(evaluateRegex(tpl('x1'), 'i', scope(), cache).regex).not.toBe(a);
    for (let i = 0; i < 50; i += 1) evaluateRegex(tpl('x${v}'), '', scope({ v: String(i) }), cache);
    expect(cache.size).toBe(2);
  });

  it('reports a regex that does not compile as a TemplateError, hiding secrets', () => {
    expect(() => evaluateRegex(tpl('(a'), '', scope())).toThrow(TemplateError);
    expect(() => evaluateRegex(tpl('(a'), '', scope())).toThrow(/invalid regular expression \/\(a\//);
    let message = '';
    try {
      evaluateRegex(tpl('(${p}'), '', scope({ p: literalValue('hunter2', true) }));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('invalid regular expression /(${p}/: Unterminated group');
  });

  it('refuses the stateful flags g and y', () => {
    expect(() => evaluateRegex(tpl('a'), 'g', scope())).toThrow(/flag g is not allowed/);
  });

  it('escapeRegex output compiles and matches only itself', () => {
    const s = String.raw`\^$.*+?()[]{}|/`;
    expect(new RegExp(`^${escapeRegex(s)}$`, 'u').test(s)).toBe(true);
  });
});
