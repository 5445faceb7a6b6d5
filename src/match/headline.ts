/** The line of a reply that carries its code or status, shown as `actual` in failures. */
import type { ProtocolName } from '../kernel/model.js';
import { PROTOCOLS } from '../protocol/registry.js';
import type { Reply } from '../protocol/types.js';
import type { Span } from '../kernel/span.js';
import { printable } from './show.js';

export function headline(reply: Reply, protocol: ProtocolName): string {
  // Each protocol says which line holds it: IMAP's tagged completion comes last, SMTP's code first.
  const line = PROTOCOLS[protocol].headline === 'first' ? reply.lines[0] : reply.lines[reply.lines.length - 1];
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
