/**
 * `convospec run --repeat N | --duration D [--rate R/s]`: the load run after `run` has
 * loaded, selected and sharded the specs. Console table, `--junit` (one test case per
 * test, with `runs`/`failedRuns`), `--json` (the usual report plus a `load` section).
 * Exit 1 if any session failed, 130 if interrupted (docs/load.md).
 */
import { resolve } from 'node:path';
import type { Suite } from '../../kernel/model.js';
import type { EngineEnvironment } from '../../engine/context.js';
import type { TestResult } from '../../engine/events.js';
import { runLoad } from '../../engine/load.js';
import { suiteInfos, summarize } from '../../engine/run.js';
import type { Shard } from '../../engine/shard.js';
import { testInfo } from '../../engine/test-run.js';
import { createPalette } from '../../report/colors.js';
import { createProgressLine } from '../../report/progress.js';
import { REPORTERS } from '../../report/registry.js';
import { ReportWriteError, writeReportFile } from '../../report/output-file.js';
import { completeRun } from '../../report/unfinished.js';
import { EXIT, type Io } from '../io.js';
import type { LoadLimits } from '../load-flags.js';
import { LoadRecorder, aggregateResult } from '../../loadtest/stats.js';
import { loadReport, type LoadReport } from '../../loadtest/report.js';
import { loadConsoleLines } from '../../loadtest/console.js';

export interface LoadCommandInput {
  readonly suites: readonly Suite[];
  readonly world: EngineEnvironment;
  readonly limits: LoadLimits;
  readonly concurrency: number;
  readonly shard?: Shard;
  readonly junit?: string;
  readonly json?: string;
  readonly io: Io;
  readonly color: boolean;
  /** Masks secret literals in anything taken from spec text (step labels). */
  readonly redact: (text: string, file: string) => string;
}

/** Progress on a terminal, at most this often. */
const PROGRESS_EVERY_MS = 1000;

export async function loadCommand(input: LoadCommandInput): Promise<number> {
  const { io, world, suites } = input;
  const startedAt = io.now();
  const recorder = new LoadRecorder(world.clock);
  const progress = createProgressLine(io.stdout, io.isTTY);
  const ticker = io.isTTY ? setInterval(() => progress.status(progressText(recorder)), PROGRESS_EVERY_MS) : undefined;
  ticker?.unref();
  let outcome;
  try {
    outcome = await runLoad(suites, world, { concurrency: input.concurrency, ...input.limits, signal: io.signal }, recorder);
  } finally {
    if (ticker) clearInterval(ticker);
    progress.status(undefined);
  }
  const settings = { concurrency: input.concurrency, ...input.limits, ...(input.shard ? { shard: input.shard } : {}) };
  const report = loadReport({ recorder, outcome, settings, cwd: io.cwd, redact: input.redact, histograms: input.json !== undefined });
  const results = allResults(suites, recorder);
  const summary = summarize(results, outcome.durationMs, outcome.interrupted);

  io.stdout.write(loadConsoleLines(report, createPalette(input.color)).map((l) => `${l}\n`).join(''));
  // A report that cannot be written is said, and the other one is still written.
  const missing: string[] = [];
  const attempt = async (write: () => Promise<void>): Promise<void> => {
    try {
      await write();
    } catch (error) {
      if (!(error instanceof ReportWriteError)) throw error;
      missing.push(error.message);
    }
  };
  if (input.junit !== undefined) {
    const junit = (await REPORTERS.junit!())({ ...reporterBase(input), outputPath: resolve(io.cwd, input.junit) });
    await attempt(async () => {
      await junit.onRunStart?.(suiteInfos(suites), startedAt);
      await junit.onRunEnd?.(results, summary);
    });
  }
  const json = input.json;
  if (json !== undefined) await attempt(() => writeJson(resolve(io.cwd, json), suites, results, summary, startedAt, report, io.cwd));
  for (const message of missing) io.stderr.write(`convospec: ${message}; the other reports were written. Check the path and the free space (exit 2)\n`);

  if (outcome.interrupted) return EXIT.interrupted;
  if (missing.length > 0) return EXIT.invalid;
  return report.sessions.failed + report.sessions.errored > 0 ? EXIT.failed : EXIT.ok;
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

/** The usual JSON report (docs/json-report.md), with the load statistics added under `load`. */
async function writeJson(
  file: string,
  suites: readonly Suite[],
  results: readonly TestResult[],
  summary: ReturnType<typeof summarize>,
  startedAt: Date,
  load: LoadReport,
  cwd: string,
): Promise<void> {
  const { jsonReport } = await import('../../report/json.js');
  const infos = suiteInfos(suites);
  const report = { ...jsonReport({ suites: infos, ...completeRun(infos, results, summary), startedAt, cwd }), load };
  await writeReportFile(file, `${JSON.stringify(report, null, 2)}\n`);
}

function reporterBase(input: LoadCommandInput) {
  const { io } = input;
  return { cwd: io.cwd, stdout: io.stdout, stderr: io.stderr, color: input.color, isTTY: io.isTTY, verbose: false, now: io.now };
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
