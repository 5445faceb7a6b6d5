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
  histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
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

export function summarize(histogram: Histogram): LatencySummary {
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
