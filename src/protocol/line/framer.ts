/**
 * `line`: one reply is one line, for protocols convospec does not know (format §4).
 */
import type { FrameStep, ProtocolSession, ReplyFramer } from '../types.js';
import { createReplyBuilder } from '../reply-builder.js';

function createLineFramer(): ReplyFramer {
  const reply = createReplyBuilder();
  return {
    start: (): FrameStep => ({ need: 'line' }),
    line(raw) {
      const text = reply.line(raw);
      return { need: 'done', reply: reply.build({ text }) };
    },
    bytes() {
      throw new Error('line framer: no bytes were asked for');
    },
  };
}

export function createLineSession(): ProtocolSession {
  return {
    sent() {
      // One line per reply whatever was sent: nothing to track.
    },
    begin: () => createLineFramer(),
  };
}
