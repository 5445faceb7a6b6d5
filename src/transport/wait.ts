/**
 * One bounded wait: it settles when its body says so, at its absolute deadline, or when the run
 * is aborted, whichever comes first, and it always clears its timer and listeners.
 */
import { TransportError } from './types.js';
import type { Clock } from './types.js';

export interface WaitContext {
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** A connection's waits share one timer and one abort listener (see `WaitGroup`). */
  readonly group?: WaitGroup;
}

/** A wait as its group sees it. */
interface Pending {
  /** Settles the wait if its deadline has come (returns undefined), else returns the deadline. */
  check(): number | undefined;
  abort(): void;
}

export interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Node's timers take at most a signed 32-bit delay; a longer wait is cut into pieces. */
const MAX_DELAY_MS = 2_147_483_647;

/**
 * The waits of one connection, one after another by the thousand in a load run: instead of a
 * timer and an abort listener per wait (most of a session's cost in Node's timer and
 * EventTarget code), one timer set for the earliest deadline and one listener. Deadlines of
 * later waits usually come later, so the timer set by the first wait of a session mostly
 * just stays: a wait checks the clock when it fires, and a wait whose deadline has not come
 * sets it again for the next deadline. Timing is as exact as with a timer per wait.
 */
export class WaitGroup {
  private readonly pending = new Set<Pending>();
  private timer: NodeJS.Timeout | undefined;
  /** When the timer is due (clock time); Infinity without a timer. */
  private timerAt = Infinity;
  private disposed = false;

  constructor(
    private readonly clock: Clock,
    private readonly signal?: AbortSignal,
  ) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  add(wait: Pending, deadline: number): void {
    this.pending.add(wait);
    // Unref'd while idle (below): a connection left open must not keep the process alive.
    this.timer?.ref();
    this.schedule(deadline);
  }

  remove(wait: Pending): void {
    this.pending.delete(wait);
    if (this.pending.size > 0) return;
    if (this.disposed) this.release();
    else this.timer?.unref();
  }

  /** The connection is closed: let go of the timer and the listener once no wait is left. */
  dispose(): void {
    this.disposed = true;
    if (this.pending.size === 0) this.release();
  }

  private release(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  private schedule(at: number): void {
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    // Never sooner than the next macrotask, even for a past deadline: a wait whose answer is
    // already queued (data in the poll phase) still gets it first.
    this.timer = setTimeout(this.fire, Math.max(0, Math.min(at - this.clock.now(), MAX_DELAY_MS)));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    let next = Infinity;
    for (const wait of [...this.pending]) {
      const at = wait.check();
      if (at !== undefined && this.pending.has(wait)) next = Math.min(next, at);
    }
    if (next < Infinity) this.schedule(next);
    else if (this.disposed && this.pending.size === 0) this.release();
  };

  private readonly onAbort = (): void => {
    for (const wait of [...this.pending]) wait.abort();
  };
}

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
    let pending: Pending | undefined;
    let listening = false;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      if (pending !== undefined) context.group?.remove(pending);
      if (timer !== undefined) clearTimeout(timer);
      if (listening) signal?.removeEventListener('abort', onAbort);
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
    const group = context.group;
    if (group !== undefined) {
      pending = {
        check: () => {
          if (settled) return undefined;
          if (deadline - clock.now() > 0) return deadline;
          onDeadline(settle);
          return undefined;
        },
        abort: onAbort,
      };
      group.add(pending, deadline);
      return;
    }
    // Only a wait that really waits listens for Ctrl-C: most reads find their line buffered.
    signal?.addEventListener('abort', onAbort, { once: true });
    listening = true;
    // The first check waits one macrotask even for a past deadline, so a body that settles on
    // an already-queued event still wins; afterwards the injected clock decides.
    timer = setTimeout(arm, Math.max(0, Math.min(deadline - clock.now(), MAX_DELAY_MS)));
  });
}

export function abortError(signal?: AbortSignal): TransportError {
  return new TransportError('aborted', 'interrupted', undefined, { cause: signal?.reason });
}
