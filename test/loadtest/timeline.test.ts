/**
 * Sessions over time (`load.timeline`): sessions finished per interval since the load run
 * began, on an injected clock, with a bounded number of intervals however long the run.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Timeline, TIMELINE_MAX_POINTS, mergeTimelines } from '../../src/loadtest/timeline.js';

describe('load timeline', () => {
  it('counts sessions, and failed ones, in one-second intervals from its origin', () => {
    const timeline = new Timeline(10_000);
    timeline.record(10_000, true);
    timeline.record(10_999, false);
    timeline.record(11_000, true);
    timeline.record(13_500, true);
    expect(timeline.report()).toEqual({ intervalMs: 1000, sessions: [2, 1, 0, 1], failed: [1, 0, 0, 0], endMs: 3500 });
  });

  it('is empty before any session ends', () => {
    expect(new Timeline(5).report()).toEqual({ intervalMs: 1000, sessions: [], failed: [], endMs: 0 });
  });

  it('widens its interval (pairs merged) rather than growing past its bound, and loses no session', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5_000_000 }), fc.boolean()), { maxLength: 300 }), (sessions) => {
        const timeline = new Timeline(0);
        for (const [at, passed] of sessions) timeline.record(at, passed);
        const report = timeline.report();
        expect(report.sessions.length).toBeLessThanOrEqual(TIMELINE_MAX_POINTS);
        expect(report.sessions.reduce((a, b) => a + b, 0)).toBe(sessions.length);
        expect(report.failed.reduce((a, b) => a + b, 0)).toBe(sessions.filter(([, p]) => !p).length);
        // Each session is in the interval that holds its end.
        for (const [at] of sessions) expect(report.sessions[Math.floor(at / report.intervalMs)]).toBeGreaterThan(0);
        const last = Math.max(0, ...sessions.map(([at]) => at));
        expect(report.endMs).toBe(sessions.length === 0 ? 0 : last);
      }),
    );
  });

  it('doubles the interval exactly when a session lands past the last point', () => {
    const timeline = new Timeline(0);
    timeline.record(TIMELINE_MAX_POINTS * 1000 - 1, true);
    expect(timeline.report().intervalMs).toBe(1000);
    timeline.record(TIMELINE_MAX_POINTS * 1000, false);
    const report = timeline.report();
    expect(report.intervalMs).toBe(2000);
    expect(report.sessions.at(-1)).toBe(1);
    expect(report.sessions[TIMELINE_MAX_POINTS / 2]).toBe(1);
    expect(report.failed[TIMELINE_MAX_POINTS / 2]).toBe(1);
  });

  it('merges two timelines of different widths at the wider one', () => {
    const fine = { intervalMs: 1000, sessions: [1, 2, 3], failed: [0, 1, 0], endMs: 2500 };
    const wide = { intervalMs: 2000, sessions: [4, 1], failed: [1, 1], endMs: 3900 };
    expect(mergeTimelines([fine, wide])).toEqual({ intervalMs: 2000, sessions: [7, 4], failed: [2, 1], endMs: 3900 });
    expect(mergeTimelines([])).toEqual({ intervalMs: 1000, sessions: [], failed: [], endMs: 0 });
  });

  it('merges side-by-side runs interval by interval, widening the finer ones: what one timeline of all the sessions would hold', () => {
    const sessions = fc.array(fc.tuple(fc.integer({ min: 0, max: 2_000_000 }), fc.boolean(), fc.integer({ min: 0, max: 2 })), { maxLength: 200 });
    fc.assert(
      fc.property(sessions, (all) => {
        const whole = new Timeline(0);
        const shards = [new Timeline(0), new Timeline(0), new Timeline(0)];
        for (const [at, passed, shard] of all) {
          whole.record(at, passed);
          shards[shard]!.record(at, passed);
        }
        const merged = mergeTimelines(shards.map((t) => t.report()));
        const expected = whole.report();
        // The whole run may have widened further only if the merge is narrower; compare at the wider interval.
        const wider = mergeTimelines([expected, { ...merged, sessions: [], failed: [] }]);
        const again = mergeTimelines([merged, { ...expected, sessions: [], failed: [] }]);
        expect(trim(again.sessions)).toEqual(trim(wider.sessions));
        expect(trim(again.failed)).toEqual(trim(wider.failed));
        expect(merged.endMs).toBe(expected.endMs);
      }),
    );
  });
});

/** Counts without trailing empty intervals. */
function trim(counts: readonly number[]): number[] {
  const out = [...counts];
  while (out.length > 0 && out.at(-1) === 0) out.pop();
  return out;
}
