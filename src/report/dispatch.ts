/** From the engine's event union to a reporter's hooks; for the runner and for tests. */
import type { RunEvent } from '../engine/events.js';
import type { Reporter } from './types.js';

/** Calls the hook `event` is for, if the reporter has it, and waits for it. */
export async function dispatchEvent(reporter: Reporter, event: RunEvent): Promise<void> {
  switch (event.type) {
    case 'run-start':
      return reporter.onRunStart?.(event.suites, event.startedAt);
    case 'test-start':
      return reporter.onTestStart?.(event.test);
    case 'transcript':
      return reporter.onTranscript?.(event.test, event.entry);
    case 'test-end':
      return reporter.onTestEnd?.(event.result);
    case 'run-end':
      return reporter.onRunEnd?.(event.results, event.summary);
    default: {
      const never: never = event;
      throw new Error(`unknown run event ${JSON.stringify(never)}`);
    }
  }
}
