/**
 * The `convospec` command as installed (dist/cli/main.js, src/cli/launch.ts): it starts the
 * program with a V8 code cache kept beside the program. Run as real processes, each test on
 * an install of its own (a copy of dist/cli/ in a temporary folder). What must hold: the
 * output never depends on the cache; the first run of a command writes its cache, the next
 * run uses it; a damaged or unwritable cache changes nothing for the user; and a cache is no
 * more trusted than the program: one planted anywhere else, or by another user, never runs.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REGEXP_FLAGS } from '../../src/cli/regexp-flags.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, builtCli } from '../helpers/build.js';

let dir: string;
let spec: string;

beforeAll(() => {
  builtCli();
  dir = mkdtempSync(join(tmpdir(), 'convospec-launch-'));
  spec = join(dir, 'bad.yaml');
  // Invalid on purpose: `validate` then prints a diagnostic with a code frame and exits 2,
  // output that goes through most of the loader.
  writeFileSync(spec, 'name: launch\nconnect: { host: 127.0.0.1, port: 25, protocol: smtp }\ntests:\n  - name: t\n    steps:\n      - s: { code: 220, contians: ESMTP }\n');
}, 200_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Install {
  readonly main: string;
  /** dist/cli/ of this install: the program, and its caches. */
  readonly folder: string;
  readonly program: string;
}

