/** `capture` (format §5): values taken from the reply into variables for later steps. */
import type { Capture } from '../kernel/model.js';
import type { Reply } from '../protocol/types.js';
import type { Value } from '../template/types.js';
import type { MatchEnv, Miss } from './types.js';
import { resolve } from './pattern.js';
import { shownLines } from './show.js';

/**
 * Each regex is searched in the whole reply (lines joined by `\n`). The value is group 1,
 * or the whole match when the regex has no group (a group that took no part gives "").
 * Captured values are not secret here; the engine makes one secret when its variable is named
 * in the file's `secrets` (format §7).
 * Captures see the scope from before this step: a variable is known from the next step on (§7).
 */
export function takeCaptures(captures: readonly Capture[], reply: Reply, env: MatchEnv): Map<string, Value> | Miss {
  const out = new Map<string, Value>();
  const whole = reply.lines.join('\n');
  for (const c of captures) {
    const want = resolve(c.regex, env);
    const found = want.kind === 'regex' ? want.regex.exec(whole) : null;
    if (found === null) {
      return {
        span: c.span,
        message: `expected ${want.shown} in the reply, to capture ${c.name}`,
        expected: want.shown,
        actual: shownLines(reply.lines),
      };
    }
    const text = found.length > 1 ? (found[1] ?? '') : found[0];
    out.set(c.name, { text, secret: false });
  }
  return out;
}
