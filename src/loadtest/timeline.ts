/**
 * Sessions over time: how many sessions finished (and how many of them failed) in each
 * interval since the load run began, for a plot of sessions/s. Memory is bounded: past
 * `TIMELINE_MAX_POINTS` intervals the interval doubles and neighbouring pairs are added up,
 * so an hour-long run keeps at most that many points, as a ten-second one does.
 */

/** At most this many intervals (an even number: pairs merge). */
export const TIMELINE_MAX_POINTS = 512;

const FIRST_INTERVAL_MS = 1000;

export interface TimelineReport {
  /** The width of each interval. */
  readonly intervalMs: number;
  /** Sessions that ended in interval i: [i × intervalMs, (i + 1) × intervalMs) after the start. */
  readonly sessions: readonly number[];
  /** Of those, the ones that failed or errored (an expected failure, `xfailed`, is not one). */
  readonly failed: readonly number[];
  /** When the last session ended, after the start (the last interval covers only up to it). */
  readonly endMs: number;
}

export class Timeline {
  private intervalMs = FIRST_INTERVAL_MS;
  private sessions: number[] = [];
  private failed: number[] = [];
  private endMs = 0;

  /** `origin`: the clock's reading when the run began. */
  constructor(private readonly origin: number) {}

  /** A session ended at `at` (the clock's reading). */
  record(at: number, passed: boolean): void {
    const since = Math.max(0, at - this.origin);
    let index = Math.floor(since / this.intervalMs);
    while (index >= TIMELINE_MAX_POINTS) {
      this.widen();
      index = Math.floor(since / this.intervalMs);
    }
    while (this.sessions.length <= index) {
      this.sessions.push(0);
      this.failed.push(0);
    }
    this.sessions[index]! += 1;
    if (!passed) this.failed[index]! += 1;
    this.endMs = Math.max(this.endMs, since);
  }

  report(): TimelineReport {
    return { intervalMs: this.intervalMs, sessions: [...this.sessions], failed: [...this.failed], endMs: Math.round(this.endMs * 1000) / 1000 };
  }

  private widen(): void {
    this.intervalMs *= 2;
    this.sessions = pairs(this.sessions);
    this.failed = pairs(this.failed);
  }
}

/** Neighbouring counts added up: the counts of intervals twice as wide. */
const pairs = (counts: readonly number[]): number[] => Array.from({ length: Math.ceil(counts.length / 2) }, (_, i) => counts[2 * i]! + (counts[2 * i + 1] ?? 0));

/**
 * Timelines of runs that ran side by side (shards, or the same command on several machines),
 * as one: each started at its own run's start, so interval i of one is laid on interval i of
 * the others. The finer ones are widened to the widest interval first (every interval is
 * 1 s × 2ⁿ), then counts are added: no session is lost or counted twice.
 */
export function mergeTimelines(timelines: readonly TimelineReport[]): TimelineReport {
  const intervalMs = Math.max(FIRST_INTERVAL_MS, ...timelines.map((t) => t.intervalMs));
  const sessions: number[] = [];
  const failed: number[] = [];
  for (const timeline of timelines) {
    let own = { sessions: [...timeline.sessions], failed: [...timeline.failed] };
    for (let width = timeline.intervalMs; width < intervalMs; width *= 2) own = { sessions: pairs(own.sessions), failed: pairs(own.failed) };
    own.sessions.forEach((n, i) => (sessions[i] = (sessions[i] ?? 0) + n));
    own.failed.forEach((n, i) => (failed[i] = (failed[i] ?? 0) + n));
  }
  return { intervalMs, sessions, failed, endMs: Math.max(0, ...timelines.map((t) => t.endMs)) };
}
