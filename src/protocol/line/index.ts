/** `line`: one reply is one line, for protocols convospec does not know (format §4). */
import type { ProtocolDef } from '../types.js';
import { createLineSession } from './framer.js';
import { LINE } from './import.js';

export const line: ProtocolDef = {
  name: 'line',
  title: 'line',
  wellKnownPorts: [],
  hasReplyCodes: false,
  statusWords: [],
  statusCase: 'exact',
  hasMultiline: false,
  headline: 'first',
  data: { allowed: true },
  // Replies answer nothing in particular.
  replyOrder: 'none',
  dataReplies: () => 0,
  import: {
    dialect: LINE,
    ports: {},
    serverShapes: [],
    clientShapes: [],
    opensslStarttls: [],
    credentials: { continuation: /^\+(?: (.*))?$/, challenge: '^(\\S+)$' },
  },
  createSession: createLineSession,
};
