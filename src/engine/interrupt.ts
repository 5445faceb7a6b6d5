/**
 * Ctrl-C for the tests of one run. ONE listener on the run's signal aborts every running
 * test's own signal, in the order the tests started: a listener added and removed per test
 * was about 5 % of a load run's cost, a Set entry is next to nothing. Made once per run by
 * `runSuites` and `runLoad`.
 */
import { setMaxListeners } from 'node:events';

export class RunInterrupt {
  private readonly running = new Set<AbortController>();

  constructor(readonly signal: AbortSignal) {
    // Other listeners share the run's signal (a load run's pacing, one per worker): as many
    // as run at once is no leak, so Node's warning past 10 does not apply.
    setMaxListeners(0, signal);
    signal.addEventListener(
      'abort',
      () => {
        for (const test of [...this.running]) test.abort(signal.reason);
      },
      { once: true },
    );
  }

  /** Aborts `stop` when the run is interrupted (at once if it is already); returns the undo. */
  watch(stop: AbortController): () => void {
    if (this.signal.aborted) {
      stop.abort(this.signal.reason);
      return noop;
    }
    this.running.add(stop);
    return () => {
      this.running.delete(stop);
    };
  }
}

const noop = (): void => undefined;
