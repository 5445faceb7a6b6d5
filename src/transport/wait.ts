/**
 * One bounded wait: it settles when its body says so, at its absolute deadline, or when the run
 * is aborted, whichever comes first, and it always clears its timer and listeners.
 */
import { TransportError } from './types.js';
import type { Clock } from './types.js';

export interface WaitContext {
  readonly clock: Clock;
  readonly signal?: AbortSignal;
}

export interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Node's timers take at most a signed 32-bit delay; a longer wait is cut into pieces. */
const MAX_DELAY_MS = 2_147_483_647;

/**
 * Runs `body` at once (so what is already buffered wins even at a past deadline); `body`
 * returns a cleanup that runs exactly once when the wait settles. At the deadline `onDeadline`
 * settles the wait (rejecting, or resolving for waits where silence is an answer).
 */
export function waitUntil<T>(
  context: WaitContext,
  deadline: number,
  onDeadline: (settle: Settle<T>) => void,
  body: (settle: Settle<T>) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { clock, signal } = context;
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let cleanup: (() => void) | undefined;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      cleanup?.();
      cleanup = undefined;
      action();
    };
    const settle: Settle<T> = {
      resolve: (value) => finish(() => resolve(value)),
      reject: (error) => finish(() => reject(error)),
    };
    const onAbort = (): void => settle.reject(abortError(signal));
    const arm = (): void => {
      const left = deadline - clock.now();
      if (left <= 0) {
        onDeadline(settle);
        return;
      }
      timer = setTimeout(arm, Math.min(left, MAX_DELAY_MS));
    };

    const undo = body(settle);
    if (settled) {
      undo();
      return;
    }
    cleanup = undo;
    // Only a wait that really waits listens for Ctrl-C: most reads find their line buffered.
    signal?.addEventListener('abort', onAbort, { once: true });
    // The first check waits one macrotask even for a past deadline, so a body that settles on
    // an already-queued event still wins; afterwards the injected clock decides.
    timer = setTimeout(arm, Math.max(0, Math.min(deadline - clock.now(), MAX_DELAY_MS)));
  });
}

export function abortError(signal?: AbortSignal): TransportError {
  return new TransportError('aborted', 'interrupted', undefined, { cause: signal?.reason });
}
