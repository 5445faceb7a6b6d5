/**
 * `validate()`: `convospec validate` as a function: every problem of every file, as data.
 * Specs come from the disk (paths, folders, globs) or from memory (`{ files }`: an editor's
 * buffers, generated specs), where an `include` reads the other files given.
 */
import { dirname, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../kernel/diagnostic.js';
import type { InputFs } from '../loader/inputs.js';
import { renderDiagnostics } from '../loader/render.js';
import { checkSpecs, redactDiagnostic } from './check.js';

export interface ValidateOptions {
  /** Where relative paths resolve, and what diagnostics' paths are shown relative to. Default: `process.cwd()`. */
  readonly cwd?: string;
  /** Variables given at run time (`--var`): they count as known. */
  readonly vars?: Readonly<Record<string, string>>;
  /** The environment, for what `validate` reads of it (default values of secrets). Default: empty. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Specs held in memory: path (relative to `cwd`, or absolute) → YAML text. */
export interface InMemorySpecs {
  readonly files: Readonly<Record<string, string>>;
}

export interface ValidateResult {
  /** No error, and at least one spec or fragment read. */
  readonly ok: boolean;
  /** Every error, sorted by file, line and column; secrets as `***`. */
  readonly diagnostics: readonly Diagnostic[];
  /** Warnings: shown, the files stay valid. */
  readonly warnings: readonly Diagnostic[];
  /** Files read: specs and fragments, `include`d ones too. */
  readonly files: number;
  /** Of those, the spec files that are valid. */
  readonly specs: number;
  /** YAML a folder or glob reached that is no spec (docker-compose.yml…), skipped. */
  readonly skipped: readonly string[];
  /** Errors then warnings as `convospec validate` prints them (code frames, no colour); empty when none. */
  readonly text: string;
}

export async function validate(input: string | readonly string[] | InMemorySpecs, options: ValidateOptions = {}): Promise<ValidateResult> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const base = { cwd, vars: options.vars ?? {}, env: options.env ?? {} };
  const checked = isInMemory(input)
    ? await checkSpecs(Object.keys(input.files), { ...base, ...memoryFiles(input.files, cwd) })
    : await checkSpecs(typeof input === 'string' ? [input] : input, base);
  const { frames, redact } = checked;
  const diagnostics = checked.diagnostics.map((d) => redactDiagnostic(d, redact));
  const warnings = checked.warnings;
  const text = [diagnostics, warnings]
    .filter((list) => list.length > 0)
    .map((list) => renderDiagnostics(list, frames, { color: false, redact }))
    .join('\n');
  return {
    ok: diagnostics.length === 0 && checked.files > 0,
    diagnostics,
    warnings,
    files: checked.files,
    specs: checked.suites,
    skipped: checked.skipped,
    text,
  };
}

function isInMemory(input: string | readonly string[] | InMemorySpecs): input is InMemorySpecs {
  return typeof input === 'object' && !Array.isArray(input) && 'files' in input;
}

/** The loader's file access over `files`: what is not there does not exist. */
function memoryFiles(files: Readonly<Record<string, string>>, cwd: string): { fs: InputFs; readFile: (path: string) => string } {
  const texts = new Map(Object.entries(files).map(([path, text]) => [resolve(cwd, path), text]));
  const folders = new Set<string>();
  for (const path of texts.keys()) for (let dir = dirname(path); !folders.has(dir) && dir !== dirname(dir); dir = dirname(dir)) folders.add(dir);
  const fs: InputFs = {
    kind: (path) => (texts.has(path) ? 'file' : folders.has(path) ? 'dir' : undefined),
    list: (dir) => {
      const names = new Map<string, boolean>();
      for (const path of [...texts.keys(), ...folders]) {
        const rel = relative(dir, path);
        if (rel === '' || rel.startsWith('..') || rel.includes(sep)) continue;
        names.set(rel, folders.has(path));
      }
      return [...names].map(([name, isDir]) => ({ name, dir: isDir }));
    },
  };
  const readFile = (path: string): string => {
    const text = texts.get(resolve(path));
    if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
    return text;
  };
  return { fs, readFile };
}
