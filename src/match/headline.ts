/** The line of a reply that carries its code or status, shown as `actual` in failures. */
import type { ProtocolName } from '../kernel/model.js';
import type { Reply } from '../protocol/types.js';
import type { Span } from '../kernel/span.js';
import { printable } from './show.js';

/**
 * IMAP puts the tagged completion last (RFC 9051 §2.2.2), and ManageSieve its status line
 * (RFC 5804 §4); POP3 puts its status first (RFC 1939 §3); an SMTP reply's first line holds
 * the code and the enhanced code that `enhanced` reads (RFC 5321 §4.2, RFC 3463).
 */
const HEADLINE: Readonly<Record<ProtocolName, 'first' | 'last'>> = {
  smtp: 'first',
  lmtp: 'first',
  pop3: 'first',
  imap: 'last',
  managesieve: 'last',
  line: 'first',
};

export function headline(reply: Reply, protocol: ProtocolName): string {
  const line = HEADLINE[protocol] === 'first' ? reply.lines[0] : reply.lines[reply.lines.length - 1];
  return printable(line ?? '');
}

/** From the start of the first span to the end of the last (all in one file). */
export function spanOf(spans: readonly Span[], fallback: Span): Span {
  const first = spans[0];
  const last = spans[spans.length - 1];
  if (first === undefined || last === undefined) return fallback;
  return { file: first.file, line: first.line, col: first.col, endLine: last.endLine, endCol: last.endCol };
}

/** `: why` for a reply that broke the protocol's grammar, else nothing. */
export function malformedNote(reply: Reply): string {
  return reply.malformed !== undefined ? ` (${reply.malformed})` : '';
}
