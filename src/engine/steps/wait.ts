/** `silent` and `sleep` (format §3). */
import type { StepOf } from '../../kernel/model.js';
import type { TestContext } from '../context.js';
import { deadlineFor } from '../context.js';
import { fromTransport, isTransportError, StepFailure } from '../failure.js';
import { formatDuration } from '../../kernel/duration.js';
import { readLine } from '../../transport/index.js';
import { currentConnection } from './current.js';


/** How long to keep reading, once silence was broken, to show the user what came. */
const SHOW_WHAT_CAME_MS = 200;

export async function runSilent(step: StepOf<'silent'>, ctx: TestContext): Promise<void> {
  const live = currentConnection(ctx, step.span);
  const { at, wait } = deadlineFor(ctx, step.durationMs);
  let spoke: boolean;
  try {
    spoke = await live.connection.waitForData(at);
  } catch (error) {
    if (isTransportError(error)) throw fromTransport(error, step.span, 'silence', wait, ctx.redactor);
    throw error;
  }
  if (wait.deadlineBound && !spoke) {
    throw new StepFailure('deadline', `the test's deadline of ${formatDuration(ctx.test.deadlineMs)} was reached while waiting for silence`, step.span);
  }
  if (!spoke) return;
  const line = await readLine(live.connection, ctx.world.clock.now() + SHOW_WHAT_CAME_MS)
    .then((l) => ctx.redactor.tail(l))
    .catch((error: unknown) => (isTransportError(error) && error.partial ? ctx.redactor.tail(error.partial) : ''));
  ctx.record('s', line);
  throw new StepFailure('mismatch', `expected no data for ${formatDuration(step.durationMs)}, but the server sent: "${line}"`, step.span, {
    expected: 'silence',
    actual: line,
  });
}

export async function runSleep(step: StepOf<'sleep'>, ctx: TestContext): Promise<void> {
  await ctx.world.sleep(step.durationMs, ctx.stop.signal);
}
