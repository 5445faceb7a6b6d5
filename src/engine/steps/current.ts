import type { Span } from '../../kernel/span.js';
import type { LiveConnection, TestContext } from '../context.js';
import { StepFailure } from '../failure.js';

/** The connection a step acts on; a step before any connection is a spec bug the loader should have caught. */
export function currentConnection(ctx: TestContext, span: Span): LiveConnection {
  if (!ctx.current) throw new StepFailure('error', 'no open connection: add a `connect` step first, or reopen after `close`', span);
  return ctx.current;
}
