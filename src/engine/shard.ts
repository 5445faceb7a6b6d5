/**
 * `--shard i/n`: run one n-th of the selected tests, so a CI matrix or a Kubernetes Indexed
 * Job spreads a big suite (or a big load) over n machines (docs/load.md).
 *
 * Deterministic: the same specs, paths and selection give every machine the same list.
 * Order: by the suite's file path (code units, no locale), then by the test's place in its
 * file. Units are dealt round-robin (unit k goes to shard k mod n, 1-based), which spreads
 * big files over all shards. A `serial` file is ONE unit: its tests share state (a mailbox)
 * and must not run on two machines at once.
 */
import type { Suite, Test } from '../kernel/model.js';

/** `index` is 1-based: `--shard 1/3` … `--shard 3/3` (as Playwright and Jest count). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** `"2/5"` → `{ index: 2, count: 5 }`; throws an Error whose message suits a usage error. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new Error(`--shard takes i/n with 1 ≤ i ≤ n (e.g. 2/4; in a Kubernetes Indexed Job, auto/4), got "${text}"`);
  }
  return { index, count };
}

/** The suites (and tests) of shard `shard`, in the stable order; suites left empty are dropped. */
export function shardSuites(suites: readonly Suite[], shard: Shard): Suite[] {
  const ordered = [...suites].sort((a, b) => compareCodeUnits(a.file, b.file));
  const out: Suite[] = [];
  let unit = 0;
  for (const suite of ordered) {
    const mine = (): boolean => unit++ % shard.count === shard.index - 1;
    const tests: Test[] = suite.serial ? (mine() ? [...suite.tests] : []) : suite.tests.filter(() => mine());
    if (tests.length > 0) out.push({ ...suite, tests });
  }
  return out;
}

/** Plain code-unit order: `localeCompare` would differ between machines' locales. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
