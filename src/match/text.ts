/** `text`, `whole` (the string shorthand) and `match` (format §5). */
import type { Check } from './types.js';
import { fits, resolve } from './pattern.js';
import { quote, shownLines } from './show.js';

export const checkText: Check = (m, reply, env) => {
  if (m.text === undefined) return undefined;
  const want = resolve(m.text, env);
  if (fits(want, reply.text)) return undefined;
  const how = want.kind === 'exact' ? `text ${want.shown}` : `text matching ${want.shown}`;
  return {
    span: m.text.span,
    message: `expected ${how}, got ${quote(reply.text)}`,
    expected: want.shown,
    actual: shownLines([reply.text]),
  };
};

/** The reply's lines joined by `\n` equal the string, or the regex is found in them. */
export const checkWhole: Check = (m, reply, env) => {
  if (m.whole === undefined) return undefined;
  const want = resolve(m.whole, env);
  if (fits(want, reply.lines.join('\n'))) return undefined;
  const how = want.kind === 'exact' ? `the reply ${want.shown}` : `the reply to match ${want.shown}`;
  return {
    span: m.whole.span,
    message: `expected ${how}, got ${quote(reply.lines.join('\n'))}`,
    expected: want.shown,
    actual: shownLines(reply.lines),
  };
};

export const checkMatch: Check = (m, reply, env) => {
  if (m.match === undefined) return undefined;
  const want = resolve(m.match, env);
  if (fits(want, reply.lines.join('\n'))) return undefined;
  return {
    span: m.match.span,
    message: `expected the reply to match ${want.shown}, got ${quote(reply.lines.join('\n'))}`,
    expected: want.shown,
    actual: shownLines(reply.lines),
  };
};
