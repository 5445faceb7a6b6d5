/**
 * Everything a command needs from the outside world. Only `main.ts` builds it from the
 * real process; tests build their own (changesets-style: commands are testable without a
 * subprocess).
 */
import type { Writable } from 'node:stream';

export interface Io {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly isTTY: boolean;
  /** Ctrl-C. */
  readonly signal: AbortSignal;
  readonly now: () => Date;
}

/** Exit codes, in one place (format §8). */
export const EXIT = {
  ok: 0,
  failed: 1,
  invalid: 2,
  /** SIGINT; main.ts makes it 128 + the number of the signal that stopped the run (SIGTERM 143, SIGHUP 129). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad command line: printed without a stack, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function useColor(io: Io): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') return true;
  return io.isTTY && io.env.TERM !== 'dumb';
}
