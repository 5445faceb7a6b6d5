import { describe, expect, it } from 'vitest';
import { andList, closest, didYouMean, editDistance, orList } from '../../src/loader/suggest.js';
import { checkRegexCompiles, checkRegexFlags, codePattern, durationHint, parseDuration, parseSize, sizeHint, splitRegexLiteral } from '../../src/loader/values.js';

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['10s', 10_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    [0, 0],
    [1500, 1500],
  ] as const)('%s is %d ms', (raw, ms) => {
    expect(parseDuration(raw)).toEqual({ ok: true, value: ms });
  });
  it('refuses what a timer cannot wait', () => {
    expect(parseDuration('25d').ok).toBe(false);
    expect(parseDuration('600h')).toMatchObject({ ok: false, code: 'duration-invalid', message: 'the duration `600h` is too long' });
    expect(parseDuration(2 ** 31).ok).toBe(false);
  });
  it('suggests the duration meant', () => {
    expect(durationHint('10 sec')).toBe('did you mean `10s`?');
    expect(durationHint('1.5s')).toBe('did you mean `1500ms`?');
    expect(durationHint('2 minutes')).toBe('did you mean `2m`?');
    expect(durationHint('soon')).toBeUndefined();
  });
});

describe('sizes', () => {
  it.each([
    ['512B', 512],
    ['64KiB', 65_536],
    ['16MiB', 16 * 1024 * 1024],
    ['1GiB', 1024 ** 3],
    [1, 1],
  ] as const)('%s is %d bytes', (raw, bytes) => {
    expect(parseSize(raw)).toEqual({ ok: true, value: bytes });
  });
  it('refuses sizes past 1GiB', () => {
    expect(parseSize('2GiB').ok).toBe(false);
  });
  it('suggests binary units', () => {
    expect(sizeHint('64KB')).toBe('did you mean `64KiB`?');
    expect(sizeHint('16 mb')).toBe('did you mean `16MiB`?');
    expect(sizeHint('lots')).toBeUndefined();
  });
});

describe('regex literals', () => {
  it('splits /body/flags', () => {
    expect(splitRegexLiteral('/a\\/b/im')).toEqual({ body: 'a\\/b', flags: 'im' });
    expect(splitRegexLiteral('/')).toBeUndefined();
    expect(splitRegexLiteral('plain')).toBeUndefined();
  });
  it('allows flags i m s u once each', () => {
    expect(checkRegexFlags('imsu').ok).toBe(true);
    expect(checkRegexFlags('g')).toMatchObject({ ok: false, code: 'regex-flags' });
    expect(checkRegexFlags('ii')).toMatchObject({ ok: false, code: 'regex-flags', message: 'the regex flag `i` is given twice' });
  });
  it('says why a regex does not compile, without V8 noise', () => {
    expect(checkRegexCompiles('(', '')).toEqual({ ok: false, code: 'regex-invalid', message: 'the regex does not compile: unterminated group' });
    expect(checkRegexCompiles('a+', 'i').ok).toBe(true);
  });
  it('knows code patterns', () => {
    expect(codePattern('2XX')).toBe('2xx');
    expect(codePattern('250')).toBe('250');
    expect(codePattern('25')).toBeUndefined();
    expect(codePattern('650')).toBeUndefined();
  });
});

describe('suggestions', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('nmae', 'name')).toBe(1);
    expect(editDistance('contans', 'contains')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('suggests only what is close', () => {
    expect(closest('contans', ['contains', 'excludes'])).toBe('contains');
    expect(closest('Name', ['name'])).toBe('name');
    expect(closest('c', ['s'])).toBeUndefined();
    expect(closest('zzzz', ['name'])).toBeUndefined();
    expect(didYouMean('usr', ['user', 'pass'])).toBe('did you mean `user`?');
  });
  it('lists', () => {
    expect(orList(['a', 'b', 'c'])).toBe('`a`, `b` or `c`');
    expect(andList(['a', 'b'])).toBe('`a` and `b`');
    expect(orList(['x'], false)).toBe('x');
  });
});
