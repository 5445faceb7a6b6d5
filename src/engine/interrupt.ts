/**
 * Ctrl-C for the tests of one run. ONE listener on the run's signal stops every running
 * test's own stop token, in the order the tests started: a Set entry per test instead of a
 * listener added to and removed from the signal per test, which a load run does per session. Made once per run
 * by `runSuites` and `runLoad`.
 */
import { setMaxListeners } from 'node:events';
import type { StopToken } from '../transport/index.js';

export class RunInterrupt {
  private readonly running = new Set<StopToken>();
  private reason: unknown;
  private stopped = false;

  constructor(readonly signal: AbortSignal) {
    // Other listeners share the run's signal (a load run's pacing, one per worker): as many
    // as run at once is no leak, so Node's warning past 10 does not apply.
    setMaxListeners(0, signal);
    if (signal.aborted) this.stop(signal.reason);
    else signal.addEventListener('abort', () => this.stop(signal.reason), { once: true });
  }

  /** The run's signal has aborted (cheaper than `signal.aborted`, read per session). */
  get interrupted(): boolean {
    return this.stopped;
  }

  /** Stops `test` when the run is interrupted (at once if it is already); returns the undo. */
  watch(test: StopToken): () => void {
    if (this.stopped) {
      test.stop(this.reason);
      return noop;
    }
    this.running.add(test);
    return () => {
      this.running.delete(test);
    };
  }

  private stop(reason: unknown): void {
    this.stopped = true;
    this.reason = reason;
    for (const test of [...this.running]) test.stop(reason);
  }
}

const noop = (): void => undefined;
