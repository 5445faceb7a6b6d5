import { describe, expect, it } from 'vitest';
import { literalValue, Redactor } from '../../src/template/index.js';

describe('Redactor', () => {
  it('leaves text alone while nothing is registered', () => {
    expect(new Redactor().redact('AUTH PLAIN abc')).toBe('AUTH PLAIN abc');
  });

  it('replaces every occurrence of every secret', () => {
    const r = new Redactor();
    r.add('hunter2');
    r.addDerived('aHVudGVyMg==');
    expect(r.redact('pw hunter2, again hunter2; b64 aHVudGVyMg==')).toBe('pw ***, again ***; b64 ***');
  });

  it('replaces the longest secret first', () => {
    const r = new Redactor();
    r.add('pass');
    r.add('password123');
    expect(r.redact('x password123 pass y')).toBe('x *** *** y');
  });

  it('ignores empty strings and treats regex characters literally', () => {
    const r = new Redactor();
    r.add('');
    expect(r.redact('abc')).toBe('abc');
    r.add('a.c(');
    expect(r.redact('abc a.c( ')).toBe('abc *** ');
  });

  it('registers a Value only when it is secret', () => {
    const r = new Redactor();
    r.addValue(literalValue('public'));
    r.addValue(literalValue('s3cr3t', true));
    expect(r.redact('public s3cr3t')).toBe('public ***');
  });

  it('also catches a secret added after a first redaction', () => {
    const r = new Redactor();
    r.add('one');
    expect(r.redact('one two')).toBe('*** two');
    r.add('two');
    expect(r.redact('one two')).toBe('*** ***');
  });
});
