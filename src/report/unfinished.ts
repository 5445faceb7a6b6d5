/**
 * An interrupted run (Ctrl-C, SIGTERM, SIGHUP) in the reports: every selected test that did
 * not finish is there, `errored` with a failure of kind `interrupted` at the test's
 * declaration, and counted as errored. JUnit then holds an `<error type="interrupted">` per
 * unfinished test, and a CI that reads the counts never takes an interrupted run for green.
 */
import type { RunSummary, SuiteInfo, TestInfo, TestResult } from '../engine/events.js';
import { testKey } from './grouping.js';

export const INTERRUPTED_MESSAGE = 'not finished: the run was interrupted';

export interface CompleteRun {
  readonly results: readonly TestResult[];
  readonly summary: RunSummary;
}

function unfinished(test: TestInfo): TestResult {
  return {
    test,
    status: 'errored',
    durationMs: 0,
    transcript: [],
    failure: { kind: 'interrupted', message: INTERRUPTED_MESSAGE, span: test.span, includedFrom: [] },
  };
}

/** The results with the unfinished tests added (only when `summary.interrupted`), and the counts to match. */
export function completeRun(suites: readonly SuiteInfo[], results: readonly TestResult[], summary: RunSummary): CompleteRun {
  if (!summary.interrupted) return { results, summary };
  const finished = new Set(results.map((r) => testKey(r.test)));
  const missing = suites.flatMap((s) => s.tests).filter((t) => !finished.has(testKey(t))).map(unfinished);
  return { results: [...results, ...missing], summary: { ...summary, errored: summary.errored + missing.length } };
}
