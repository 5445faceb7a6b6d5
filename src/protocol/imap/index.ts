/** IMAP (RFC 9051; RFC 3501 alike): every fact convospec knows about it. */
import type { ProtocolDef } from '../types.js';
import { createImapSession } from './framer.js';
import { IMAP } from './import.js';

export const imap: ProtocolDef = {
  name: 'imap',
  title: 'IMAP',
  // RFC 9051 §2.1 (143), RFC 8314 §3.3 (993: implicit TLS).
  wellKnownPorts: [143, 993],
  hasReplyCodes: false,
  // RFC 9051 §7.1 status responses, and `+` continuation requests (§7.5).
  statusWords: ['OK', 'NO', 'BAD', 'PREAUTH', 'BYE', '+'],
  // RFC 9051 §9: status words are "ASCII-insensitive" atoms.
  statusCase: 'any',
  hasMultiline: false,
  // The tagged completion comes last (RFC 9051 §2.2.2).
  headline: 'last',
  data: { allowed: false, hint: 'send an APPEND literal with `send:`' },
  // A tagged completion answers the oldest waiting command of its tag; untagged data and `+`
  // answer nothing (RFC 9051 §7: untagged data may come at any time).
  replyOrder: 'by-tag',
  dataReplies: () => 0,
  import: {
    dialect: IMAP,
    ports: { plain: 143, tls: 993 },
    serverShapes: [/^\* /, /^\S+ (?:OK|NO|BAD) /i],
    clientShapes: [/^\S+ (?:CAPABILITY|LOGIN|AUTHENTICATE|SELECT|EXAMINE|STARTTLS|LOGOUT|ID|NOOP)\b/i],
    opensslStarttls: ['imap'],
    credentials: {
      continuation: /^\+(?: (.*))?$/,
      challenge: '^\\+ (\\S+)$',
      authCommand: /^(\S+\s+AUTHENTICATE)\s+(\S+)(?:\s+(\S+))?\s*$/i,
      login: 'imap',
    },
  },
  createSession: createImapSession,
  // RFC 9051 §2.2.1: each command starts with its tag; the completion repeats it.
  serve: {
    tagged: true,
    // RFC 9051 §9: command names are case-insensitive (compared after the tag).
    commandKey: (rest) => rest.replace(/^[A-Za-z]+(?=\s|$)/, (k) => k.toUpperCase()),
  },
};
