/** `convospec validate`: every error of every file in one pass; exit 0 or 2 (spec §8). */
import { loadSpecs } from '../../spec/load.js';
import { renderDiagnostics, secretRedactor } from '../../spec/render.js';
import { EXIT, useColor, type Io } from '../io.js';
import { parseVars } from '../flags.js';

export async function validateCommand(paths: string[], flags: { var: string[] }, io: Io): Promise<number> {
  const vars = parseVars(flags.var);
  // Environment variables are the run's business: validate checks the files alone.
  const loaded = await loadSpecs(paths, { cwd: io.cwd, vars, env: io.env, checkEnv: false });
  const files = loaded.sources.size;
  if (files === 0) {
    io.stderr.write(`convospec: no spec found in ${paths.join(', ')}\n`);
    return EXIT.invalid;
  }
  if (loaded.diagnostics.length === 0) {
    io.stdout.write(`${files} file${files === 1 ? '' : 's'} valid (${loaded.suites.length} spec${loaded.suites.length === 1 ? '' : 's'}, ${loaded.fragments.length} fragment${loaded.fragments.length === 1 ? '' : 's'})\n`);
    return EXIT.ok;
  }
  const redact = secretRedactor(loaded.secretLiterals ?? []);
  io.stderr.write(renderDiagnostics(loaded.diagnostics, loaded.sources, { color: useColor(io), redact }));
  const bad = new Set(loaded.diagnostics.map((d) => d.span.file)).size;
  io.stderr.write(`\n${loaded.diagnostics.length} error${loaded.diagnostics.length === 1 ? '' : 's'} in ${bad} of ${files} file${files === 1 ? '' : 's'}\n`);
  return EXIT.invalid;
}
