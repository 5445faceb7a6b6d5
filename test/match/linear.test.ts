/**
 * Regexes that end in time (src/match/linear.ts): `i` regexes matched case-folded, so V8's
 * linear-time engine can take them over; regexes it cannot run refused when a reply could
 * make them backtrack. The verdicts are the same whether V8 is asked (the `l` flag, as under
 * the `convospec` command) or the regex's tree is judged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linearRegex, regexHazard } from '../../src/match/linear.js';

describe('linearRegex: i without u is matched case-folded, with the same matches', () => {
  const cases: readonly (readonly [string, readonly string[]])[] = [
    ['^(a+)+b$', ['AAAB', 'aAb', 'ab', 'AAA', 'b', 'xab']],
    ['AUTH .*PLAIN', ['250-auth login plain', '250-AUTH=PLAIN', 'Auth Plain', 'AUTHPLAIN']],
    ['[a-z]+ok', ['ABCOK', 'abc0ok', 'ok', 'Xok']],
    ['[^a-c]x', ['Ax', 'dX', 'Dx', 'bx']],
    ['(?<n>k)\\x41[^q-s\\d]\\u00e9', ['KaZÉ', 'kAqé', 'ka1é', 'kaÿÉ']],
    ['straße|ΣΑΣ|ſ', ['STRASSE', 'Straße', 'σας', 'ςας', 's', 'S', 'ſ']],
    ['\\w+\\s\\bé{2}\\B', ['Ab ÉÉx', 'ab éé ']],
    ['(a)|b', ['A', 'B']],
  ];
  it.each(cases)('/%s/i', (source, inputs) => {
    const original = new RegExp(source, 'i');
    const folded = linearRegex(original);
    expect(folded.flags).not.toContain('i');
    for (const input of inputs) {
      expect(folded.exec(input)?.slice(), JSON.stringify(input)).toEqual(original.exec(input)?.slice());
    }
  });

  it('finds what the i regex finds, for regexes and inputs built from tricky pieces', () => {
    const pieces = ['a', 'B', 'k', 'S', 'ſ', 'K', 'ß', 'é', 'Σ', 'ς', '[a-c]', '[^x]', '[K-k]', '[\\w-]', '\\w', '\\W', '\\d', '.', '(a|b)',
      '(?:ab)?', '\\x41', '\\u212a', '\\u017f', '[\\u00e0-\\u00ff]', '^', '$', '\\b', '(?=s)', '(?<!k)', '[\\s\\S]', '{', '}', 'x{2}', 'a*', 's+?'];
    const piece = fc.constantFrom(...pieces);
    const text = fc.array(fc.constantFrom('a', 'A', 'b', 'B', 'k', 'K', '\u212a', 's', 'S', '\u017f', 'ß', 'é', 'É', 'σ', 'ς', 'Σ', 'x', '{', '-', ' ', '1'), { maxLength: 12 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 6 }), fc.array(text, { minLength: 1, maxLength: 5 }), (parts, inputs) => {
        const original = new RegExp(parts.join(''), 'i');
        const folded = linearRegex(original);
        for (const input of inputs) expect(folded.exec(input)?.slice(), `${original} on ${JSON.stringify(input)}`).toEqual(original.exec(input)?.slice());
      }),
      { numRuns: 500 },
    );
  });

  it('leaves regexes without i, with u, or with a backreference as they are', () => {
    for (const regex of [/a+b/, /a+b/iu, /(a)\1/i, /a/ms]) expect(linearRegex(regex)).toBe(regex);
  });
});

describe('regexHazard', () => {
  it.each([
    ['(a+)+b', 'i'],
    ['.*a.*b.*c', 'ims'],
    ['(a+)+b', ''],
    ['\\p{L}+', 'u'],
    ['x|y+', 'u'],
    ['^250[ -]SIZE (\\d+)$', 'i'],
    ['(?=x)a+', ''],
    ['(a)\\1', ''],
    ['^[A-Za-z0-9]{20,40}$', 'u'],
  ])('/%s/%s is safe', (source, flags) => {
    expect(regexHazard(source, flags)).toBeUndefined();
  });

  it.each([
    ['\\p{L}+$', 'u', /repeats `\\p\{L\}\+` with more pattern after it.*the `u` flag/],
    ['(a+)+b', 'u', /repeats `\(a\+\)\+` with more pattern after it.*the `u` flag\)/],
    ['(a+)+b', 'iu', /the `u` flag \(with `i`\)/],
    ['^(\\w+) \\1$', '', /repeats `\\w\+` with more pattern after it.*a backreference/],
    ['(?=.*x)', 'i', /repeats `\.\*` with more pattern after it.*lookaround/],
    ['(?:a{0,100})+', '', /repeats `a\{0,100\}` inside another repetition.*a counted repetition above 16/],
  ])('/%s/%s is refused', (source, flags, message) => {
    const hazard = regexHazard(source, flags);
    expect(hazard?.message).toMatch(message);
    expect(hazard?.message).toMatch(/^this regex can backtrack for hours on a reply shaped against it/);
    expect(hazard?.hint).toMatch(/^remove /);
  });
});
