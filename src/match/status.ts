/**
 * `status` (format §5): POP3 `+OK`/`-ERR`/`+`, IMAP `OK`/`NO`/`BAD`/`PREAUTH`/`BYE`/`+`,
 * ManageSieve `OK`/`NO`/`BYE`/`+`.
 */
import { PROTOCOLS } from '../protocol/registry.js';
import type { Check } from './types.js';
import { headline, malformedNote, spanOf } from './headline.js';
import { orList } from '../kernel/list.js';

export const checkStatus: Check = (m, reply, env) => {
  if (m.status === undefined || m.status.length === 0) return undefined;
  // Each protocol says whether its words compare in any case (IMAP, ManageSieve) or exactly (POP3).
  const fold = PROTOCOLS[env.ctx.protocol].statusCase === 'any' ? (s: string) => s.toUpperCase() : (s: string) => s;
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
