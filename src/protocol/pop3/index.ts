/** POP3 (RFC 1939): every fact convospec knows about it. */
import type { ProtocolDef } from '../types.js';
import { classifyPop3Command, createPop3Session } from './framer.js';
import { POP3 } from './import.js';

export const pop3: ProtocolDef = {
  name: 'pop3',
  title: 'POP3',
  // RFC 1939 §3 (110), RFC 8314 §3.3 (995: implicit TLS).
  wellKnownPorts: [110, 995],
  hasReplyCodes: false,
  // RFC 1939 §3 status indicators; `+` is the SASL continuation of RFC 5034 §4.
  statusWords: ['+OK', '-ERR', '+'],
  // Status indicators are upper case by definition (RFC 1939 §3).
  statusCase: 'exact',
  hasMultiline: true,
  // The status comes first (RFC 1939 §3).
  headline: 'first',
  data: { allowed: false },
  replyOrder: 'in-turn',
  dataReplies: () => 0,
  import: {
    dialect: POP3,
    ports: { plain: 110, tls: 995 },
    serverShapes: [/^(?:\+OK|-ERR)(?: |$)/],
    clientShapes: [/^(?:USER|APOP|CAPA|STLS|STAT|RETR)\b/i],
    opensslStarttls: ['pop3'],
    credentials: {
      continuation: /^\+(?: (.*))?$/,
      challenge: '^\\+ (\\S+)$',
      authCommand: /^(AUTH)\s+(\S+)(?:\s+(\S+))?\s*$/i,
      login: 'pop3',
    },
  },
  createSession: createPop3Session,
  serve: {
    multilineAnswer: (line) => classifyPop3Command(line).multiline,
    // RFC 1939 §3: keywords are case-insensitive; a lone word that is no keyword (a SASL response) stays as it is.
    commandKey: (line) => line.replace(/^(USER|PASS|APOP|STAT|LIST|RETR|DELE|NOOP|RSET|QUIT|TOP|UIDL|CAPA|STLS|AUTH)(?=\s|$)/i, (k) => k.toUpperCase()),
  },
};
