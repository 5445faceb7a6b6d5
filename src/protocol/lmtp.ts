/**
 * LMTP replies (RFC 2033): framed as SMTP. STUB: framing lands in the next commit.
 */
import type { ProtocolDef } from './types.js';
import { createLineSession } from './line.js';

export const lmtp: ProtocolDef = {
  name: 'lmtp',
  // RFC 2033 §5: LMTP must not use port 25; 24 is the usual choice (spec §2).
  wellKnownPorts: [24],
  hasReplyCodes: true,
  statusWords: [],
  hasMultiline: false,
  createSession: createLineSession,
};
