/**
 * The build: src/ bundled into dist/cli/ (README "Design": why a bundle).
 *
 * A cold `convospec run` used to load about 200 module files (84 of them yaml's); Node 20
 * has no compile cache, so every file cost a resolve, a read and a compile. Bundled, it loads
 * a handful of chunks; commands and reporters that are imported lazily (`demo`, `import`,
 * JUnit…) stay in chunks of their own, loaded only when used.
 *
 * Type checking is not done here: `npm run typecheck` (tsc) does it, in CI before the build.
 * The entry stays `dist/cli/main.js` (package.json `bin`), and every chunk lands beside it,
 * so `new URL('../../package.json', import.meta.url)` and the walk up to `schemas/` still find
 * the package root.
 */
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

export default {
  input: { main: 'src/cli/main.ts' },
  platform: 'node',
  resolve: { alias: { yaml: yamlEsm } },
  // Loaded at run time with createRequire (ajv's full compiler only when a spec fails,
  // hdr-histogram-js in load mode): they stay in node_modules, as dependencies.
  external: [/^ajv(\/|$)/, /^hdr-histogram-js(\/|$)/],
  output: {
    dir: 'dist',
    // dist/ is this build's alone: what an older build left there goes.
    cleanDir: true,
    format: 'esm',
    entryFileNames: 'cli/[name].js',
    chunkFileNames: 'cli/[name]-[hash].js',
    sourcemap: true,
    // Whitespace and comments out: less for V8 to scan at start-up. Names are kept (no
    // mangling), so a stack trace of a bug still reads.
    minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
  },
};
