/**
 * `status` (format §5): POP3 `+OK`/`-ERR`/`+`, IMAP `OK`/`NO`/`BAD`/`PREAUTH`/`BYE`/`+`,
 * ManageSieve `OK`/`NO`/`BYE`/`+`.
 */
import type { ProtocolName } from '../kernel/model.js';
import type { Check } from './types.js';
import { headline, malformedNote, spanOf } from './headline.js';
import { orList } from '../kernel/list.js';

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
  if (m.status === undefined || m.status.length === 0) return undefined;
  const fold = CASE_INSENSITIVE[env.ctx.protocol] ? (s: string) => s.toUpperCase() : (s: string) => s;
  const got = reply.status;
  // A reply that fits costs no message: building one is for misses only.
  if (got !== undefined && m.status.some((w) => fold(w.value.trim()) === fold(got))) return undefined;
  const wanted = orList(m.status.map((w) => w.value.trim()), false);
  const base = { span: spanOf(m.status.map((w) => w.span), m.span), expected: wanted, actual: headline(reply, env.ctx.protocol) };
  if (got === undefined) {
    return { ...base, message: `expected status ${wanted}, got a reply without a status${malformedNote(reply)}` };
  }
  return { ...base, message: `expected status ${wanted}, got ${got}` };
};
