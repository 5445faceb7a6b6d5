/**
 * `convospec merge [--junit F] [--json F] [--tap F] … REPORT.json…`: the JSON reports of a
 * run's shards (or of one load run on several machines) as one run, written by the same
 * reporters as `run`: every reporter of the map with a file or folder flag, and the console. Exit as `run`
 * would have for the merged results (0, 1; a load run's `--threshold`s are checked against
 * the merged histograms), 2 when the reports cannot be read or merged, or
 * a report cannot be written (said after the others were written).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { mergeReports, MergeError, type NamedReport } from '../../merge/merge.js';
import { createDispatcher } from '../../report/dispatch.js';
import { createReporters, type ReportRequest } from '../../report/registry.js';
import { createPalette } from '../../report/colors.js';
import { loadConsoleLines, thresholdLines } from '../../loadtest/console.js';
import { checkThresholds, reportedRun } from '../../loadtest/thresholds.js';
import { parseThresholdFlags } from '../load-flags.js';
import { EXIT, UsageError, useColor, type Io } from '../io.js';
import { checkReportPaths, loadModeRefusals, printReportFailures, reporterContext } from '../reports.js';

export interface MergeFlags {
  /** The report flags given, by reporter. */
  readonly reports: ReportRequest;
  /** `--threshold`s, checked against the merged load statistics. */
  readonly threshold?: readonly string[];
  readonly color?: boolean;
}

async function readReport(file: string, io: Io): Promise<NamedReport> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message}`);
  }
  try {
    return { name: file, json: JSON.parse(text) as unknown };
  } catch (error) {
    throw new UsageError(`${file} is not JSON (${(error as Error).message}): give the files of --json`);
  }
}

export async function mergeCommand(files: readonly string[], flags: MergeFlags, io: Io): Promise<number> {
  // Checked when the command starts, as in `run`: that they bound a load run is known once read.
  const thresholds = parseThresholdFlags(flags.threshold, true);
  if (Object.keys(flags.reports.paths).length === 0 && thresholds.length === 0) {
    const names = Object.values(flags.reports.reporters).flatMap((d) => (d.flag !== undefined ? [d.flag.name] : []));
    throw new UsageError(`merge writes nothing without a report flag: add ${names.join(', ')} (or check --threshold alone)`);
  }
  await checkReportPaths(flags.reports, io.cwd);
  const inputs = await Promise.all(files.map((f) => readReport(f, io)));
  let merged;
  try {
    merged = mergeReports(inputs, io.cwd);
  } catch (error) {
    if (error instanceof MergeError) throw new UsageError(error.message);
    throw error;
  }
  // What load mode refuses (`--transcripts`: none is kept) it refuses here too.
  if (merged.load !== undefined) {
    const [refused] = loadModeRefusals(flags.reports);
    if (refused !== undefined) throw new UsageError(`${refused}: these are load reports`);
  }
  if (thresholds.length > 0 && merged.load === undefined) {
    throw new UsageError('--threshold bounds a load run: these are reports of runs without --repeat/--duration');
  }
  for (const warning of merged.warnings) io.stderr.write(`convospec: ${warning}\n`);
  const checked = merged.load !== undefined ? checkThresholds(thresholds, reportedRun(merged.load)) : [];
  const load = merged.load !== undefined && checked.length > 0 ? { ...merged.load, thresholds: checked } : merged.load;

  const color = flags.color ?? useColor(io);
  const reporters = await createReporters(flags.reports, merged.load !== undefined ? 'load' : 'run', reporterContext(io, color, false));
  const reports = createDispatcher(reporters);
  if (merged.invalid.length > 0) {
    await reports.emit({ type: 'invalid-specs', files: merged.invalid });
    io.stderr.write(`convospec: the reports say ${merged.invalid.length} spec file(s) did not load: nothing ran\n`);
    printReportFailures(reports.failures(), io);
    return EXIT.invalid;
  }
  await reports.emit({ type: 'run-start', suites: merged.suites, startedAt: merged.startedAt });
  if (load !== undefined) {
    await reports.emit({ type: 'load-end', statistics: load });
  } else {
    for (const result of merged.results) await reports.emit({ type: 'test-end', result });
  }
  await reports.emit({ type: 'run-end', results: merged.results, summary: merged.summary });

  const paint = createPalette(color);
  if (load !== undefined) io.stdout.write([...loadConsoleLines(load, paint), ...thresholdLines(checked, paint)].map((l) => `${l}\n`).join(''));
  const { summary } = merged;
  const counts = [`${summary.passed} passed`, `${summary.failed} failed`, `${summary.errored} errored`, `${summary.skipped} skipped`, ...((summary.xfailed ?? 0) > 0 ? [`${summary.xfailed} xfailed`] : [])];
  io.stdout.write(`merged ${files.length} report${files.length > 1 ? 's' : ''}: ${merged.results.length} tests, ${counts.join(', ')}${summary.interrupted ? ' (interrupted)' : ''}\n`);
  printReportFailures(reports.failures(), io);
  if (reports.failures().length > 0) return EXIT.invalid;
  const breached = checked.some((t) => !t.passed);
  return breached || summary.failed + summary.errored > 0 ? EXIT.failed : EXIT.ok;
}
