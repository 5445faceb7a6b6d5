/**
 * Results grouped per spec file, in declaration order (the order of `onRunStart`), not in
 * the order concurrent tests happened to finish: file reports stay stable from run to run.
 */
import type { SuiteInfo, TestInfo, TestResult } from '../engine/events.js';

export interface SuiteResults {
  readonly file: string;
  readonly name: string;
  readonly results: readonly TestResult[];
}

/** Identity of a test within a run: names may repeat across files, spans may not. */
export function testKey(test: Pick<TestInfo, 'file' | 'name' | 'span'>): string {
  return `${test.file}\0${test.span.line}:${test.span.col}\0${test.name}`;
}

/**
 * Suites with at least one result. Tests missing from `suites` (or when `suites` is
 * empty) come after the declared ones, in the order they finished.
 */
export function groupBySuite(suites: readonly SuiteInfo[], results: readonly TestResult[]): SuiteResults[] {
  const rank = new Map<string, number>();
  const suiteRank = new Map<string, number>();
  suites.forEach((suite, i) => {
    suiteRank.set(suite.file, i);
    suite.tests.forEach((test) => rank.set(testKey(test), rank.size));
  });
  const byFile = new Map<string, { name: string; results: TestResult[] }>();
  for (const result of results) {
    const group = byFile.get(result.test.file) ?? { name: result.test.suite, results: [] };
    group.results.push(result);
    byFile.set(result.test.file, group);
  }
  const late = (n: number | undefined): number => n ?? Number.MAX_SAFE_INTEGER;
  return [...byFile.entries()]
    .map(([file, group]) => ({
      file,
      name: group.name,
      results: [...group.results].sort((a, b) => late(rank.get(testKey(a.test))) - late(rank.get(testKey(b.test)))),
    }))
    .sort((a, b) => late(suiteRank.get(a.file)) - late(suiteRank.get(b.file)));
}
