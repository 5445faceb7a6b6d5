/**
 * `--env-file` is convospec's option, but Node 20 reads it too: anywhere on its command line
 * before a `--`, after the script's name as well (its dotenv code scans every argument), and
 * before any of our code runs. So `node dist/cli/main.js run --env-file x` has Node load `x`
 * (a `NODE_OPTIONS=--require …` in it runs code) or exit 9 when `x` is missing. The installed
 * command is safe: its first line is `#!/usr/bin/env -S node --`, and Node stops at `--`. For
 * the unsafe form, this finds what Node read, from the process's real command line (Linux
 * `/proc/self/cmdline`), so the run is refused instead of going on with what the file did.
 */

/** Node's own scan (Dotenv::GetPathFromArgs): `--env-file F` or `--env-file=F`, up to a `--`. */
function envFileIn(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return undefined;
    if (arg === '--env-file') return args[i + 1];
    if (arg.startsWith('--env-file=')) return arg.slice('--env-file='.length);
  }
  return undefined;
}

/**
 * The env file Node read from convospec's own arguments, or undefined. `cmdline` is the real
 * command line (`node [node options] [--] script args…`), `execArgv` Node's options as
 * `process.execArgv` has them (`--` is never among them). An `--env-file` among Node's own
 * options (`node --env-file=x main.js`) is the user's choice for Node, not ours: not counted.
 */
export function envFileReadByNode(cmdline: readonly string[], execArgv: readonly string[]): string | undefined {
  const script = 1 + execArgv.length;
  if (cmdline.slice(1, script).includes('--') || cmdline[script] === '--') return undefined;
  return envFileIn(cmdline.slice(script + 1));
}
