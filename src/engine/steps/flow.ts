/** `set`, `repeat`, `retry` and `include` (format §3): steps that run other steps or set variables. */
import type { Step, StepOf } from '../../kernel/model.js';
import type { TestContext } from '../context.js';
import type { Value } from '../../template/types.js';
import { evaluateTracked, setVariable } from '../values.js';
import { StepFailure } from '../failure.js';
import { turn } from './turn.js';

export type RunSteps = (steps: readonly Step[], ctx: TestContext) => Promise<void>;

export async function runSet(step: StepOf<'set'>, ctx: TestContext): Promise<void> {
  for (const def of step.vars) setVariable(ctx, def.name, evaluateTracked(ctx, def.value));
}

export async function runRepeat(step: StepOf<'repeat'>, ctx: TestContext, runSteps: RunSteps): Promise<void> {
  for (let i = 0; i < step.times; i++) {
    const turning = turn(ctx);
    if (turning !== undefined) await turning;
    if (ctx.stop.stopped) return;
    if (step.as !== undefined) setVariable(ctx, step.as, { text: String(i), secret: false });
    try {
      await runSteps(step.steps, ctx);
    } catch (error) {
      if (error instanceof StepFailure && i > 0) error.laterTurn = true;
      throw error;
    }
  }
}

export async function runRetry(step: StepOf<'retry'>, ctx: TestContext, runSteps: RunSteps): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await runSteps(step.steps, ctx);
      return;
    } catch (error) {
      // Only what the server did (or did not do) is worth another try; our own errors are not.
      if (!(error instanceof StepFailure) || error.kind === 'error' || error.kind === 'interrupted') throw error;
      if (attempt >= step.times) throw error;
      ctx.record('info', `retry ${attempt}/${step.times} failed: ${error.message}; trying again in ${step.delayMs}ms`);
      ctx.activeSpan = step.span; // a deadline or Ctrl-C during the delay stops the retry, not the retried step
      await ctx.world.sleep(step.delayMs, ctx.stop.signal);
      // A new try waits for no answer to the last one: a late answer read by it is one
      // nobody asked for (format §4), not the answer to its own command.
      for (const live of ctx.connections.values()) live.answers.reset();
    }
  }
}

/**
 * A fragment runs with the including test's variables, its own defaults for parameters the
 * test did not set, and `with:` on top. Afterwards those parameters are as they were, and
 * what the fragment set or captured stays known, as the loader's checks assume
 * (docs/format.md §3, include).
 */
export async function runInclude(step: StepOf<'include'>, ctx: TestContext, runSteps: RunSteps): Promise<void> {
  const params = new Map<string, Value | undefined>();
  const bind = (name: string, value: Value): void => {
    if (!params.has(name)) params.set(name, ctx.vars.get(name));
    setVariable(ctx, name, value);
  };
  for (const def of step.fragment.vars) if (!ctx.vars.has(def.name)) bind(def.name, evaluateTracked(ctx, def.value));
  const given = step.with.map((def) => [def.name, evaluateTracked(ctx, def.value)] as const);
  for (const [name, value] of given) bind(name, value);
  ctx.dirs.set(step.fragment.file, step.fragment.baseDir);
  try {
    await runSteps(step.fragment.steps, ctx);
  } catch (error) {
    if (error instanceof StepFailure) error.includedFrom.push(step.span);
    throw error;
  } finally {
    for (const [name, before] of params) {
      if (before === undefined) ctx.vars.delete(name);
      else ctx.vars.set(name, before);
    }
  }
}
