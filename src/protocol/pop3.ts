/**
 * POP3 replies (RFC 1939 §3). STUB: framing lands in a later commit.
 */
import type { ProtocolDef } from './types.js';
import { createLineSession } from './line.js';

export const pop3: ProtocolDef = {
  name: 'pop3',
  // RFC 1939 §3 (110), RFC 8314 §3.3 (995: implicit TLS).
  wellKnownPorts: [110, 995],
  hasReplyCodes: false,
  // RFC 1939 §3 status indicators; `+` is the SASL continuation of RFC 5034 §4.
  statusWords: ['+OK', '-ERR', '+'],
  hasMultiline: true,
  createSession: createLineSession,
};
