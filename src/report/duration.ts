/** Seconds with millisecond precision, as JUnit's `time` attribute wants them. */
export function toSeconds(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) return 0;
  return Math.round(ms) / 1000;
}
