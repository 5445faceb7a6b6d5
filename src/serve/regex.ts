/**
 * A regex of a serve step, compiled once per run (the run's cache) and in the form V8's
 * linear-time engine can take over (src/match/linear.ts): a client's line never makes it
 * backtrack for long. Its secret parts are registered with the test's redactor.
 */
import type { RegexPattern } from '../kernel/model.js';
import { scopeOf, type TestContext } from '../engine/context.js';
import { StepFailure } from '../engine/failure.js';
import { linearRegex } from '../match/linear.js';
import { evaluateRegex, TemplateError } from '../template/index.js';

export function clientRegex(ctx: TestContext, pattern: RegexPattern): RegExp {
  try {
    const { regex, secret } = evaluateRegex(pattern.source, pattern.flags, scopeOf(ctx), ctx.world.regexCache);
    if (secret) ctx.redactor.add(regex.source);
    return linearRegex(regex, ctx.world.regexCache);
  } catch (error) {
    if (error instanceof TemplateError) throw new StepFailure('error', error.message, pattern.span);
    throw error;
  }
}
