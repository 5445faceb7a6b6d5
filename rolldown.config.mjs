/**
 * The build: src/ bundled into dist/cli/ (README "Design": why a bundle), in three parts,
 * built in this order:
 *
 * 1. The program, src/cli/main.ts and all it imports, as ONE CommonJS file,
 *    dist/cli/convospec-<hash>.cjs. A cold `convospec run` used to load about 200 module
 *    files (84 of them yaml's), each resolved, read and compiled. One script can also be
 *    compiled with a V8 code cache (Node 20 has none for ES modules), which is what part 3
 *    does. Code that only some commands use (`import`, JUnit…) is still imported lazily: it
 *    is in the file, but not run, and V8 only pre-parses it.
 * 2. The demo mail servers, src/demo/index.ts, as dist/cli/demo.cjs (see DEMO_IMPORT).
 * 3. The launcher, src/cli/launch.ts, as dist/cli/main.js (package.json `bin`): it finds the
 *    program beside it by its name and starts it with the cache.
 * 4. The programmatic API (package.json `exports`, docs/api.md): src/api/index.ts and
 *    src/vitest/index.ts as ES modules, dist/api/index.js and dist/api/vitest.js, with the
 *    code they share and the reporters (imported lazily) in chunks beside them. Their types
 *    are `tsc -p tsconfig.types.json`'s, after this build (package.json `build`).
 *
 * Type checking is not done here: `npm run typecheck` (tsc) does it, in CI before the build.
 * All land in dist/<folder>/ one level down, so `new URL('../../package.json', import.meta.url)` and the
 * walk up to `schemas/` still find the package root. `--dir` on the command line (bench/run.sh,
 * test/mutations/run.sh) moves all three.
 */
import { chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * yaml ships the same sources twice: for Node (CommonJS) and for browsers (ESM). The Node
 * build reads `process.env.LOG_TOKENS` once per token and `process.env.LOG_STREAM` once per
 * document, for its own debugging; `process.env` is a lookup in the C++ environment, and that
 * read was a quarter of yaml's parse time for 1,000 specs. The browser build is the same code
 * without those reads (and without `Buffer` in the YAML 1.1 `!!binary` tag, which specs do not
 * use: they are read with the core schema).
 */
const yamlEsm = join(dirname(require.resolve('yaml/package.json')), 'browser', 'index.js');

/**
 * The demo mail servers (src/demo/, with smtp-server and the certificate library: half of all
 * the code) are only for `convospec demo`: a file of their own, dist/cli/demo.cjs, so other
 * commands never even parse them. The program imports it (lazily) by this path, in
 * src/cli/commands/demo.ts; src/demo/ imports nothing of the program but src/pki/.
 */
const DEMO_IMPORT = /^\.\.\/\.\.\/demo\/index\.js$/;
const DEMO_FILE = /[\\/]src[\\/]demo[\\/]index\.js$/;
/** `convospec record` makes certificates (the same library): dist/cli/record.cjs, by the same rule. */
const RECORD_IMPORT = /^\.\.\/\.\.\/record\/index\.js$/;
const RECORD_FILE = /[\\/]src[\\/]record[\\/]index\.js$/;

const platform = 'node';
/**
 * Whitespace and comments out: less for V8 to scan. Names are kept (no mangling), so a stack
 * trace of a bug still reads.
 */
const minify = { compress: false, mangle: false, codegen: { removeWhitespace: true } };

/**
 * The launcher is the `bin`, and is also run as `./dist/cli/main.js`: executable, like npm
 * makes it when it installs the package. Its first line, `#!/usr/bin/env -S node --`, is what
 * keeps `--env-file` convospec's (src/cli/node-env-file.ts).
 */
const executable = {
  name: 'executable',
  writeBundle(options, bundle) {
    for (const file of Object.keys(bundle)) if (file.endsWith('.js')) chmodSync(join(options.dir, file), 0o755);
  },
};

export default [
  {
    input: { convospec: 'src/cli/main.ts' },
    platform,
    resolve: { alias: { yaml: yamlEsm } },
    // Loaded at run time with createRequire (ajv's full compiler only when a spec fails,
    // hdr-histogram-js in load mode): they stay in node_modules, as dependencies.
    external: [/^ajv(\/|$)/, /^hdr-histogram-js(\/|$)/, DEMO_IMPORT, RECORD_IMPORT],
    output: {
      dir: 'dist',
      // rolldown hands `paths` the external's id resolved to an absolute path, and takes back a
      // path relative to `dir`.
      paths: (id) => (DEMO_FILE.test(id) ? './cli/demo.cjs' : RECORD_FILE.test(id) ? './cli/record.cjs' : id),
      // `import()` of an external as a `require` when used: the launcher runs the program as a
      // plain script, where `import()` is not available.
      dynamicImportInCjs: false,
      // dist/ is this build's alone: what an older build left there goes. (This part is
      // built first; the demo and the launcher after it.)
      cleanDir: true,
      format: 'cjs',
      // One file: the launcher compiles one script (dynamic imports become lazy inits).
      codeSplitting: false,
      // The hash names the build: the launcher's cache files carry it, so a new build never
      // reads an old build's cache.
      entryFileNames: 'cli/[name]-[hash].cjs',
      sourcemap: true,
      minify,
    },
  },
  {
    input: { demo: 'src/demo/index.ts' },
    platform,
    output: { dir: 'dist', format: 'cjs', codeSplitting: false, entryFileNames: 'cli/[name].cjs', sourcemap: true, minify },
  },
  {
    input: { record: 'src/record/index.ts' },
    platform,
    resolve: { alias: { yaml: yamlEsm } },
    output: { dir: 'dist', format: 'cjs', codeSplitting: false, entryFileNames: 'cli/[name].cjs', sourcemap: true, minify },
  },
  {
    input: { main: 'src/cli/launch.ts' },
    platform,
    plugins: [executable],
    output: {
      dir: 'dist',
      format: 'esm',
      entryFileNames: 'cli/[name].js',
      minify,
    },
  },
  {
    input: { index: 'src/api/index.ts', vitest: 'src/vitest/index.ts' },
    platform,
    resolve: { alias: { yaml: yamlEsm } },
    // vitest is the caller's (a peer dependency): the one that runs the tests must be the one
    // `describe` and `it` come from.
    external: [/^ajv(\/|$)/, /^hdr-histogram-js(\/|$)/, /^vitest(\/|$)/],
    output: {
      dir: 'dist',
      format: 'esm',
      entryFileNames: 'api/[name].js',
      chunkFileNames: 'api/[name]-[hash].js',
      // Not minified: this is code other programs run, and their stack traces go through it.
      sourcemap: true,
    },
  },
];
