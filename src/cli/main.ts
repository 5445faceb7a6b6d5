/**
 * The program: the only place that reads argv, the environment and the real streams, and
 * calls `process.exit`. Everything else takes an `Io`. Built to dist/cli/convospec-<hash>.cjs
 * and started by launch.ts (the `convospec` command), which adds a compile cache.
 */
import { runCli } from './program.js';
import { EXIT } from './io.js';

// `convospec run --list | head`: a reader that goes away is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const interrupt = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  // First Ctrl-C: stop, close sockets, write reports of what finished. Second: leave now.
  if (interrupts > 1) process.exit(EXIT.interrupted);
  interrupt.abort();
});

// Not a top-level await: the bundle is CommonJS, to be compiled with a code cache (launch.ts).
void runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: Boolean(process.stdout.isTTY),
  signal: interrupt.signal,
  now: () => new Date(),
}).then((code) => {
  process.exitCode = code;
  // Open handles (a socket still closing) must not keep a finished run alive.
  setTimeout(() => process.exit(code), 200).unref();
});
