/**
 * The built `convospec` command, for the tests that run it as a real process (Ctrl-C, the
 * launcher's compile cache). Built with `npm run build`'s config when dist/ is missing or
 * older than src/ or the build config; test files run in parallel, so one builds while the
 * others wait for it (a lock directory).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');
/** package.json `bin`. */
export const CLI = join(ROOT, 'dist/cli/main.js');

const LOCK = join(ROOT, 'node_modules/.cache/convospec-test-build.lock');
const WAIT_MS = 180_000;
const POLL_MS = 100;

/** The path of the built CLI, built first if stale. */
export function builtCli(): string {
  for (let waited = 0; isStale(); waited += POLL_MS) {
    if (waited > WAIT_MS) throw new Error(`no build after ${WAIT_MS} ms; a stale lock? ${LOCK}`);
    if (takeLock()) {
      try {
        if (isStale()) build();
      } finally {
        rmSync(LOCK, { recursive: true, force: true });
      }
    } else {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, POLL_MS);
    }
  }
  return CLI;
}

function takeLock(): boolean {
  mkdirSync(join(LOCK, '..'), { recursive: true });
  try {
    mkdirSync(LOCK);
    return true;
  } catch {
    // Left by a test run that was killed mid-build: older than any build takes.
    if ((statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) < Date.now() - WAIT_MS) rmSync(LOCK, { recursive: true, force: true });
    return false;
  }
}

function isStale(): boolean {
  if (!existsSync(CLI)) return true;
  const built = statSync(CLI).mtimeMs;
  return built < Math.max(newest(join(ROOT, 'src')), statSync(join(ROOT, 'rolldown.config.mjs')).mtimeMs);
}

/** Newest modification time of any file under `dir` (bounded by the tree's size). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

function build(): void {
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/rolldown/bin/cli.mjs'), '-c', 'rolldown.config.mjs'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: WAIT_MS,
  });
  if (result.status !== 0 || !existsSync(CLI)) throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`);
}
