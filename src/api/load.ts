/**
 * Loading for a run, as `convospec run` and `run()` do: every file first (nothing connects if
 * any is invalid, format §8), and the invalid ones as reporters take them.
 */
import type { Diagnostic } from '../kernel/diagnostic.js';
import type { InvalidFile } from '../engine/events.js';
import { loadSpecs, type LoadOptions, type LoadResult } from '../loader/load.js';
import { renderDiagnostics } from '../loader/render.js';
import { fileRedactor, type FileRedact } from '../loader/secrets.js';
import { redactDiagnostic } from './check.js';

export interface LoadedRun {
  readonly loaded: LoadResult;
  /** Each file's literal secrets hide its own values, never paths or keys (docs/format.md §7). */
  readonly redact: FileRedact;
  /** The files that did not load, their diagnostics redacted, by file (empty: all loaded). */
  readonly invalid: InvalidFile[];
}

/** `more`: a command's own checks of the loaded specs (serve's: every `s:` can be sent), invalid like the loader's. */
export async function loadForRun(
  paths: readonly string[],
  options: Pick<LoadOptions, 'cwd' | 'vars' | 'env'>,
  more: (loaded: LoadResult) => readonly Diagnostic[] = () => [],
): Promise<LoadedRun> {
  const loaded = await loadSpecs(paths, options);
  const redact = fileRedactor(loaded.secretLiteralsByFile, loaded.sources.keys());
  return { loaded, redact, invalid: invalidFiles([...loaded.diagnostics, ...more(loaded)], loaded, redact) };
}

/** Diagnostics by file, redacted and rendered as reporters take them (`invalid-specs`). */
function invalidFiles(diagnostics: readonly Diagnostic[], loaded: Pick<LoadResult, 'sources'>, redact: FileRedact): InvalidFile[] {
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) byFile.set(d.span.file, [...(byFile.get(d.span.file) ?? []), redactDiagnostic(d, redact)]);
  return [...byFile].map(([file, list]) => ({
    file,
    diagnostics: list,
    rendered: renderDiagnostics(list, loaded.sources, { color: false, redact }),
  }));
}
