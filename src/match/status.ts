/**
 * `status` (spec §5): POP3 `+OK`/`-ERR`/`+`, IMAP `OK`/`NO`/`BAD`/`PREAUTH`/`BYE`/`+`,
 * ManageSieve `OK`/`NO`/`BYE`/`+`.
 */
import type { ProtocolName } from '../spec/model.js';
import type { Check } from './types.js';
import { headline, malformedNote } from './headline.js';

/**
 * IMAP status words are case-insensitive (RFC 9051 §9: "ASCII-insensitive" atoms), and so
 * are ManageSieve's (RFC 5804 §4 is ABNF, whose strings are, RFC 5234 §2.3);
 * POP3 status indicators are upper case by definition (RFC 1939 §3), so compare exactly.
 */
const CASE_INSENSITIVE: Readonly<Record<ProtocolName, boolean>> = {
  imap: true,
  managesieve: true,
  pop3: false,
  smtp: false,
  lmtp: false,
  line: false,
};

export const checkStatus: Check = (m, reply, env) => {
  if (m.status === undefined) return undefined;
  const wanted = m.status.value.trim();
  const base = { span: m.status.span, expected: wanted, actual: headline(reply, env.ctx.protocol) };
  if (reply.status === undefined) {
    return { ...base, message: `expected status ${wanted}, got a reply without a status${malformedNote(reply)}` };
  }
  const fold = CASE_INSENSITIVE[env.ctx.protocol] ? (s: string) => s.toUpperCase() : (s: string) => s;
  if (fold(reply.status) === fold(wanted)) return undefined;
  return { ...base, message: `expected status ${wanted}, got ${reply.status}` };
};
