/**
 * Latency histograms: HdrHistogram (hdr-histogram-js), values in microseconds, 3
 * significant digits (±0.1 %), resized as needed so a 1 ms step costs a few KiB.
 *
 * Why a deep import of the pure-JS class rather than `build({ useWebAssembly: false })`:
 * the package's index evaluates its WebAssembly bundle on import (≈80 ms on a 2-core
 * machine) even when WebAssembly is not used; `Int32Histogram` alone loads in ≈8 ms.
 * The package is CommonJS with an `exports.default`, hence `require`.
 */
import { createRequire } from 'node:module';
import type { Histogram } from 'hdr-histogram-js';

type HistogramClass = new (lowest: number, highest: number, digits: number) => Histogram;

const require = createRequire(import.meta.url);

let histogramClass: HistogramClass | undefined;

export type { Histogram };

export function createHistogram(): Histogram {
  histogramClass ??= (require('hdr-histogram-js/dist/Int32Histogram.js') as { default: HistogramClass }).default;
  const histogram = new histogramClass(1, 2, 3);
  histogram.autoResize = true;
  return histogram;
}

/** Milliseconds, as the clock gives them, into the histogram's whole microseconds. */
export function recordMs(histogram: Histogram, ms: number): void {
  histogram.recordValue(toMicros(ms));
}

const toMicros = (ms: number): number => Math.max(1, Math.round(ms * 1000));

/**
 * The bucket layout of `createHistogram` (lowest value 1, 3 significant digits): values below
 * 2,048 have a bucket each; above, each power of two is cut into 1,024 buckets.
 */
const HALF_MAGNITUDE = 10;
const HALF_COUNT = 1 << HALF_MAGNITUDE;
/** Above this a value's bucket is not worked out with 32-bit integer operations. */
const MAX_FAST = 0x7fffffff;

/** HdrHistogram's counts-array index of `value` (1 ≤ value ≤ MAX_FAST), from integer operations. */
function bucketOf(value: number): number {
  const shift = Math.max(0, 31 - Math.clz32(value) - HALF_MAGNITUDE);
  return ((shift + 1) << HALF_MAGNITUDE) + (value >>> shift) - HALF_COUNT;
}

/** The lowest value of bucket `index`. */
function lowestOf(index: number): number {
  if (index < 2 * HALF_COUNT) return index;
  const shift = (index >>> HALF_MAGNITUDE) - 1;
  return (index - shift * HALF_COUNT) * 2 ** shift;
}

/**
 * One row's latencies as a load run records them: counts per HdrHistogram bucket, handed to an
 * HdrHistogram when read. hdr-histogram-js works out a value's bucket with Math.pow and
 * Math.log2 (about 1,000 instructions, and a load run records 16 values per session); here it
 * is a few integer operations. The histogram made from the counts equals one that recorded
 * every value itself: the same buckets and counts, and the exact minimum and maximum (each
 * recorded as itself, in its own bucket).
 */
export class LatencyRecorder {
  private counts = new Float64Array(2 * HALF_COUNT);
  private min = Infinity;
  private max = 0;
  /**
   * Values past MAX_FAST µs, each recorded as itself when read: each took over 35 minutes, so
   * a run holds at most its concurrency times its duration over 35 minutes of them.
   */
  private readonly huge: number[] = [];

  /** Milliseconds, as the clock gives them, as whole microseconds. */
  record(ms: number): void {
    const us = toMicros(ms);
    if (us > MAX_FAST) {
      this.huge.push(us);
      return;
    }
    const index = bucketOf(us);
    if (index >= this.counts.length) this.grow(index);
    this.counts[index]! += 1;
    if (us < this.min) this.min = us;
    if (us > this.max) this.max = us;
  }

  /** An HdrHistogram of everything recorded so far (made anew on each call). */
  histogram(): Histogram {
    const histogram = createHistogram();
    const counts = this.counts;
    const minIndex = this.max > 0 ? bucketOf(this.min) : -1;
    const maxIndex = this.max > 0 ? bucketOf(this.max) : -1;
    for (let index = 0; index < counts.length; index++) {
      let count = counts[index]!;
      if (count === 0) continue;
      if (index === minIndex) {
        histogram.recordValue(this.min);
        count -= 1;
      }
      if (index === maxIndex && count > 0) {
        histogram.recordValue(this.max);
        count -= 1;
      }
      if (count > 0) histogram.recordValueWithCount(lowestOf(index), count);
    }
    for (const us of this.huge) histogram.recordValue(us);
    return histogram;
  }

  private grow(index: number): void {
    let length = this.counts.length;
    while (length <= index) length *= 2;
    const counts = new Float64Array(length);
    counts.set(this.counts);
    this.counts = counts;
  }
}

/** What the reports show of a histogram, in milliseconds (3 decimals). */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
  /**
   * `--json` only: the whole histogram (microseconds) in HdrHistogram's standard compressed
   * base64 form (`HISTFAAA…`), so shards' results merge exactly (docs/load.md).
   */
  readonly histogram?: string;
}

/** HdrHistogram's V2 compressed base64 encoding; its module (~100 ms to load) only when asked. */
export function encodeHistogram(histogram: Histogram): string {
  // Loading it adds `encodeIntoCompressedBase64` to the pure-JS histograms' prototype.
  require('hdr-histogram-js/dist/JsHistogram.encoding.js');
  return (histogram as Histogram & { encodeIntoCompressedBase64(): string }).encodeIntoCompressedBase64();
}

/**
 * A histogram from its compressed base64 form (`encodeHistogram`'s, or any HdrHistogram
 * library's V2 encoding), resizable so others can be added to it. Throws on anything else.
 */
export function decodeHistogram(base64: string): Histogram {
  const encoding = require('hdr-histogram-js/dist/JsHistogram.encoding.js') as {
    decompress(data: Uint8Array): Uint8Array;
    doDecode(data: Uint8Array): Histogram;
  };
  const histogram = encoding.doDecode(encoding.decompress(Buffer.from(base64.trim(), 'base64')));
  histogram.autoResize = true;
  return histogram;
}

export function latencySummary(histogram: Histogram): LatencySummary {
  const ms = (us: number): number => Math.round(us) / 1000;
  if (histogram.totalCount === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  // A percentile is the top of its bucket (within 0.1 %), which may pass the exact maximum.
  const max = histogram.maxValue;
  const at = (p: number): number => ms(Math.min(histogram.getValueAtPercentile(p), max));
  let mean: number | undefined;
  return {
    count: histogram.totalCount,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: ms(max),
    // Worked out when read (the JSON report), not here: HdrHistogram's mean walks every
    // bucket up to the maximum, thousands with a Math.pow each, about 20 M instructions per
    // histogram; a load run summarises one per step, and the console shows no mean.
    get mean() {
      return (mean ??= ms(histogram.mean));
    },
  };
}
