/**
 * The step table: one runner per step kind, keyed by its YAML key (format §3). A new step kind is one new entry;
 * the mapped type makes a missing one a compile error.
 */
import type { StepKind, StepOf } from '../../kernel/model.js';
import type { TestContext } from '../context.js';
import { StepFailure } from '../failure.js';
import { runC, runData, runSend } from './send.js';
import { runS } from './s.js';
import { runClose, runConnect, runTls, runUse } from './connection.js';
import { runSilent, runSleep } from './wait.js';
import { turn } from './turn.js';
import { conditionHolds } from '../when.js';
import { runInclude, runRepeat, runRetry, runSet, type RunSteps } from './flow.js';

/**
 * A runner returns undefined when its step finished at once (a send the kernel took), else a
 * promise: an `await` per step and layer would add a trip through the microtask queue to
 * every step of a load run.
 */
type StepRunner<K extends StepKind> = (step: StepOf<K>, ctx: TestContext, runSteps: RunSteps) => Promise<void> | undefined;

const STEP_RUNNERS: { readonly [K in StepKind]: StepRunner<K> } = {
  c: runC,
  send: runSend,
  data: runData,
  s: runS,
  tls: runTls,
  connect: runConnect,
  use: runUse,
  close: runClose,
  silent: runSilent,
  sleep: runSleep,
  set: runSet,
  repeat: runRepeat,
  retry: runRetry,
  include: runInclude,
};

export const runSteps: RunSteps = async (steps, ctx) => {
  const clock = ctx.world.clock;
  // Load mode times every step; one step's end is the next one's start (one clock read per
  // step, not two: a load run reads the clock millions of times).
  let now = ctx.onStep ? clock.now() : 0;
  for (const step of steps) {
    const turning = turn(ctx);
    if (turning !== undefined) await turning;
    if (ctx.stop.stopped) return;
    if (step.when && !conditionHolds(step.when, ctx.vars)) continue;
    ctx.activeSpan = step.span;
    const started = now;
    if (ctx.onStep) ctx.stepStartedAt = started;
    try {
      const pending = (STEP_RUNNERS[step.kind] as StepRunner<StepKind>)(step, ctx, runSteps);
      if (pending !== undefined) await pending;
    } catch (error) {
      ctx.onStep?.(step, clock.now() - started, false);
      if (error instanceof StepFailure && error.stepName === undefined && step.name !== undefined) error.stepName = step.name;
      throw error;
    }
    if (ctx.onStep) {
      now = clock.now();
      ctx.onStep(step, now - started, true);
    }
  }
};
