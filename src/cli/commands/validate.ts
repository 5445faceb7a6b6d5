/**
 * `convospec validate`: every error of every file in one pass; exit 0 or 2 (format §8).
 * Files are checked one by one (`loadEach`): only their diagnostics, and the source lines
 * those point at, are kept, so memory does not grow with the number of specs.
 */
import type { Diagnostic } from '../../kernel/diagnostic.js';
import { finishDiagnostics, loadEach } from '../../loader/load.js';
import { FrameLines, renderDiagnostics } from '../../loader/render.js';
import { fileRedactor } from '../../loader/secrets.js';
import { EXIT, useColor, type Io } from '../io.js';
import { parseVars } from '../flags.js';

export async function validateCommand(paths: string[], flags: { var: string[] }, io: Io): Promise<number> {
  const vars = parseVars(flags.var);
  const found: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const frames = new FrameLines();
  const count = { files: 0, suites: 0 };
  const skipped: string[] = [];
  // Environment variables are the run's business: validate checks the files alone.
  const { secretLiteralsByFile } = await loadEach(paths, { cwd: io.cwd, vars, env: io.env, checkEnv: false }, {
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
  const { files, suites } = count;
  // Other YAML a folder reached (docker-compose.yml…): said, so a spec skipped by mistake is seen.
  for (const display of skipped) io.stdout.write(`skipped (not a spec): ${display}\n`);
  if (files === 0) {
    io.stderr.write(`convospec: no spec found in ${paths.join(', ')}\n`);
    return EXIT.invalid;
  }
  const diagnostics = finishDiagnostics(found);
  // Each file's literal secrets hide its own values, never paths or keys (docs/format.md §7).
  const shownPaths = [...diagnostics, ...warnings].flatMap((d) => [d.span.file, ...(d.includedFrom ?? []).map((s) => s.file)]);
  const redact = fileRedactor(secretLiteralsByFile, shownPaths);
  // Warnings leave the files valid (docs/format.md §7: short secrets).
  if (warnings.length > 0) io.stderr.write(`${renderDiagnostics(warnings, frames, { color: useColor(io), redact })}\n`);
  if (diagnostics.length === 0) {
    // Every file read is a spec or a fragment, named on the command line or reached by an
    // `include`: counting only the named fragments said "2 files valid (1 spec, 0 fragments)".
    const fragments = files - suites;
    io.stdout.write(`${files} file${files === 1 ? '' : 's'} valid (${suites} spec${suites === 1 ? '' : 's'}, ${fragments} fragment${fragments === 1 ? '' : 's'})\n`);
    return EXIT.ok;
  }
  io.stderr.write(renderDiagnostics(diagnostics, frames, { color: useColor(io), redact }));
  const bad = new Set(diagnostics.map((d) => d.span.file)).size;
  io.stderr.write(`\n${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'} in ${bad} of ${files} file${files === 1 ? '' : 's'}\n`);
  return EXIT.invalid;
}
