import { describe, expect, it } from 'vitest';
import { codeFits, enhancedFits } from '../../src/match/index.js';
import { at, failure, holds, matcher, smtp, spanned } from './helpers.js';

describe('code', () => {
  it.each([
    ['250', 250, true],
    ['2xx', 250, true],
    ['2XX', 221, true],
    ['55x', 554, true],
    ['55x', 504, false],
    ['xxx', 421, true],
    ['250', 251, false],
    ['25', 25, false],
    ['220', 22, false],
  ])('%s fits %i: %s', (pattern, code, expected) => {
    expect(codeFits(pattern, code)).toBe(expected);
  });

  it('holds for an equal code, a pattern, or any code of a list', () => {
    holds(matcher({ code: [spanned('235')] }), smtp('235 2.7.0 Authentication successful'));
    holds(matcher({ code: [spanned('2xx')] }), smtp('250-mx.test', '250 HELP'));
    holds(matcher({ code: [spanned('250'), spanned('251')] }), smtp('251 2.1.5 will forward'));
  });

  it('fails in words, pointing at the code', () => {
    const span = at();
    const f = failure(matcher({ code: [spanned('235', span)] }), smtp('535 5.7.8 Error: authentication failed'));
    expect(f.message).toBe('expected reply code 235, got 535');
    expect(f.span).toEqual(span);
    expect(f.expected).toBe('235');
    expect(f.actual).toBe('535 5.7.8 Error: authentication failed');
  });

  it('names every code of a list, and spans the whole list', () => {
    const a = at(40);
    const c = at(42);
    const f = failure(matcher({ code: [spanned('250', a), spanned('251'), spanned('252', c)] }), smtp('550 5.1.1 no such user'));
    expect(f.message).toBe('expected reply code 250, 251 or 252, got 550');
    expect(f.span).toEqual({ file: 'm.yaml', line: 40, col: 5, endLine: 42, endCol: 15 });
  });

  it('explains a reply that had no code', () => {
    const o = smtp('garbage');
    const reply = o.kind === 'reply' ? { ...o.reply, code: undefined, malformed: 'the line does not start with a 3-digit code' } : undefined;
    const f = failure(matcher({ code: [spanned('220')] }), { kind: 'reply', reply: reply! });
    expect(f.message).toBe('expected reply code 220, got a reply without a code (the line does not start with a 3-digit code)');
  });
});

describe('enhanced', () => {
  it.each([
    ['5.7.8', '5.7.8', true],
    ['5.7.x', '5.7.8', true],
    ['5.x.x', '5.1.10', true],
    ['#5.7.0', '5.7.0', true],
    ['5.7.8', '5.7.0', false],
    ['5.7.1', '5.7.10', false],
    ['5.7', '5.7.1', false],
  ])('%s fits %s: %s', (pattern, code, expected) => {
    expect(enhancedFits(pattern, code)).toBe(expected);
  });

  it('holds and fails against the first line of the reply', () => {
    holds(matcher({ code: [spanned('530')], enhanced: spanned('5.7.0') }), smtp('530 5.7.0 Must issue a STARTTLS command first'));
    const span = at();
    const f = failure(matcher({ enhanced: spanned('5.7.8', span) }), smtp('535 5.7.0 Authentication failed'));
    expect(f.message).toBe('expected enhanced code 5.7.8, got 5.7.0');
    expect(f.span).toEqual(span);
  });

  it('explains a reply without an enhanced code', () => {
    const f = failure(matcher({ enhanced: spanned('2.0.0') }), smtp('250 OK'));
    expect(f.message).toBe('expected enhanced code 2.0.0, got a reply without one');
  });

  it('checks the code before the enhanced code', () => {
    const f = failure(matcher({ code: [spanned('250')], enhanced: spanned('5.7.1') }), smtp('554 5.7.1 Relay access denied'));
    expect(f.message).toBe('expected reply code 250, got 554');
  });
});
