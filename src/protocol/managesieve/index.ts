/** ManageSieve (RFC 5804): every fact convospec knows about it. */
import type { ProtocolDef } from '../types.js';
import { createManageSieveSession } from './framer.js';
import { MANAGESIEVE } from './import.js';

export const managesieve: ProtocolDef = {
  name: 'managesieve',
  title: 'ManageSieve',
  // RFC 5804 §1.8 (4190).
  wellKnownPorts: [4190],
  hasReplyCodes: false,
  // RFC 5804 §4 status responses, and `+` for an AUTHENTICATE challenge (§2.1).
  statusWords: ['OK', 'NO', 'BYE', '+'],
  // RFC 5804 §4 is ABNF, whose strings are case-insensitive (RFC 5234 §2.3).
  statusCase: 'any',
  hasMultiline: false,
  // The status line ends each response (RFC 5804 §4).
  headline: 'last',
  data: { allowed: false, hint: 'send a script as a literal: the `c:` lines after `PUTSCRIPT "name" {n+}` are its n bytes' },
  replyOrder: 'in-turn',
  dataReplies: () => 0,
  import: {
    dialect: MANAGESIEVE,
    ports: { plain: 4190 },
    // The greeting is the capability list (RFC 5804 §1.7), `"IMPLEMENTATION" "…"` and kin.
    serverShapes: [/^"(?:IMPLEMENTATION|SASL|SIEVE|STARTTLS|VERSION|NOTIFY|MAXREDIRECTS|LANGUAGE|OWNER)"(?: |$)/i],
    clientShapes: [/^(?:PUTSCRIPT|GETSCRIPT|LISTSCRIPTS|SETACTIVE|DELETESCRIPT|RENAMESCRIPT|CHECKSCRIPT|HAVESPACE)\b/i],
    opensslStarttls: ['sieve'],
    credentials: {
      // RFC 5804 §2.1: the mechanism, the initial response, challenges and responses are strings.
      continuation: /^"([^"]*)"$/,
      challenge: '^"([^"]+)"$',
      authCommand: /^(AUTHENTICATE)\s+"([^"]+)"(?:\s+"([^"]*)")?\s*$/i,
      quoted: true,
    },
  },
  createSession: createManageSieveSession,
};
