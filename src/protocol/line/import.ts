/** The `line` protocol: every server line is a reply of its own. */
import type { ConversationOut, Dialect, DialectDef } from '../dialect.js';

function createLine(out: ConversationOut): Dialect {
  return {
    guess: () => 'server',
    blank: () => undefined,
    client: (text, line) => out.send(text, line),
    server: (text, line) => out.reply([text], line),
    skipGreeting: () => undefined,
    end: () => undefined,
  };
}

export const LINE: DialectDef = {
  create: createLine,
  greeting: { kind: 'any' },
  starttls: () => [],
};
