/** `--grep` and `--tag`: which tests run. Suites left with no test are dropped. */
import type { Suite } from '../kernel/model.js';

export interface Selection {
  /** Matched against `suite name › test name`. */
  readonly grep?: RegExp;
  /** A test runs if it or its suite has any of these tags. */
  readonly tags?: readonly string[];
}

export function selectTests(suites: readonly Suite[], selection: Selection): Suite[] {
  const out: Suite[] = [];
  for (const suite of suites) {
    const tests = suite.tests.filter((test) => {
      if (selection.grep && !selection.grep.test(`${suite.name} › ${test.name}`)) return false;
      if (selection.tags?.length) {
        const tags = new Set([...suite.tags, ...test.tags]);
        if (!selection.tags.some((t) => tags.has(t))) return false;
      }
      return true;
    });
    if (tests.length) out.push({ ...suite, tests });
  }
  return out;
}
