/**
 * The caller's hooks (`onEvent`, their own reporters) behind a guard: the engine hands
 * transcript lines on without waiting for them, so an error thrown by a hook would otherwise
 * be an unhandled rejection, which ends a Node process. The first error is kept, that hook
 * gets no more events, and `run()` rejects with it once the run has ended.
 */
import type { Reporter } from '../report/types.js';

export interface Guarded {
  readonly reporters: Reporter[];
  /** The first error a hook threw, if any. */
  readonly error: () => { readonly thrown: unknown } | undefined;
}

const HOOKS = ['onRunStart', 'onTestStart', 'onTranscript', 'onTestEnd', 'onLoadEnd', 'onRunEnd', 'onInvalidSpecs'] as const satisfies readonly (keyof Reporter)[];

export function guardReporters(reporters: readonly Reporter[]): Guarded {
  let first: { readonly thrown: unknown } | undefined;
  const guarded = reporters.map((reporter) => {
    let failed = false;
    const safe: Reporter = {};
    for (const hook of HOOKS) {
      const call = reporter[hook] as ((...args: unknown[]) => void | Promise<void>) | undefined;
      if (call === undefined) continue;
      (safe as Record<string, unknown>)[hook] = async (...args: unknown[]): Promise<void> => {
        if (failed) return;
        try {
          await call.apply(reporter, args);
        } catch (thrown) {
          failed = true;
          first ??= { thrown };
        }
      };
    }
    return safe;
  });
  return { reporters: guarded, error: () => first };
}
