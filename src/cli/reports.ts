/**
 * The report flags on the command line, for `run` and its load mode, all read from the
 * reporter map (`report/registry.ts`): the paths checked before the run, the flags load mode
 * refuses, the context every reporter gets, and the words for a report not written.
 */
import { resolve } from 'node:path';
import { checkOutputPath } from '../report/output-file.js';
import { createReporters, type ReportRequest } from '../report/registry.js';
import { createDispatcher } from '../report/dispatch.js';
import type { InvalidFile } from '../engine/events.js';
import type { ReporterContext, ReportFlag } from '../report/types.js';
import { EXIT, UsageError, type Io } from './io.js';
import type { Shard } from '../engine/shard.js';

/** Each report flag given, with its path and what the reporter declares of it, in map order. */
function givenFlags(request: ReportRequest): { readonly name: string; readonly flag: ReportFlag; readonly path: string | undefined }[] {
  return Object.entries(request.reporters).flatMap(([name, def]) => {
    const path = Object.hasOwn(request.paths, name) ? request.paths[name] : undefined;
    const on = path !== undefined || (request.on?.includes(name) ?? false);
    return def.flag !== undefined && on ? [{ name, flag: def.flag, path }] : [];
  });
}

/** Every output path must be writable before anything runs (exit 2, naming the path). */
export async function checkReportPaths(request: ReportRequest, cwd: string): Promise<void> {
  for (const { flag, path } of givenFlags(request)) {
    if (flag.output === undefined || path === undefined) continue;
    const problem = await checkOutputPath(resolve(cwd, path), flag.output);
    if (problem !== undefined) throw new UsageError(`${flag.name} ${path}: cannot write there: ${problem}`);
  }
}

/** What load mode refuses of the report flags given, as the usage errors to print. */
export function loadModeRefusals(request: ReportRequest): string[] {
  return givenFlags(request).flatMap(({ name, flag }) => {
    const use = request.reporters[name]!.loadMode;
    return typeof use === 'object' ? [`${flag.name} does not apply to load mode (${use.refused})`] : [];
  });
}

/** What every reporter of this command gets (file reporters their `outputPath` besides). */
export function reporterContext(io: Io, color: boolean, verbose: boolean, shard?: Shard): Omit<ReporterContext, 'outputPath'> {
  return { cwd: io.cwd, env: io.env, stdout: io.stdout, stderr: io.stderr, color, isTTY: io.isTTY, verbose, now: io.now, ...(shard !== undefined ? { shard } : {}) };
}

/** After the run: each report that could not be written, said once (exit 2). */
export function printReportFailures(failures: readonly string[], io: Io): void {
  for (const message of failures) {
    io.stderr.write(`convospec: ${message}; the other reports were written. Check the path and the free space (exit 2)\n`);
  }
}

/**
 * Invalid specs: nothing runs. The console reporter prints them (stderr), file reporters write
 * them (format §8); the diagnostics come redacted (api/load.ts `loadForRun`). Returns exit 2.
 */
export async function reportInvalidSpecs(invalid: readonly InvalidFile[], reports: ReportRequest, context: Omit<ReporterContext, 'outputPath'>, io: Io): Promise<number> {
  const dispatcher = createDispatcher(await createReporters(reports, 'run', context));
  await dispatcher.emit({ type: 'invalid-specs', files: invalid });
  printReportFailures(dispatcher.failures(), io);
  return EXIT.invalid;
}
