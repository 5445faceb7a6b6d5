/**
 * What `run` and `serve` share around the engine: saying which specs are invalid (through
 * the reporters, format §8), and the engine's world built from the real process.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { readBounded } from '../loader/bounded-file.js';
import type { LoadResult } from '../loader/load.js';
import { renderDiagnostics } from '../loader/render.js';
import type { EngineEnvironment } from '../engine/context.js';
import type { InvalidFile } from '../engine/events.js';
import type { Diagnostic } from '../kernel/diagnostic.js';
import { openConnection } from '../transport/index.js';
import { RegexCache } from '../template/index.js';
import { createReporters, type ReportRequest } from '../report/registry.js';
import { createDispatcher } from '../report/dispatch.js';
import type { ReporterContext } from '../report/types.js';
import { EXIT, type Io } from './io.js';
import { printReportFailures } from './reports.js';

/**
 * Invalid specs: nothing runs. The console reporter prints them (stderr), file reporters write
 * them (format §8), each message redacted of the file's literal secrets. Returns exit 2.
 */
export async function reportInvalidSpecs(
  diagnostics: readonly Diagnostic[],
  loaded: Pick<LoadResult, 'sources'>,
  redact: (text: string, file: string) => string,
  reports: ReportRequest,
  context: Omit<ReporterContext, 'outputPath'>,
  io: Io,
): Promise<number> {
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    const file = d.span.file;
    const safe: Diagnostic = { ...d, message: redact(d.message, file), ...(d.hint !== undefined ? { hint: redact(d.hint, file) } : {}) };
    byFile.set(d.span.file, [...(byFile.get(d.span.file) ?? []), safe]);
  }
  const invalid: InvalidFile[] = [...byFile].map(([file, list]) => ({
    file,
    diagnostics: list,
    rendered: renderDiagnostics(list, loaded.sources, { color: false, redact }),
  }));
  const dispatcher = createDispatcher(await createReporters(reports, 'run', context));
  await dispatcher.emit({ type: 'invalid-specs', files: invalid });
  printReportFailures(dispatcher.failures(), io);
  return EXIT.invalid;
}

/** The engine's world on the real process: its clock, randomness, files and sockets. */
export function engineWorld(
  io: Io,
  settings: Pick<EngineEnvironment, 'env' | 'cliVars' | 'insecure' | 'extraCa' | 'servername' | 'defaultTimeoutMs'>,
): EngineEnvironment {
  return {
    ...settings,
    clock: { now: () => performance.now() },
    now: io.now,
    randomBytes: (n) => randomBytes(n),
    sleep: (ms, signal) => delay(ms, undefined, { signal }),
    readFile: (path, kind) => readBounded(path, kind),
    openConnection,
    regexCache: new RegexCache(),
  };
}
