/**
 * Where file reporters write, and how: every report file is written to a temporary file in
 * its own folder, then renamed over its name, so a run killed mid-write, or two runs writing
 * the same path, never leave a truncated or mixed file. The paths are checked before the run
 * (`checkOutputPath`), so a typo costs nothing; a write that fails later is a
 * `ReportWriteError`, said in words, and the other reports are still written.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { InvalidFile, RunSummary, SuiteInfo, TestResult } from '../engine/events.js';
import { completeRun } from './unfinished.js';
import type { LoadStatistics, Reporter, ReporterContext } from './types.js';

/** The resolved `outputPath`; a file reporter without one is a wiring bug, said at creation. */
export function requireOutputPath(context: ReporterContext, reporter: string): string {
  if (context.outputPath === undefined || context.outputPath === '') {
    throw new Error(`the ${reporter} reporter needs an output path`);
  }
  return path.resolve(context.cwd, context.outputPath);
}

/** A report that could not be written: the message names the file and the reason. */
export class ReportWriteError extends Error {
  override name = 'ReportWriteError';
}

/** Node's error codes in words; anything else keeps Node's message. */
const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'a folder on the way cannot be created',
  EEXIST: 'a file is in the way',
  EMFILE: 'too many open files (raise `ulimit -n`)',
};

/** Why a file could not be written, in words (Node's error code, else its message). */
export function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code !== undefined ? REASONS[code] : undefined) ?? (error instanceof Error ? error.message : String(error));
}

/** Folders from the root down to `dir`: at most one `mkdir` each, never a recursive one (it spins for ever under /proc on Node 20). */
async function ensureFolder(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = dir; ; at = path.dirname(at)) {
    const found = await stat(at).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (found !== undefined) {
      if (!found.isDirectory()) throw Object.assign(new Error(`${at} is a file`), { code: 'ENOTDIR' });
      break;
    }
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const folder of missing) {
    await mkdir(folder).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST' || !(await stat(folder)).isDirectory()) throw error;
    });
  }
}

/** `.junit.xml.1234-9f3a….tmp` beside `file`: the same folder, so the rename is atomic. */
function temporaryName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `text` to a new temporary file beside `file`, then renames it over `file`. */
async function replaceFile(file: string, text: string): Promise<void> {
  await ensureFolder(path.dirname(file));
  const existing = await lstat(file).catch(() => undefined);
  if (existing !== undefined && !existing.isFile()) {
    throw Object.assign(new Error(`${file} is not a regular file`), { code: existing.isDirectory() ? 'EISDIR' : 'ENOTREG' });
  }
  const temporary = temporaryName(file);
  try {
    const handle = await open(temporary, 'wx', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

const NOT_REGULAR = 'it is not a regular file (a report is written to a temporary file and renamed over its name)';

/** Writes a report file atomically; a failure is a `ReportWriteError` naming `file`. */
export async function writeReportFile(file: string, text: string): Promise<void> {
  try {
    await replaceFile(file, text);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOTREG' ? NOT_REGULAR : reason(error);
    throw new ReportWriteError(`cannot write ${file}: ${why}`, { cause: error });
  }
}

export type OutputKind = 'file' | 'folder';

/**
 * Whether a report can be written at `target` (resolved), checked before anything runs: its
 * folders are created and a temporary file is written there and removed. Returns what is
 * wrong, in words, or undefined.
 */
export async function checkOutputPath(target: string, kind: OutputKind): Promise<string | undefined> {
  const folder = kind === 'file' ? path.dirname(target) : target;
  try {
    const existing = await lstat(target).catch(() => undefined);
    if (existing !== undefined) {
      if (kind === 'file' && existing.isDirectory()) return 'it is a folder: give a file name';
      if (kind === 'file' && !existing.isFile()) return NOT_REGULAR;
      if (kind === 'folder' && !existing.isDirectory()) return 'it is a file: give a folder';
    }
    await replaceFile(path.join(folder, `.convospec-probe-${process.pid}`), '');
    await rm(path.join(folder, `.convospec-probe-${process.pid}`), { force: true });
    return undefined;
  } catch (error) {
    return reason(error);
  }
}

/** What a file reporter renders at the end of a run that ran. */
export interface RunOutput {
  readonly suites: readonly SuiteInfo[];
  readonly results: readonly TestResult[];
  readonly summary: RunSummary;
  readonly startedAt: Date;
  readonly cwd: string;
  /** Load mode's statistics (a load run only). */
  readonly load?: LoadStatistics;
  /** `--shard i/n` of the run. */
  readonly shard?: { readonly index: number; readonly count: number };
}

export interface FileRendering {
  run(output: RunOutput): string;
  invalid(files: readonly InvalidFile[], cwd: string, at: Date): string;
}

/**
 * A reporter that writes one file, once: the run's report when it ends, or the invalid
 * specs' report when nothing ran (format §8). JUnit and JSON differ only in `render`. An
 * interrupted run's unfinished tests are in it as interrupted (`completeRun`); a load run's
 * statistics are handed to `render`.
 */
export function createFileReporter(context: ReporterContext, name: string, render: FileRendering): Reporter {
  const target = requireOutputPath(context, name);
  let suites: readonly SuiteInfo[] = [];
  let startedAt: Date | undefined;
  let load: LoadStatistics | undefined;
  return {
    onRunStart(declared, at) {
      suites = declared;
      startedAt = at;
    },
    onLoadEnd(statistics) {
      load = statistics;
    },
    async onRunEnd(results, summary) {
      const at = startedAt ?? new Date(context.now().getTime() - summary.durationMs);
      const complete = completeRun(suites, results, summary);
      const extra = { ...(load !== undefined ? { load } : {}), ...(context.shard !== undefined ? { shard: context.shard } : {}) };
      await writeReportFile(target, render.run({ suites, ...complete, startedAt: at, cwd: context.cwd, ...extra }));
    },
    async onInvalidSpecs(files) {
      await writeReportFile(target, render.invalid(files, context.cwd, context.now()));
    },
  };
}
