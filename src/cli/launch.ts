#!/usr/bin/env -S node --
/**
 * The `convospec` command (package.json `bin`, built to dist/cli/main.js): it starts the
 * program, the bundle dist/cli/convospec-<hash>.cjs built from main.ts, with a V8 code cache.
 *
 * Why: Node 20 compiles every file of a program again at every start (Node 22's
 * `module.enableCompileCache()` is what this does by hand). A `convospec run` of one spec spent
 * about half of its own start-up compiling.
 * Here the bundle is compiled as one script whose code V8 serializes at the end of a run; the
 * next run of the same command deserializes it instead of compiling.
 *
 * The cache lives beside the program, in the installed package's own folder (dist/cli/): one
 * file per Node version, architecture and command. A code cache is code: V8 checks only its
 * version, its flags and the LENGTH of the source it was made for, so a cache made from
 * another script of the same length runs that script instead of convospec. Beside the
 * program it is no more trusted than the program itself: whoever can write it can already
 * replace convospec. A cache in the user's cache folder (or one restored by a CI cache from
 * another branch) would be trusted more than the code. So a cache is used only when it sits
 * in the program's folder, is owned by the program's owner, and is writable by nobody the
 * program is not writable by; it is written only where the user can write the program's
 * folder (a package installed by root for everyone starts without one).
 * `CONVOSPEC_DISABLE_COMPILE_CACHE=1` turns it off. V8 refuses a cache made by another V8
 * or with other flags; a refused or unreadable cache is made again. A cache that cannot be
 * written is not an error: the program just starts as without one. Nothing here writes to
 * stdout, nor to stderr but for a broken install.
 *
 * Its first line starts Node with `--`: Node 20 reads `--env-file` anywhere on its command
 * line before a `--`, convospec's own arguments included (src/cli/node-env-file.ts).
 *
 * This file imports only Node's own modules: it is built apart from the program (see
 * rolldown.config.mjs) and must stay small.
 */
import { lstatSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { REGEXP_FLAGS } from './regexp-flags.js';
import { Script } from 'node:vm';

/** The program bundle's file name: its content hash is part of it (rolldown `[hash]`). */
const PROGRAM = /^convospec-[\w-]+\.cjs$/;
/** Write bits for group and others. */
const SHARED_WRITE = 0o022;
/** Subcommands with a cache of their own: each compiles different code. */
const COMMANDS = new Set(['run', 'validate', 'demo', 'import', 'schema']);


/**
 * Node's own modules that the program loads as it starts, loaded here before the flags change.
 * V8 takes Node's built-in code cache only under the flags it was made with, so a Node module
 * loaded after the change is compiled from its source: the ~40 the program loads added ~16 ms
 * to every start. Loaded first, they come from the cache as before. A module this list misses
 * is no error, only slower to load (list made from `process.moduleLoadList` after a `run`).
 */
const PRELOADED = ['node:crypto', 'node:net', 'node:tls', 'node:child_process', 'node:fs/promises', 'node:timers/promises', 'node:stream/consumers', 'node:perf_hooks'];

const requireBuiltin = createRequire(import.meta.url);
for (const id of PRELOADED) requireBuiltin(id);
for (const flag of REGEXP_FLAGS) setFlagsFromString(flag);

const here = dirname(fileURLToPath(import.meta.url));
const name = readdirSync(here).find((file) => PROGRAM.test(file));
if (name === undefined) {
  process.stderr.write(`convospec: the program (convospec-*.cjs) is missing beside ${here}: a broken install, or run \`npm run build\`\n`);
  process.exitCode = 1;
} else {
  const program = join(here, name);
  if (cacheDisabled(process.env)) createRequire(program)(program);
  else startCached(program, join(here, cacheName(name, process.argv[2])));
}

function cacheDisabled(env: NodeJS.ProcessEnv): boolean {
  return env.CONVOSPEC_DISABLE_COMPILE_CACHE !== undefined && env.CONVOSPEC_DISABLE_COMPILE_CACHE !== '';
}

/** `convospec-<hash>.run.node20.20.2-x64.v8cache`: what V8 checks too, in the name. */
function cacheName(programName: string, command: string | undefined): string {
  const kind = command !== undefined && COMMANDS.has(command) ? command : 'other';
  return `${programName.slice(0, -'.cjs'.length)}.${kind}.node${process.versions.node}-${process.arch}.v8cache`;
}

/**
 * The cache, if it is no more open to others than the program: the same owner, and not
 * writable by group or others unless the program is too. Otherwise undefined (and replaced).
 */
function trustedCache(cacheFile: string, program: string): Buffer | undefined {
  try {
    const cache = lstatSync(cacheFile);
    const code = statSync(program);
    if (!cache.isFile() || cache.uid !== code.uid || (cache.mode & SHARED_WRITE & ~code.mode) !== 0) return undefined;
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

/**
 * Runs the bundle as Node runs a CommonJS file (same wrapper, same `require` for its
 * dependencies), from the cached code when V8 takes it; writes the cache at exit otherwise.
 */
function startCached(file: string, cacheFile: string): void {
  const cached = trustedCache(cacheFile, file);
  // Node's own CommonJS wrapper. On the first line, and that line's columns shifted back, so
  // positions in stack traces are the file's (and its source map's).
  const wrapper = '(function (exports, require, module, __filename, __dirname) { ';
  const source = `${wrapper}${readFileSync(file, 'utf8')}\n})`;
  const script = new Script(source, { filename: file, columnOffset: -wrapper.length, ...(cached ? { cachedData: cached } : {}) });
  if (cached === undefined || script.cachedDataRejected === true) {
    // At exit, not now: V8 then includes every function this run compiled (most are compiled
    // lazily, on first call), so the next run of this command finds them all.
    process.once('exit', () => writeCache(script, cacheFile));
  }
  const main = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} };
  main.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
}

/** At exit nothing may throw: a file that cannot be removed stays. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Left for the next write of the same name to replace.
  }
}

/** Atomically (parallel runs may race), writable by its owner alone. */
function writeCache(script: Script, cacheFile: string): void {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, script.createCachedData(), { mode: 0o644, flag: 'wx' });
    renameSync(temporary, cacheFile);
  } catch {
    // No cache this time (a package folder we may not write, a full disk…): the next run
    // compiles as this one did.
    removeQuietly(temporary);
  }
}
