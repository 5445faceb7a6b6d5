import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHistogram, encodeHistogram, LatencyRecorder, recordMs, latencySummary } from '../../src/loadtest/histogram.js';

describe('latency histogram', () => {
  it('gives percentiles within HdrHistogram precision (3 digits), in ms', () => {
    const h = createHistogram();
    for (let ms = 1; ms <= 1000; ms++) recordMs(h, ms);
    const s = latencySummary(h);
    expect(s.count).toBe(1000);
    expect(Math.abs(s.p50 - 500)).toBeLessThanOrEqual(1);
    expect(Math.abs(s.p95 - 950)).toBeLessThanOrEqual(1);
    expect(Math.abs(s.p99 - 990)).toBeLessThanOrEqual(1);
    expect(s.max).toBe(1000);
    expect(s.mean).toBeCloseTo(500.5, 0);
  });

  it('keeps sub-millisecond steps apart, never reports a percentile past the maximum', () => {
    const h = createHistogram();
    for (let i = 0; i < 99; i++) recordMs(h, 0.05);
    recordMs(h, 75.647);
    const s = latencySummary(h);
    expect(s.p50).toBe(0.05);
    expect(s.p99).toBe(0.05);
    expect(s.max).toBe(75.647);
    for (let i = 0; i < 10; i++) recordMs(h, 75.647);
    expect(latencySummary(h).p99).toBeLessThanOrEqual(latencySummary(h).max);
  });

  it('writes the mean into JSON, after the maximum, as read from the histogram when asked', () => {
    const h = createHistogram();
    for (let ms = 1; ms <= 100; ms++) recordMs(h, ms);
    const s = latencySummary(h);
    const json = JSON.parse(JSON.stringify(s)) as Record<string, number>;
    expect(Object.keys(json)).toEqual(['count', 'p50', 'p95', 'p99', 'max', 'mean']);
    expect(json.mean).toBe(Math.round(h.mean) / 1000);
    expect({ ...s }.mean).toBe(json.mean);
  });

  it('summarizes an empty histogram as zeros', () => {
    expect(latencySummary(createHistogram())).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 });
  });

  it('a LatencyRecorder gives the histogram that recording each value gives', () => {
    const ms = fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 5_000_000, noNaN: true }), fc.integer({ min: 0, max: 100 }));
    fc.assert(
      fc.property(fc.array(ms, { maxLength: 60 }), (values) => {
        const direct = createHistogram();
        const recorder = new LatencyRecorder();
        for (const v of values) {
          recordMs(direct, v);
          recorder.record(v);
        }
        const made = recorder.histogram();
        expect(made.totalCount).toBe(direct.totalCount);
        expect(made.maxValue).toBe(direct.maxValue);
        expect(made.minNonZeroValue).toBe(direct.minNonZeroValue);
        expect({ ...latencySummary(made) }).toEqual({ ...latencySummary(direct) });
        if (values.length > 0) expect(encodeHistogram(made)).toBe(encodeHistogram(direct));
      }),
      { numRuns: 300 },
    );
  });
});