/** A package install of its own: dist/cli/ and package.json copied, node_modules and schemas linked. */
function install(name: string): Install {
  const root = join(dir, name);
  const folder = join(root, 'dist', 'cli');
  mkdirSync(folder, { recursive: true });
  for (const file of readdirSync(join(ROOT, 'dist', 'cli'))) {
    if (!file.endsWith('.v8cache') && !file.endsWith('.tmp')) cpSync(join(ROOT, 'dist', 'cli', file), join(folder, file));
  }
  cpSync(join(ROOT, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  symlinkSync(join(ROOT, 'schemas'), join(root, 'schemas'));
  const program = readdirSync(folder).find((f) => /^convospec-.*\.cjs$/.test(f))!;
  return { main: join(folder, 'main.js'), folder, program: join(folder, program) };
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `convospec args…` of `at`, with the cache on (or off), and `env` added. */
function convospec(at: Install, args: string[], options: { cache?: boolean; env?: NodeJS.ProcessEnv } = {}): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, CONVOSPEC_DISABLE_COMPILE_CACHE: options.cache === false ? '1' : undefined, ...options.env };
  const result = spawnSync(process.execPath, ['--', at.main, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const caches = (at: Install): string[] => readdirSync(at.folder).filter((f) => f.endsWith('.v8cache')).sort();

describe('the compile cache of the convospec command', () => {
  it('writes one cache for the command, beside the program, on its first run; the output is the same as without a cache', () => {
    const at = install('first');
    const plain = convospec(at, ['validate', spec], { cache: false });
    expect(plain.status).toBe(2);
    expect(plain.stdout + plain.stderr).toContain('bad.yaml:6:');
    expect(caches(at)).toEqual([]);

    expect(convospec(at, ['validate', spec])).toEqual(plain);
    const files = caches(at);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^convospec-[\\w-]+\\.validate\\.node${process.versions.node.replaceAll('.', '\\.')}-${process.arch}\\.v8cache$`));
    expect(statSync(join(at.folder, files[0]!)).size).toBeGreaterThan(10_000);
  });

  it('uses the cache on the next run: same output, the file is not written again', () => {
    const at = install('next');
    const first = convospec(at, ['validate', spec]);
    const path = join(at.folder, caches(at)[0]!);
    const before = statSync(path);

    expect(convospec(at, ['validate', spec])).toEqual(first);
    // A refused cache is written again (a new file renamed over the old one: a new inode).
    expect(statSync(path).ino).toBe(before.ino);
    expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
  });

  it('refuses a damaged cache, runs as without one, and writes a good one in its place', () => {
    const at = install('damaged');
    convospec(at, ['validate', spec]);
    const path = join(at.folder, caches(at)[0]!);
    const garbage = randomBytes(4096);
    writeFileSync(path, garbage);

    expect(convospec(at, ['validate', spec])).toEqual(convospec(at, ['validate', spec], { cache: false }));
    expect(readFileSync(path).equals(garbage)).toBe(false);
    const mended = statSync(path).ino;
    convospec(at, ['validate', spec]);
    expect(statSync(path).ino).toBe(mended);
  });

  it('keeps a cache per command', () => {
    const at = install('commands');
    const version = convospec(at, ['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
    convospec(at, ['validate', spec]);
    expect(caches(at).map((f) => f.split('.')[1])).toEqual(['other', 'validate']);
  });

  it('runs as without a cache when the cache cannot be written', () => {
    const at = install('unwritable');
    const name = `${at.program.slice(at.folder.length + 1, -'.cjs'.length)}.validate.node${process.versions.node}-${process.arch}.v8cache`;
    // A folder where the cache file would go: it can be neither read nor replaced.
    mkdirSync(join(at.folder, name));
    expect(convospec(at, ['validate', spec])).toEqual(convospec(at, ['validate', spec], { cache: false }));
  });

  it('is off with CONVOSPEC_DISABLE_COMPILE_CACHE=1', () => {
    const at = install('off');
    expect(convospec(at, ['validate', spec], { cache: false }).status).toBe(2);
    expect(caches(at)).toEqual([]);
  });
});

/**
 * V8 checks a code cache against the LENGTH of the source only: a cache made from another
 * script of the program's length runs that script. This one writes `marker` when it runs.
 */
function plantCache(at: Install, cacheFile: string, marker: string): void {
  const planter = join(dir, 'plant.cjs');
  writeFileSync(
    planter,
    `const { setFlagsFromString } = require('node:v8');
const { Script } = require('node:vm');
const fs = require('node:fs');
const [program, out, marker, ...flags] = process.argv.slice(2);
// The launcher's flags: V8 refuses a cache made under other flags.
for (const f of flags) setFlagsFromString(f);
const wrapper = '(function (exports, require, module, __filename, __dirname) { ';
const length = fs.readFileSync(program, 'utf8').length;
const body = \`if (__filename !== 'planting') require('node:fs').writeFileSync(\${JSON.stringify(marker)}, 'planted');\`;
const script = new Script(\`\${wrapper}\${body}\${' '.repeat(length - body.length)}\\n})\`, { filename: program, columnOffset: -wrapper.length });
// Called once (doing nothing here), so its code is in the cache.
script.runInThisContext()({}, require, {}, 'planting', '/');
fs.mkdirSync(require('node:path').dirname(out), { recursive: true });
fs.writeFileSync(out, script.createCachedData());
`,
  );
  const result = spawnSync(process.execPath, [planter, at.program, cacheFile, marker, ...REGEXP_FLAGS], { encoding: 'utf8', timeout: 30_000 });
  expect(result.status, result.stderr).toBe(0);
}

describe('a planted compile cache', () => {
  const cacheFileName = (at: Install, command: string): string =>
    `${at.program.slice(at.folder.length + 1, -'.cjs'.length)}.${command}.node${process.versions.node}-${process.arch}.v8cache`;

  it('in the user\'s cache folders (a CI cache restored from another branch) is never read: convospec runs as itself', () => {
    const at = install('planted-home');
    const marker = join(dir, 'planted-home-ran');
    const xdg = join(dir, 'xdg-cache');
    const custom = join(dir, 'custom-cache');
    plantCache(at, join(xdg, 'convospec', cacheFileName(at, 'validate')), marker);
    plantCache(at, join(custom, cacheFileName(at, 'validate')), marker);
    const env = { XDG_CACHE_HOME: xdg, CONVOSPEC_COMPILE_CACHE: custom, HOME: dir };
    const run = convospec(at, ['validate', spec], { env });
    expect(existsSync(marker)).toBe(false);
    expect(run).toEqual(convospec(at, ['validate', spec], { cache: false }));
  });

  it.runIf(process.getuid?.() === 0)('beside the program but owned by another user is refused and replaced: convospec runs as itself', () => {
    const at = install('planted-other-owner');
    const marker = join(dir, 'planted-owner-ran');
    const cacheFile = join(at.folder, cacheFileName(at, 'validate'));
    plantCache(at, cacheFile, marker);
    chownSync(cacheFile, 65534, 65534);
    const run = convospec(at, ['validate', spec]);
    expect(existsSync(marker)).toBe(false);
    expect(run).toEqual(convospec(at, ['validate', spec], { cache: false }));
    expect(statSync(cacheFile).uid).toBe(statSync(at.program).uid);
  });

  it('beside the program, by its owner, is trusted as the program is (whoever can write it can replace the program): the plant above is real', () => {
    const at = install('planted-owner');
    const marker = join(dir, 'planted-same-owner-ran');
    plantCache(at, join(at.folder, cacheFileName(at, 'validate')), marker);
    convospec(at, ['validate', spec]);
    expect(readFileSync(marker, 'utf8')).toBe('planted');
  });
});
