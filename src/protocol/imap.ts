/**
 * IMAP replies (RFC 9051, RFC 3501). STUB: framing lands in a later commit.
 */
import type { ProtocolDef } from './types.js';
import { createLineSession } from './line.js';

export const imap: ProtocolDef = {
  name: 'imap',
  // RFC 9051 §2.1 (143), RFC 8314 §3.3 (993: implicit TLS).
  wellKnownPorts: [143, 993],
  hasReplyCodes: false,
  // RFC 9051 §7.1 status responses, and `+` continuation requests (§7.5).
  statusWords: ['OK', 'NO', 'BAD', 'PREAUTH', 'BYE', '+'],
  hasMultiline: false,
  createSession: createLineSession,
};
