/** Human-readable sizes and durations for transport error messages. */

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

const BYTE_UNITS: readonly (readonly [number, string])[] = [
  [GIB, 'GiB'],
  [MIB, 'MiB'],
  [KIB, 'KiB'],
];

/**
 * `64 KiB`, `16 MiB`, `1.5 KiB`, `100 bytes`: the unit a user would have written in `limits`,
 * and never rounded (a limit of 1 MiB and a count of 1048577 bytes must not read alike).
 */
export function formatBytes(count: number): string {
  for (const [size, unit] of BYTE_UNITS) {
    if (count >= size && (count * 10) % size === 0) return `${(count * 10) / size / 10} ${unit}`;
  }
  return count === 1 ? '1 byte' : `${count} bytes`;
}

/**
 * `250ms`, `10s`, `1.5s`, `2m`, `2m 30s`: a duration as a spec writes it, for messages about
 * a timeout, a deadline or a wait (the engine's too). Measured ones are rounded to a tenth of
 * a second, so 9,999 ms reads `10s`. (Elapsed times in reports, `1m 05s`, are
 * src/report/duration.ts's.)
 */
export function formatDuration(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  if (whole < 1000) return `${whole}ms`;
  const tenths = Math.round(whole / 100);
  if (tenths < 600) return `${tenths / 10}s`;
  const seconds = Math.round(whole / 1000);
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return s === 0 ? `${m}m` : `${m}m ${s}s`;
}
