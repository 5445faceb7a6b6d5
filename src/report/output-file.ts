/** Where file reporters write, and how. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { InvalidFile, RunSummary, SuiteInfo, TestResult } from '../engine/events.js';
import type { Reporter, ReporterContext } from './types.js';

/** The resolved `outputPath`; a file reporter without one is a wiring bug, said at creation. */
export function requireOutputPath(context: ReporterContext, reporter: string): string {
  if (context.outputPath === undefined || context.outputPath === '') {
    throw new Error(`the ${reporter} reporter needs an output path`);
  }
  return path.resolve(context.cwd, context.outputPath);
}

/** Writes `text` to `file`, creating its parent folders. */
export async function writeReportFile(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text, 'utf8');
}

/** What a file reporter renders at the end of a run that ran. */
export interface RunOutput {
  readonly suites: readonly SuiteInfo[];
  readonly results: readonly TestResult[];
  readonly summary: RunSummary;
  readonly startedAt: Date;
  readonly cwd: string;
}

export interface FileRendering {
  run(output: RunOutput): string;
  invalid(files: readonly InvalidFile[], cwd: string, at: Date): string;
}

/**
 * A reporter that writes one file, once: the run's report when it ends, or the invalid
 * specs' report when nothing ran (spec §8). JUnit and JSON differ only in `render`.
 */
export function createFileReporter(context: ReporterContext, name: string, render: FileRendering): Reporter {
  const target = requireOutputPath(context, name);
  let suites: readonly SuiteInfo[] = [];
  let startedAt: Date | undefined;
  return {
    onRunStart(declared, at) {
      suites = declared;
      startedAt = at;
    },
    async onRunEnd(results, summary) {
      const at = startedAt ?? new Date(context.now().getTime() - summary.durationMs);
      await writeReportFile(target, render.run({ suites, results, summary, startedAt: at, cwd: context.cwd }));
    },
    async onInvalidSpecs(files) {
      await writeReportFile(target, render.invalid(files, context.cwd, context.now()));
    },
  };
}
