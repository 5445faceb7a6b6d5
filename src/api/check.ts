/**
 * Checking specs without running them, as `convospec validate` and `validate()` do: every
 * file one by one (`loadEach`), keeping only the diagnostics and the source lines they point
 * at, so memory does not grow with the number of specs.
 */
import type { Diagnostic } from '../kernel/diagnostic.js';
import { finishDiagnostics, loadEach, type LoadOptions } from '../loader/load.js';
import { FrameLines } from '../loader/render.js';
import { fileRedactor, type FileRedact } from '../loader/secrets.js';

export interface Checked {
  /** Errors, each once, sorted by file, line and column; not yet redacted (see `redact`). */
  readonly diagnostics: Diagnostic[];
  /** Warnings (`severity: 'warning'`): the files stay valid. */
  readonly warnings: Diagnostic[];
  /** The source lines the diagnostics point at, for code frames. */
  readonly frames: FrameLines;
  /** Files read: specs and fragments, named or reached by an `include`. */
  readonly files: number;
  /** Of those, the spec files. */
  readonly suites: number;
  /** YAML a folder or glob reached that is no spec (docker-compose.yml…), by display path. */
  readonly skipped: string[];
  /** Each file's literal secrets → `***` in what is shown of that file (docs/format.md §7). */
  readonly redact: FileRedact;
}

/** Environment variables are the run's business: a check looks at the files alone (`checkEnv: false`). */
export async function checkSpecs(paths: readonly string[], options: Omit<LoadOptions, 'checkEnv'>): Promise<Checked> {
  const found: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const frames = new FrameLines();
  const count = { files: 0, suites: 0 };
  const skipped: string[] = [];
  const { secretLiteralsByFile } = await loadEach(paths, { ...options, checkEnv: false }, {
    read: () => {
      count.files += 1;
    },
    suite: () => {
      count.suites += 1;
    },
    skipped: (display) => {
      count.files -= 1;
      skipped.push(display);
    },
    problems: (list, source) => {
      for (const d of list) found.push(d);
      frames.keep(list, source);
    },
    warnings: (list, source) => {
      for (const d of list) warnings.push(d);
      frames.keep(list, source);
    },
  });
  const diagnostics = finishDiagnostics(found);
  const shownPaths = [...diagnostics, ...warnings].flatMap((d) => [d.span.file, ...(d.includedFrom ?? []).map((s) => s.file)]);
  const redact = fileRedactor(secretLiteralsByFile, shownPaths);
  return { diagnostics, warnings, frames, files: count.files, suites: count.suites, skipped, redact };
}

/** `d` with its file's literal secrets hidden in its message and hint. */
export function redactDiagnostic(d: Diagnostic, redact: FileRedact): Diagnostic {
  const file = d.span.file;
  return { ...d, message: redact(d.message, file), ...(d.hint !== undefined ? { hint: redact(d.hint, file) } : {}) };
}
