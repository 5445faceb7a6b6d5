/**
 * What to load: the command line's paths, directories and globs, turned into spec files.
 * Directories recurse to `*.yaml` / `*.yml`, skipping `node_modules` and dot-directories.
 * I/O at the edge: the file system is passed in.
 */
import { join, resolve } from 'node:path';
import type * as Tinyglobby from 'tinyglobby';
import type { Diagnostic, DiagnosticCode } from '../kernel/diagnostic.js';

export interface InputFs {
  /** 'file', 'dir', or undefined when nothing is there. */
  kind(path: string): 'file' | 'dir' | undefined;
  /** Names in a directory, with whether each is a directory. */
  list(dir: string): { name: string; dir: boolean }[];
}

export interface Inputs {
  /** Absolute paths, each once, in a stable order: inputs in the order given, files sorted within each. */
  readonly files: string[];
  /** The files named as such on the command line (not found in a folder or by a glob): always checked strictly. */
  readonly named: ReadonlySet<string>;
  readonly diagnostics: Diagnostic[];
}

const SPEC_FILE = /\.ya?ml$/i;
/** A deep tree of folders is a mistake (or a symlink loop); stop well before the stack does. */
const MAX_DEPTH = 32;

export async function expandInputs(inputs: readonly string[], cwd: string, fs: InputFs): Promise<Inputs> {
  const files: string[] = [];
  const named = new Set<string>();
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const add = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    files.push(path);
  };
  // The glob engine is loaded only for an input that is neither a file nor a folder: most
  // runs name files and folders, and start-up pays for every module it loads.
  let glob: typeof Tinyglobby | undefined;
  for (const input of inputs) {
    const abs = resolve(cwd, input);
    const kind = fs.kind(abs);
    if (kind === 'file') {
      named.add(abs);
      add(abs);
    }
    else if (kind === 'dir') walk(abs, fs, 0).sort().forEach(add);
    else if ((glob ??= await import('tinyglobby')).isDynamicPattern(input)) {
      const found = await glob.glob(input, { cwd, absolute: true, ignore: ['**/node_modules/**'], dot: false, onlyFiles: true });
      const specs = found.map((p) => resolve(p)).filter((p) => SPEC_FILE.test(p)).sort();
      if (specs.length === 0) diagnostics.push(inputProblem('input-no-match', input, `no spec file matches \`${input}\``));
      specs.forEach(add);
    } else diagnostics.push(inputProblem('input-missing', input, 'no such file or directory'));
  }
  return { files, named, diagnostics };
}

function walk(dir: string, fs: InputFs, depth: number): string[] {
  if (depth > MAX_DEPTH) return [];
  const out: string[] = [];
  for (const entry of fs.list(dir)) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.dir) out.push(...walk(path, fs, depth + 1));
    else if (SPEC_FILE.test(entry.name)) out.push(path);
  }
  return out;
}

/** A problem with an input itself: there is no source to point into, so line and col are 1. */
function inputProblem(code: DiagnosticCode, input: string, message: string): Diagnostic {
  return { code, span: { file: input, line: 1, col: 1, endLine: 1, endCol: 1 }, message };
}

