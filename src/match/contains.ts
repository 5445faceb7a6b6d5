/** `contains` and `excludes` (format §5): items looked for line by line. */
import type { Check } from './types.js';
import { containingPhrase, occurs, resolve } from './pattern.js';
import { quote, shownLines } from './show.js';

/** Every item is found in some line (not necessarily the same one). */
export const checkContains: Check = (m, reply, env) => {
  for (const item of m.contains ?? []) {
    const want = resolve(item, env);
    if (reply.lines.some((line) => occurs(want, line))) continue;
    return {
      span: item.span,
      message: `expected a line ${containingPhrase(want)}`,
      expected: want.shown,
      actual: shownLines(reply.lines),
    };
  }
  return undefined;
};

/** No item is found in any line. */
export const checkExcludes: Check = (m, reply, env) => {
  for (const item of m.excludes ?? []) {
    const want = resolve(item, env);
    const at = reply.lines.findIndex((line) => occurs(want, line));
    if (at < 0) continue;
    return {
      span: item.span,
      message: `expected no line ${containingPhrase(want)}, got line ${at + 1} ${quote(reply.lines[at] ?? '')}`,
      expected: `no line ${containingPhrase(want)}`,
      actual: shownLines(reply.lines),
    };
  }
  return undefined;
};
