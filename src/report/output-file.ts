/** Where file reporters write, and how. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReporterContext } from './types.js';

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
