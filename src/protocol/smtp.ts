/**
 * SMTP replies (RFC 5321 §4.2). STUB: framing lands in the next commit.
 */
import type { ProtocolDef } from './types.js';
import { createLineSession } from './line.js';

export const smtp: ProtocolDef = {
  name: 'smtp',
  // RFC 5321 §4.5.4.2 (25), RFC 6409 §3.1 (587), RFC 8314 §3.3 (465: implicit TLS).
  wellKnownPorts: [25, 465, 587],
  hasReplyCodes: true,
  statusWords: [],
  hasMultiline: false,
  createSession: createLineSession,
};
