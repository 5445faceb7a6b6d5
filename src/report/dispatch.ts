/**
 * From events to reporters' hooks: the one path by which a run, a load run and a run whose
 * specs did not load reach every reporter (and tests reach one).
 */
import { ReportWriteError } from './output-file.js';
import type { Reporter, ReportEvent } from './types.js';

/** Calls the hook `event` is for, if the reporter has it, and waits for it. */
export async function dispatchEvent(reporter: Reporter, event: ReportEvent): Promise<void> {
  switch (event.type) {
    case 'run-start':
      return reporter.onRunStart?.(event.suites, event.startedAt);
    case 'test-start':
      return reporter.onTestStart?.(event.test);
    case 'transcript':
      return reporter.onTranscript?.(event.test, event.entry);
    case 'test-end':
      return reporter.onTestEnd?.(event.result);
    case 'load-end':
      return reporter.onLoadEnd?.(event.statistics);
    case 'run-end':
      return reporter.onRunEnd?.(event.results, event.summary);
    case 'invalid-specs':
      return reporter.onInvalidSpecs?.(event.files);
    default: {
      const never: never = event;
      throw new Error(`unknown report event ${JSON.stringify(never)}`);
    }
  }
}

export interface Dispatcher {
  /** Hands `event` to every reporter, in order, after the events before it; resolves when all took it. */
  emit(event: ReportEvent): Promise<void>;
  /** Why each report that could not be written failed (`ReportWriteError` messages), one per reporter. */
  failures(): readonly string[];
}

/**
 * Each reporter sees events in order; a slow file reporter never reorders the console. A
 * reporter whose report could not be written is not called again (one message, not one per
 * test) and the others go on; any other error is a bug and ends the run.
 */
export function createDispatcher(reporters: readonly Reporter[]): Dispatcher {
  const failed = new Map<Reporter, string>();
  const deliver = async (reporter: Reporter, event: ReportEvent): Promise<void> => {
    if (failed.has(reporter)) return;
    try {
      await dispatchEvent(reporter, event);
    } catch (error) {
      if (!(error instanceof ReportWriteError)) throw error;
      failed.set(reporter, error.message);
    }
  };
  let chain = Promise.resolve();
  return {
    emit(event) {
      chain = chain.then(async () => {
        for (const reporter of reporters) await deliver(reporter, event);
      });
      return chain;
    },
    failures: () => [...failed.values()],
  };
}
