/**
 * `onEvent`: the reporter hooks turned back into the events they came from, so a caller of
 * `run()` gets every event in order, after the reporters before it, through the one dispatcher.
 */
import type { InvalidFile, RunEvent as EngineEvent } from '../engine/events.js';
import type { Reporter } from '../report/types.js';

/** Specs that failed to load: nothing ran, and no other event comes (format §8). */
export interface InvalidSpecsEvent {
  readonly type: 'invalid-specs';
  readonly files: readonly InvalidFile[];
}

/**
 * What a run tells `onEvent`: `run-start`, then per test `test-start`, `transcript` lines (as
 * they happen) and `test-end`, then `run-end`; or `invalid-specs` alone.
 */
export type ConvospecEvent = EngineEvent | InvalidSpecsEvent;

export type OnEvent = (event: ConvospecEvent) => void | Promise<void>;

export function eventReporter(onEvent: OnEvent): Reporter {
  return {
    onRunStart: (suites, startedAt) => onEvent({ type: 'run-start', suites, startedAt }),
    onTestStart: (test) => onEvent({ type: 'test-start', test }),
    onTranscript: (test, entry) => onEvent({ type: 'transcript', test, entry }),
    onTestEnd: (result) => onEvent({ type: 'test-end', result }),
    onRunEnd: (results, summary) => onEvent({ type: 'run-end', results, summary }),
    onInvalidSpecs: (files) => onEvent({ type: 'invalid-specs', files }),
  };
}
