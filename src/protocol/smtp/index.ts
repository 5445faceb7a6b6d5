/** SMTP (RFC 5321): every fact convospec knows about it. */
import type { ProtocolDef } from '../types.js';
import { createSmtpSession } from './framer.js';
import { smtpCodeLine, smtpCommandKey } from './serve.js';
import { SMTP_CREDENTIALS, SMTP_SERVER_SHAPES, smtpDialect } from './import.js';

export const smtp: ProtocolDef = {
  name: 'smtp',
  title: 'SMTP',
  // RFC 5321 §4.5.4.2 (25), RFC 6409 §3.1 (587), RFC 8314 §3.3 (465: implicit TLS).
  wellKnownPorts: [25, 465, 587],
  hasReplyCodes: true,
  statusWords: [],
  statusCase: 'exact',
  hasMultiline: false,
  // The first line holds the code and the enhanced code that `enhanced` reads (RFC 5321 §4.2, RFC 3463).
  headline: 'first',
  data: { allowed: true },
  // One reply per command line (RFC 5321 §4.2), and one to the end of a DATA body.
  replyOrder: 'in-turn',
  dataReplies: () => 1,
  import: {
    dialect: smtpDialect('EHLO', false),
    ports: { plain: 25, tls: 465 },
    serverShapes: SMTP_SERVER_SHAPES,
    clientShapes: [/^(?:EHLO|HELO|MAIL FROM:|STARTTLS)\b/i],
    opensslStarttls: ['smtp'],
    credentials: SMTP_CREDENTIALS,
  },
  createSession: createSmtpSession,
  serve: { codeLine: smtpCodeLine, commandKey: smtpCommandKey },
};
