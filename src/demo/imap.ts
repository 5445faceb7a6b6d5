/**
 * The demo's IMAP listeners: IMAP_PORT (STARTTLS, LOGINDISABLED until then) and IMAPS_PORT
 * (implicit TLS, RFC 8314), both serving the shared MailStore.
 */
import { ImapSession } from './imap-session.js';
import type { ImapContext } from './imap-session.js';
import { listenPair } from './listener.js';

export type { ImapContext } from './imap-session.js';

export interface ImapListeners {
  readonly ports: { readonly imap: number; readonly imaps: number };
  close(): Promise<void>;
}

export async function startImap(context: ImapContext & { readonly host: string }): Promise<ImapListeners> {
  const pair = await listenPair('imap', context, (io, offersStartTls) => new ImapSession(io, context, offersStartTls).run());
  return { ports: { imap: pair.plainPort, imaps: pair.tlsPort }, close: () => pair.close() };
}
