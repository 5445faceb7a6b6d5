/**
 * `convospec validate`: every error of every file in one pass; exit 0 or 2 (format §8).
 * The checking is `checkSpecs` (src/api/check.ts), shared with the `validate()` API.
 */
import { renderDiagnostics } from '../../loader/render.js';
import { checkSpecs } from '../../api/check.js';
import { EXIT, useColor, type Io } from '../io.js';
import { parseVars } from '../flags.js';

export async function validateCommand(paths: string[], flags: { var: string[] }, io: Io): Promise<number> {
  const vars = parseVars(flags.var);
  const { diagnostics, warnings, frames, files, suites, skipped, redact } = await checkSpecs(paths, { cwd: io.cwd, vars, env: io.env });
  // Other YAML a folder reached (docker-compose.yml…): said, so a spec skipped by mistake is seen.
  for (const display of skipped) io.stdout.write(`skipped (not a spec): ${display}\n`);
  if (files === 0) {
    io.stderr.write(`convospec: no spec found in ${paths.join(', ')}\n`);
    return EXIT.invalid;
  }
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
