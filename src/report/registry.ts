/**
 * Reporters by name. Each entry imports its module only when called, so the engine and
 * the CLI never load a reporter nobody asked for (start-up stays fast).
 */
import type { ReporterFactory } from './types.js';

export const REPORTERS: Record<string, () => Promise<ReporterFactory>> = {
  /** Results on stdout, diagnostics on stderr; progress on a TTY; `verbose` prints transcripts. */
  console: async () => (await import('./console.js')).createConsoleReporter,
  /** JUnit XML at `outputPath` (format §8). */
  junit: async () => (await import('./junit.js')).createJunitReporter,
  /** Versioned JSON at `outputPath` (docs/json-report.md). */
  json: async () => (await import('./json.js')).createJsonReporter,
  /** One transcript file per test under the directory `outputPath`. */
  transcripts: async () => (await import('./transcripts.js')).createTranscriptsReporter,
};

/** The factory for `name`, or an error listing the known names. */
export async function loadReporter(name: string): Promise<ReporterFactory> {
  const load = Object.hasOwn(REPORTERS, name) ? REPORTERS[name] : undefined;
  if (load === undefined) {
    throw new Error(`unknown reporter "${name}"; known: ${Object.keys(REPORTERS).join(', ')}`);
  }
  return load();
}
