import { fileURLToPath } from 'node:url';
import { loadSpecs, type LoadOptions, type LoadResult } from '../../src/loader/load.js';
import { renderDiagnostics } from '../../src/loader/render.js';
import { fileRedactor } from '../../src/loader/secrets.js';

/** test/fixtures/spec/, the cwd of every fixture load (so paths read `invalid/x.yaml`). */
export const FIXTURES = fileURLToPath(new URL('../fixtures/spec/', import.meta.url));

export function load(inputs: string[], options: Partial<LoadOptions> = {}): Promise<LoadResult> {
  return loadSpecs(inputs, { cwd: FIXTURES, vars: {}, env: {}, checkEnv: true, ...options });
}

/** What `convospec validate` would print for these diagnostics, without colour. */
export function rendered(result: LoadResult): string {
  return renderDiagnostics(result.diagnostics, result.sources, { color: false, redact: fileRedactor(result.secretLiteralsByFile, result.sources.keys()) });
}
