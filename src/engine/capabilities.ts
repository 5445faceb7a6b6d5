/**
 * `requires:` (format §1): what the server advertised in the test's own conversation, and
 * which required capabilities it lacks. Capabilities are read from the replies the test
 * reads, whatever command they answer: SMTP/LMTP `250` replies of more than one line (EHLO,
 * LHLO), IMAP `* CAPABILITY` and `[CAPABILITY …]`, POP3 `+OK` replies of more than one line
 * (CAPA), ManageSieve `"NAME" "value"` lines. What was seen before and after STARTTLS is
 * taken together: most servers offer AUTH only after it.
 *
 * A capability is a keyword with parameters: `AUTH PLAIN LOGIN` (EHLO), `AUTH=PLAIN` (IMAP),
 * `SASL PLAIN` (POP3, ManageSieve `"SASL" "PLAIN"`). `AUTH=PLAIN` and `AUTH PLAIN` ask for
 * the same: the keyword, with that parameter. Case does not matter.
 */
import type { ProtocolName, Spanned } from '../kernel/model.js';
import type { Reply } from '../protocol/types.js';
import { advertises, ehloKeywords, parseKeyword, type Keyword } from '../match/ehlo.js';

type Entry = Keyword;
type Extract = (reply: Reply) => readonly Entry[] | undefined;
const entry = parseKeyword;

const defined = (list: readonly (Entry | undefined)[]): Entry[] => list.filter((e): e is Entry => e !== undefined);

/** EHLO/LHLO: every line after the first of a multi-line 250 reply (RFC 5321 §4.1.1.1). */
const ehlo: Extract = (reply) => (reply.code !== 250 || reply.lines.length < 2 ? undefined : ehloKeywords(reply.lines));

const IMAP_CAPABILITY = /^\*\s+CAPABILITY\s+(.*)$|\[CAPABILITY\s+([^\]]*)\]/i;

/** IMAP: the atoms of `* CAPABILITY …` and of a `[CAPABILITY …]` response code (RFC 9051 §7.2.2). */
const imap: Extract = (reply) => {
  let found: Entry[] | undefined;
  for (const line of reply.lines) {
    const m = IMAP_CAPABILITY.exec(line);
    if (!m) continue;
    const atoms = (m[1] ?? m[2] ?? '').split(/\s+/).map((atom) => entry(atom.replace('=', ' ')));
    (found ??= []).push(...defined(atoms));
  }
  return found;
};

/** POP3: the lines of a multi-line `+OK` reply (CAPA, RFC 2449 §5). */
const pop3: Extract = (reply) => {
  const [first, ...rest] = reply.lines;
  if (!first?.startsWith('+OK') || rest.length === 0) return undefined;
  return defined(rest.map(entry));
};

/** ManageSieve: `"NAME"` or `"NAME" "value"` lines (RFC 5804 §1.7). */
const managesieve: Extract = (reply) => {
  const found = reply.lines.map((line) => /^"([^"]+)"(?:\s+"([^"]*)")?\s*$/.exec(line)).filter((m) => m !== null);
  if (found.length === 0) return undefined;
  return defined(found.map((m) => entry(`${m[1] ?? ''} ${m[2] ?? ''}`)));
};

const EXTRACT: Readonly<Record<ProtocolName, Extract | undefined>> = {
  smtp: ehlo,
  lmtp: ehlo,
  imap,
  pop3,
  managesieve,
  line: undefined,
};

/** What the server advertised so far in one test. */
export class Advertised {
  private readonly entries: Entry[] = [];
  /** Whether any reply advertised capabilities at all. */
  seen = false;

  note(protocol: ProtocolName, reply: Reply): void {
    const found = EXTRACT[protocol]?.(reply);
    if (found === undefined) return;
    this.seen = true;
    this.entries.push(...found);
  }

  /** The required capabilities the server did not advertise. */
  lacking(required: readonly Spanned<string>[]): string[] {
    return required.filter((r) => !this.has(r.value)).map((r) => r.value);
  }

  private has(capability: string): boolean {
    return advertises(this.entries, capability);
  }
}
