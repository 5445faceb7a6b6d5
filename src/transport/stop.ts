/**
 * The stop signal of one test (Ctrl-C or its deadline), and the adapter for callers that
 * still hand the transport an `AbortSignal`. See `StopSignal` for why not an AbortSignal.
 */
import type { StopSignal } from './types.js';

export class StopToken implements StopSignal {
  /**
   * An array, not a Set: a test has a listener or two (its connections' wait groups), and a
   * load run makes a token per session: a Set's table per session would buy nothing.
   */
  private listeners: (() => void)[] | undefined;
  private controller: AbortController | undefined;
  private done = false;
  private why: unknown;

  get stopped(): boolean {
    return this.done;
  }

  get reason(): unknown {
    return this.why;
  }

  /** Stops (the first call only) and calls the listeners, in the order they were added. */
  stop(reason: unknown): void {
    if (this.done) return;
    this.done = true;
    this.why = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  onStop(listener: () => void): () => void {
    if (this.done) return noop;
    (this.listeners ??= []).push(listener);
    return () => {
      const listeners = this.listeners;
      if (listeners === undefined) return;
      const at = listeners.indexOf(listener);
      if (at >= 0) listeners.splice(at, 1);
    };
  }

  /**
   * An AbortSignal that aborts with this token, for Node APIs that take one (a `sleep`).
   * Made on first use only: most tests never need one.
   */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      const controller = new AbortController();
      this.controller = controller;
      if (this.done) controller.abort(this.why);
      else this.onStop(() => controller.abort(this.why));
    }
    return this.controller.signal;
  }
}

/** An AbortSignal seen as a StopSignal (callers of the transport that have only a signal). */
export function stopSignalOf(signal: AbortSignal): StopSignal {
  return {
    get stopped() {
      return signal.aborted;
    },
    get reason() {
      return signal.reason as unknown;
    },
    onStop(listener) {
      signal.addEventListener('abort', listener, { once: true });
      return () => signal.removeEventListener('abort', listener);
    },
  };
}

const noop = (): void => undefined;
