import { describe, expect, it } from 'vitest';
import { formatElapsed } from '../../src/kernel/duration.js';
import { toSeconds } from '../../src/report/duration.js';

describe('formatElapsed', () => {
  it.each([
    [0, '0ms'],
    [12, '12ms'],
    [12.4, '12ms'],
    [999.4, '999ms'],
    [999.6, '1.0s'],
    [1200, '1.2s'],
    [1249, '1.2s'],
    [59_940, '59.9s'],
    [59_960, '1m 00s'],
    [123_000, '2m 03s'],
    [3_599_400, '59m 59s'],
    [3_723_000, '1h 02m 03s'],
    [-5, '0ms'],
    [Number.NaN, '0ms'],
  ])('%s ms reads %s', (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });
});

describe('toSeconds', () => {
  it('keeps millisecond precision', () => {
    expect(toSeconds(1234.4)).toBe(1.234);
    expect(toSeconds(5)).toBe(0.005);
    expect(toSeconds(-1)).toBe(0);
  });
});
