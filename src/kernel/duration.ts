/** Durations as people read them: the two forms every message and report uses. */

/**
 * `250ms`, `10s`, `1.5s`, `2m`, `2m 30s`: a duration as a spec writes it, for messages about
 * a timeout, a deadline or a wait. Measured ones are rounded to a tenth of a second, so
 * 9,999 ms reads `10s`.
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

/**
 * How long something took, in reports: `12ms`, `1.2s`, `2m 03s`, `1h 02m 03s`. Seconds keep
 * their decimal (`1.0s`) and minutes two digits of seconds, so a column of them lines up.
 */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0ms';
  if (ms < 999.5) return `${Math.round(ms)}ms`;
  // Below 59.95s one decimal; above, whole seconds (so 59.96s reads `1m 00s`, not `60.0s`).
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}h ${two(m)}m ${two(s)}s` : `${m}m ${two(s)}s`;
}
