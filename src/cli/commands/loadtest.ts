/**
 * `convospec run --repeat N | --duration D [--rate R/s]`: the load run after `run` has
 * loaded, selected and sharded the specs. The console table, then the reporters whose map
 * entry takes load mode's events (`--junit`: one test case per test, with `runs`/`failedRuns`;
 * `--json`: the usual report plus a `load` section), through the same dispatcher as a run.
 * Exit 1 if any session failed, 130 if interrupted (docs/load.md).
 */
import type { Suite } from '../../kernel/model.js';
import type { EngineEnvironment } from '../../engine/context.js';
import type { TestResult } from '../../engine/events.js';
import { runLoad, type LoadOutcome } from '../../engine/loadtest.js';
import { suiteInfos, summarize } from '../../engine/run.js';
import type { Shard } from '../../engine/shard.js';
import { testInfo } from '../../engine/test-run.js';
import { createPalette } from '../../report/colors.js';
import { createProgressLine } from '../../report/progress.js';
import { createReporters, type ReportRequest } from '../../report/registry.js';
import { createDispatcher } from '../../report/dispatch.js';
import { EXIT, type Io } from '../io.js';
import { printReportFailures, reporterContext } from '../reports.js';
import type { LoadLimits } from '../load-flags.js';
import { LoadRecorder, aggregateResult } from '../../loadtest/stats.js';
import { loadReport } from '../../loadtest/report.js';
import { loadConsoleLines, thresholdLines } from '../../loadtest/console.js';
import { checkThresholds, recordedRun, type Threshold } from '../../loadtest/thresholds.js';

export interface LoadCommandInput {
  readonly suites: readonly Suite[];
  readonly world: EngineEnvironment;
  readonly limits: LoadLimits;
  readonly concurrency: number;
  readonly shard?: Shard;
  /** `--threshold`s: any breached fails the run (exit 1). */
  readonly thresholds?: readonly Threshold[];
  readonly reports: ReportRequest;
  readonly io: Io;
  readonly color: boolean;
  /** Masks secret literals in anything taken from spec text (step labels). */
  readonly redact: (text: string, file: string) => string;
  /**
   * What plays the sessions (default: `runLoad`; `serve --repeat` plays them as the server,
   * and says how many it played at once at most, the concurrency its clients chose).
   */
  readonly sessions?: (recorder: LoadRecorder) => Promise<LoadOutcome & { readonly concurrency?: number }>;
}

/** Progress on a terminal, at most this often. */
const PROGRESS_EVERY_MS = 1000;

export async function loadCommand(input: LoadCommandInput): Promise<number> {
  const { io, world, suites } = input;
  const reporters = await createReporters(input.reports, 'load', reporterContext(io, input.color, false, input.shard));
  const reports = createDispatcher(reporters);
  await reports.emit({ type: 'run-start', suites: suiteInfos(suites), startedAt: io.now() });
  const recorder = new LoadRecorder(world.clock);
  const progress = createProgressLine(io.stdout, io.isTTY);
  const ticker = io.isTTY ? setInterval(() => progress.status(progressText(recorder)), PROGRESS_EVERY_MS) : undefined;
  ticker?.unref();
  let outcome: LoadOutcome & { readonly concurrency?: number };
  try {
    outcome = await (input.sessions ?? ((r) => runLoad(suites, world, { concurrency: input.concurrency, ...input.limits, signal: io.signal }, r)))(recorder);
  } finally {
    if (ticker) clearInterval(ticker);
    progress.status(undefined);
  }
  const settings = { concurrency: outcome.concurrency ?? input.concurrency, ...input.limits, ...(input.shard ? { shard: input.shard } : {}) };
  // Histograms (encoded, so shards merge exactly) only for reporters: the table shows none.
  const checked = checkThresholds(input.thresholds ?? [], recordedRun(recorder, io.cwd, input.redact));
  const measured = loadReport({ recorder, outcome, settings, cwd: io.cwd, redact: input.redact, histograms: reporters.length > 0 });
  const report = checked.length > 0 ? { ...measured, thresholds: checked } : measured;
  const results = allResults(suites, recorder);

  const paint = createPalette(input.color);
  io.stdout.write(loadConsoleLines(report, paint).map((l) => `${l}\n`).join(''));
  io.stdout.write(thresholdLines(checked, paint).map((l) => `${l}\n`).join(''));
  await reports.emit({ type: 'load-end', statistics: report });
  await reports.emit({ type: 'run-end', results, summary: summarize(results, outcome.durationMs, outcome.interrupted) });
  // A report that cannot be written is said, and the others are still written.
  printReportFailures(reports.failures(), io);

  if (outcome.interrupted) return EXIT.interrupted;
  if (reports.failures().length > 0) return EXIT.invalid;
  const breached = checked.some((t) => !t.passed);
  return breached || report.sessions.failed + report.sessions.errored > 0 ? EXIT.failed : EXIT.ok;
}

/** One result per selected test, in declaration order: aggregates, and skipped tests as such. */
function allResults(suites: readonly Suite[], recorder: LoadRecorder): TestResult[] {
  const byTest = new Map(recorder.tests.map((t) => [t.test, t]));
  const results: TestResult[] = [];
  for (const suite of suites) {
    for (const test of suite.tests) {
      const load = byTest.get(test);
      if (load) results.push(aggregateResult(load));
      else if (test.skip) {
        results.push({ test: testInfo(suite, test), status: 'skipped', durationMs: 0, transcript: [], ...(test.skip.reason ? { skipReason: test.skip.reason } : {}) });
      }
    }
  }
  return results;
}

function progressText(recorder: LoadRecorder): string {
  let runs = 0;
  let bad = 0;
  for (const t of recorder.tests) {
    runs += t.runs;
    bad += t.failed + t.errored;
  }
  return `load: ${runs} sessions${bad > 0 ? `, ${bad} failed` : ''}…`;
}
