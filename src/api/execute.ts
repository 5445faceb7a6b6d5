/**
 * Running selected suites through the reporters, as `convospec run` and `run()` do: one
 * dispatcher feeds every reporter each event in order (report/dispatch.ts).
 */
import type { Suite } from '../kernel/model.js';
import type { EngineEnvironment } from '../engine/context.js';
import { runSuites, type RunOptions, type RunOutcome } from '../engine/run.js';
import { createDispatcher } from '../report/dispatch.js';
import type { Reporter } from '../report/types.js';

export interface Executed extends RunOutcome {
  /** Why each report that could not be written failed, one per reporter. */
  readonly reportFailures: readonly string[];
}

export async function executeRun(suites: readonly Suite[], world: EngineEnvironment, options: Omit<RunOptions, 'liveTranscripts'>, reporters: readonly Reporter[]): Promise<Executed> {
  const reports = createDispatcher(reporters);
  const outcome = await runSuites(suites, world, { ...options, liveTranscripts: reporters.some((r) => r.onTranscript !== undefined) }, reports.emit);
  return { ...outcome, reportFailures: reports.failures() };
}
