/** How long something took, for people: `12ms`, `1.2s`, `2m 03s`, `1h 02m 03s`. */
export function formatDuration(ms: number): string {
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

/** Seconds with millisecond precision, as JUnit's `time` attribute wants them. */
export function toSeconds(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) return 0;
  return Math.round(ms) / 1000;
}
