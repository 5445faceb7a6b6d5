/**
 * The `convospec` command as installed (dist/cli/main.js, src/cli/launch.ts): it starts the
 * program with a V8 code cache. Run as real processes; each test has a cache folder of its
 * own (`CONVOSPEC_COMPILE_CACHE`). What must hold: the output never depends on the cache;
 * the first run of a command writes its cache, the next run uses it (and so does not write
 * it again); a damaged or unwritable cache changes nothing for the user.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from '../helpers/build.js';

let cli: string;
let dir: string;
let spec: string;

beforeAll(() => {
  cli = builtCli();
  dir = mkdtempSync(join(tmpdir(), 'convospec-launch-'));
  spec = join(dir, 'bad.yaml');
  // Invalid on purpose: `validate` then prints a diagnostic with a code frame and exits 2,
  // output that goes through most of the loader.
  writeFileSync(spec, 'name: launch\nconnect: { host: 127.0.0.1, port: 25, protocol: smtp }\ntests:\n  - name: t\n    steps:\n      - s: { code: 220, contians: ESMTP }\n');
}, 200_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `convospec args…` with the cache in `cache`, or off when `cache` is undefined. */
function convospec(args: string[], cache: string | undefined): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, CONVOSPEC_COMPILE_CACHE: cache, CONVOSPEC_DISABLE_COMPILE_CACHE: cache === undefined ? '1' : undefined };
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function cacheFolder(name: string): string {
  return join(dir, name);
}

function cacheFiles(folder: string): string[] {
  return readdirSync(folder).sort();
}

describe('the compile cache of the convospec command', () => {
  const uncached = (): Run => convospec(['validate', spec], undefined);

  it('writes one cache for the command on its first run; the output is the same as without a cache', () => {
    const folder = cacheFolder('first');
    const plain = uncached();
    expect(plain.status).toBe(2);
    expect(plain.stdout + plain.stderr).toContain('bad.yaml:6:');

    expect(convospec(['validate', spec], folder)).toEqual(plain);
    const files = cacheFiles(folder);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^convospec-[\\w-]+\\.validate\\.node${process.versions.node.replaceAll('.', '\\.')}-${process.arch}\\.v8cache$`));
    expect(statSync(join(folder, files[0] ?? '')).size).toBeGreaterThan(10_000);
  });

  it('uses the cache on the next run: same output, the file is not written again', () => {
    const folder = cacheFolder('next');
    const first = convospec(['validate', spec], folder);
    const [file] = cacheFiles(folder);
    const path = join(folder, file ?? '');
    const before = statSync(path);

    expect(convospec(['validate', spec], folder)).toEqual(first);
    // A refused cache is written again (a new file renamed over the old one: a new inode).
    expect(statSync(path).ino).toBe(before.ino);
    expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
  });

  it('refuses a damaged cache, runs as without one, and writes a good one in its place', () => {
    const folder = cacheFolder('damaged');
    convospec(['validate', spec], folder);
    const [file] = cacheFiles(folder);
    const path = join(folder, file ?? '');
    const garbage = randomBytes(4096);
    writeFileSync(path, garbage);

    expect(convospec(['validate', spec], folder)).toEqual(uncached());
    expect(readFileSync(path).equals(garbage)).toBe(false);
    const mended = statSync(path).ino;
    convospec(['validate', spec], folder);
    expect(statSync(path).ino).toBe(mended);
  });

  it('keeps a cache per command', () => {
    const folder = cacheFolder('commands');
    const version = convospec(['--version'], folder);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
    convospec(['validate', spec], folder);
    expect(cacheFiles(folder).map((f) => f.split('.')[1])).toEqual(['other', 'validate']);
  });

  it('keeps the caches of the last 8 builds when it writes its own; older ones go', () => {
    const folder = cacheFolder('old-builds');
    convospec(['--version'], folder);
    const [own] = cacheFiles(folder);
    // Nine other builds, written 1 to 9 hours ago; the newest seven stay beside this one.
    const others = Array.from({ length: 9 }, (_, i) => `convospec-0ther${i + 1}.run.node${process.versions.node}-${process.arch}.v8cache`);
    others.forEach((file, i) => {
      const path = join(folder, file);
      writeFileSync(path, randomBytes(64));
      const hoursAgo = new Date(Date.now() - (i + 1) * 3_600_000);
      utimesSync(path, hoursAgo, hoursAgo);
    });
    writeFileSync(join(folder, 'unrelated.txt'), 'kept');
    convospec(['validate', spec], folder);
    const files = cacheFiles(folder);
    expect(files).toContain(own);
    expect(files).toContain('unrelated.txt');
    expect(files.filter((f) => f.startsWith('convospec-0ther'))).toEqual(others.slice(0, 7));
    expect(files.filter((f) => f.endsWith('.v8cache'))).toHaveLength(2 + 7);
  });

  it('runs as without a cache when the cache cannot be written', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    expect(convospec(['validate', spec], join(blocker, 'cache'))).toEqual(uncached());
  });

  it('is off with CONVOSPEC_DISABLE_COMPILE_CACHE=1', () => {
    const folder = cacheFolder('off');
    const env = { ...process.env, NO_COLOR: '1', CONVOSPEC_COMPILE_CACHE: folder, CONVOSPEC_DISABLE_COMPILE_CACHE: '1' };
    const result = spawnSync(process.execPath, [cli, 'validate', spec], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(2);
    expect(() => readdirSync(folder)).toThrow(/ENOENT/);
  });
});
