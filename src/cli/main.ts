/**
 * The program: the only place that reads argv, the environment and the real streams, and
 * calls `process.exit`. Everything else takes an `Io`. Built to dist/cli/convospec-<hash>.cjs
 * and started by launch.ts (the `convospec` command), which adds a compile cache.
 */
import { runCli } from './program.js';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { envFileReadByNode } from './node-env-file.js';
import { EXIT } from './io.js';
import { internalErrorText } from './internal-error.js';

/**
 * A bug that escapes every command (thrown in a callback, a promise nobody awaits): said as an
 * internal error, exit 2, like one a command catches (format §8); never a bare Node crash,
 * whose exit code 1 would read as a failed test.
 */
const crash = (error: unknown): void => {
  process.stderr.write(internalErrorText(error, { argv: process.argv.slice(2), env: process.env }));
  process.exit(EXIT.invalid);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

// `convospec run --list | head`: a reader that goes away is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

/**
 * Ctrl-C, and what CI runners, `docker stop` and Kubernetes send (SIGTERM), and a closed
 * terminal (SIGHUP): the first stops the run, closes the sockets and writes every report
 * (unfinished tests marked as interrupted); the exit code is then 128 + the signal's number
 * (130, 143, 129). A second signal leaves at once with that code.
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const interrupt = new AbortController();
let stoppedBy: NodeJS.Signals | undefined;
const signalExit = (signal: NodeJS.Signals): number => 128 + (constants.signals[signal] ?? EXIT.interrupted - 128);
for (const signal of STOP_SIGNALS) {
  process.on(signal, () => {
    if (stoppedBy !== undefined) process.exit(signalExit(signal));
    stoppedBy = signal;
    interrupt.abort(signal);
  });
}

// Only a command line that names an env file needs the look at what Node saw.
const cmdline = process.argv.some((arg) => arg === '--env-file' || arg.startsWith('--env-file=')) ? readCmdline() : undefined;
const nodeEnvFile = cmdline === undefined ? undefined : envFileReadByNode(cmdline, process.execArgv);
if (nodeEnvFile !== undefined) {
  process.stderr.write(
    `convospec: Node itself read --env-file ${nodeEnvFile} before convospec started (Node 20 reads --env-file anywhere on its command line, and runs what NODE_OPTIONS in the file says). ` +
      'Run `npx convospec …`, or `node -- dist/cli/main.js …`: after `--` the env file is convospec\'s alone.\n',
  );
  process.exit(EXIT.invalid);
}

/** The real command line, `--` included (Linux); undefined elsewhere. */
function readCmdline(): string[] | undefined {
  try {
    return readFileSync('/proc/self/cmdline', 'utf8').split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

// Not a top-level await: the bundle is CommonJS, to be compiled with a code cache (launch.ts).
void runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: Boolean(process.stdout.isTTY),
  signal: interrupt.signal,
  now: () => new Date(),
}).then((result) => {
  // The commands say 130 for any interruption; the signal that caused it picks the code.
  const code = result === EXIT.interrupted && stoppedBy !== undefined ? signalExit(stoppedBy) : result;
  process.exitCode = code;
  // Open handles (a socket still closing) must not keep a finished run alive.
  setTimeout(() => process.exit(code), 200).unref();
});
