/**
 * LMTP replies (RFC 2033): the SMTP reply format (RFC 2033 §4.2 refers to RFC 5321 §4.2).
 * After the final `.` of DATA the server sends one reply per accepted recipient
 * (RFC 2033 §4.2); each is an ordinary reply, read by its own `s:`.
 */
import type { ProtocolDef } from './types.js';
import { createSmtpSession } from './smtp.js';

export const lmtp: ProtocolDef = {
  name: 'lmtp',
  // RFC 2033 §5: LMTP must not use port 25; 24 is the usual choice (format §2).
  wellKnownPorts: [24],
  hasReplyCodes: true,
  statusWords: [],
  hasMultiline: false,
  createSession: createSmtpSession,
};
