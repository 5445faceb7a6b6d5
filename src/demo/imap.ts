/**
 * The demo's IMAP listeners: IMAP_PORT (STARTTLS, LOGINDISABLED until then) and IMAPS_PORT
 * (implicit TLS, RFC 8314), both serving the shared MailStore.
 */
import type net from 'node:net';
import { ImapSession } from './imap-session.js';
import type { ImapContext } from './imap-session.js';
import { LineSocket } from './line-socket.js';
import { listen } from './listener.js';
import type { Listener } from './listener.js';

export type { ImapContext } from './imap-session.js';

export interface ImapListeners {
  readonly ports: { readonly imap: number; readonly imaps: number };
  close(): Promise<void>;
}

export async function startImap(context: ImapContext & { readonly host: string }): Promise<ImapListeners> {
  const { limits, logger } = context;
  const serve = (offersStartTls: boolean) => (socket: net.Socket) => {
    const io = new LineSocket(socket, limits);
    void new ImapSession(io, context, offersStartTls).run().catch((error: unknown) => {
      logger.error(`demo imap: ${error instanceof Error ? error.message : String(error)}`);
      io.destroy();
    });
  };
  const common = {
    host: context.host,
    maxConnections: limits.connections,
    handshakeMs: limits.idleMs,
    onError: (error: Error) => logger.error(`demo imap: ${error.message}`),
  };
  const listeners: Listener[] = [];
  try {
    listeners.push(await listen({ ...common, onSocket: serve(true) }));
    listeners.push(await listen({ ...common, tls: context.keyPair, onSocket: serve(false) }));
  } catch (error) {
    await Promise.all(listeners.map((l) => l.close()));
    throw error;
  }
  return {
    ports: { imap: listeners[0]?.port ?? 0, imaps: listeners[1]?.port ?? 0 },
    close: async () => {
      await Promise.all(listeners.map((l) => l.close()));
    },
  };
}
