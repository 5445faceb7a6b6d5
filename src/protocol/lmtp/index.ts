/**
 * LMTP (RFC 2033): the SMTP reply format (RFC 2033 §4.2 refers to RFC 5321 §4.2), read by
 * SMTP's framer. After the final `.` of DATA the server sends one reply per accepted
 * recipient (RFC 2033 §4.2); each is an ordinary reply, read by its own `s:`.
 */
import type { ProtocolDef } from '../types.js';
import { smtp } from '../smtp/index.js';
import { smtpDialect } from '../smtp/import.js';

export const lmtp: ProtocolDef = {
  ...smtp,
  name: 'lmtp',
  title: 'LMTP',
  // RFC 2033 §5: LMTP must not use port 25; 24 is the usual choice (format §2).
  wellKnownPorts: [24],
  dataReplies: (recipients) => Math.max(1, recipients),
  import: {
    ...smtp.import,
    dialect: smtpDialect('LHLO', true),
    ports: { plain: 24 },
    // A server line cannot tell LMTP from SMTP: the importer takes SMTP's shapes as LMTP's when the client says LHLO.
    serverShapes: [],
    clientShapes: [/^LHLO\b/i],
    opensslStarttls: ['lmtp'],
  },
};
