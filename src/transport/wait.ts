/**
 * One bounded wait: it settles when its body says so, at its absolute deadline, or when the run
 * is aborted, whichever comes first, and it always clears its timer and listeners.
 */
import { TransportError } from './types.js';
import type { Clock, StopSignal } from './types.js';

export interface WaitContext {
  readonly clock: Clock;
  /** Ctrl-C or the test's deadline: every wait ends with `aborted`. */
  readonly stop?: StopSignal;
  /** A connection's waits share one timer and one stop listener (see `WaitGroup`). */
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
 * timer and an abort listener per wait (each a trip through Node's timer and EventTarget
 * code), one timer set for the earliest deadline and one listener. Deadlines of
 * later waits usually come later, so the timer set by the first wait of a session mostly
 * just stays: a wait checks the clock when it fires, and a wait whose deadline has not come
 * sets it again for the next deadline. Timing is as exact as with a timer per wait.
 */
export class WaitGroup {
  /**
   * The waits now pending: one at a time, nearly always (a read, or a write the kernel did not
   * take at once). An array, not a Set: a Set emptied and filled again per wait rehashes
   * itself every few waits, which a load run pays per reply.
   */
  private readonly pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** When the timer is due (clock time); Infinity without a timer. */
  private timerAt = Infinity;
  private disposed = false;
  private readonly unlisten: (() => void) | undefined;

  constructor(
    private readonly clock: Clock,
    stop?: StopSignal,
  ) {
    this.unlisten = stop?.onStop(this.onAbort);
  }

  add(wait: Pending, deadline: number): void {
    this.pending.push(wait);
    // Unref'd while idle (below): a connection left open must not keep the process alive.
    this.timer?.ref();
    this.schedule(deadline);
  }

  remove(wait: Pending): void {
    const pending = this.pending;
    const at = pending.indexOf(wait);
    if (at === pending.length - 1) pending.pop();
    else if (at >= 0) pending.splice(at, 1);
    if (pending.length > 0) return;
    if (this.disposed) this.release();
    else this.timer?.unref();
  }

  /** The connection is closed: let go of the timer and the listener once no wait is left. */
  dispose(): void {
    this.disposed = true;
    if (this.pending.length === 0) this.release();
  }

  private release(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.unlisten?.();
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
      if (at !== undefined && this.pending.includes(wait)) next = Math.min(next, at);
    }
    if (next < Infinity) this.schedule(next);
    else if (this.disposed && this.pending.length === 0) this.release();
  };

  private readonly onAbort = (): void => {
    for (const wait of [...this.pending]) wait.abort();
  };
}

/**
 * One wait: its state and how it settles. A class, because a load run makes one for nearly
 * every read: one object with methods on the prototype, where closures over the wait's
 * state (a settle pair, a finish, the group's check and abort) were half a dozen.
 */
class Wait<T> implements Pending, Settle<T> {
  private settled = false;
  private timer: NodeJS.Timeout | undefined;
  private cleanup: (() => void) | undefined;
  private grouped = false;
  /** Undoes the stop listener of a wait outside a group; undefined until it listens. */
  private unlisten: (() => void) | undefined;

  constructor(
    private readonly context: WaitContext,
    private readonly deadline: number,
    private readonly onDeadline: (settle: Settle<T>) => void,
    private readonly done: (value: T) => void,
    private readonly fail: (error: unknown) => void,
  ) {}

  start(body: (settle: Settle<T>) => () => void): void {
    const undo = body(this);
    if (this.settled) {
      undo();
      return;
    }
    this.cleanup = undo;
    const { group, stop, clock } = this.context;
    if (group !== undefined) {
      this.grouped = true;
      group.add(this, this.deadline);
      return;
    }
    // Only a wait that really waits listens for Ctrl-C: most reads find their line buffered.
    this.unlisten = stop?.onStop(() => this.abort());
    // The first check waits one macrotask even for a past deadline, so a body that settles on
    // an already-queued event still wins; afterwards the injected clock decides.
    this.timer = setTimeout(armWait, Math.max(0, Math.min(this.deadline - clock.now(), MAX_DELAY_MS)), this);
  }

  resolve(value: T): void {
    if (this.finish()) this.done(value);
  }

  reject(error: unknown): void {
    if (this.finish()) this.fail(error);
  }

  /** For the group: settles the wait if its deadline has come, else returns the deadline. */
  check(): number | undefined {
    if (this.settled) return undefined;
    if (this.deadline - this.context.clock.now() > 0) return this.deadline;
    this.expire();
    return undefined;
  }

  /**
   * The deadline has come, but what the event loop already holds is read first: timers run
   * before sockets are polled, so after a stall (a busy neighbour, a long GC) a reply that came
   * in time would otherwise lose to its own deadline. `setImmediate` runs after the poll.
   */
  private expire(): void {
    setImmediate(expireWait, this);
  }

  /** After the poll that followed the deadline: settles at the deadline unless something else did. */
  lapse(): void {
    if (!this.settled) this.onDeadline(this);
  }

  abort(): void {
    this.reject(abortError(this.context.stop));
  }

  /** Outside a group: at the deadline settle, before it wait again (for the injected clock). */
  arm(): void {
    const left = this.deadline - this.context.clock.now();
    if (left <= 0) {
      this.expire();
      return;
    }
    this.timer = setTimeout(armWait, Math.min(left, MAX_DELAY_MS), this);
  }

  /** True the first time: clears the timer, the listener and the body's hooks. */
  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.grouped) this.context.group?.remove(this);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.unlisten?.();
    const cleanup = this.cleanup;
    this.cleanup = undefined;
    cleanup?.();
    return true;
  }
}

function armWait(wait: { arm(): void }): void {
  wait.arm();
}

function expireWait(wait: { lapse(): void }): void {
  wait.lapse();
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
  return new Promise<T>((resolve, reject) => waitThen(context, deadline, onDeadline, body, resolve, reject));
}

/**
 * `waitUntil` with callbacks instead of a promise: exactly one of `done`/`fail` is called,
 * once. The line reads use it: a load run makes them by the million, and a promise with an
 * `await` on it would add a trip through the microtask queue to each. A stop already
 * requested fails at once (synchronously).
 */
export function waitThen<T>(
  context: WaitContext,
  deadline: number,
  onDeadline: (settle: Settle<T>) => void,
  body: (settle: Settle<T>) => () => void,
  done: (value: T) => void,
  fail: (error: unknown) => void,
): void {
  if (context.stop?.stopped) {
    fail(abortError(context.stop));
    return;
  }
  new Wait<T>(context, deadline, onDeadline, done, fail).start(body);
}

export function abortError(stop?: StopSignal): TransportError {
  return new TransportError('aborted', 'interrupted', undefined, { cause: stop?.reason });
}
