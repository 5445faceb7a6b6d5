/**
 * Steps that finish without waiting (`set`, a `repeat` of them, a send the kernel takes at
 * once) never give the event loop a turn by themselves: the test's deadline timer, Ctrl-C
 * and the other tests' sockets and timers would wait for the whole loop. Every
 * `STEPS_PER_TURN` steps (and `repeat` rounds) of a test, the loop gets a turn.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { TestContext } from '../context.js';

/** Steps between turns: enough that a turn is rare, few enough that no test holds the loop long. */
export const STEPS_PER_TURN = 256;

/** Undefined most of the time; every `STEPS_PER_TURN` calls, a promise of the next turn. */
export function turn(ctx: TestContext): Promise<void> | undefined {
  if (++ctx.stepsSinceTurn < STEPS_PER_TURN) return undefined;
  ctx.stepsSinceTurn = 0;
  return nextTurn();
}
