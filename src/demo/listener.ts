/**
 * TCP and implicit-TLS listeners for the IMAP and POP3 sandboxes: bound to one address on
 * port 0, a ceiling on simultaneous connections, and a close() that also ends every session.
 */
import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { DemoLimits } from './limits.js';
import { LineSocket } from './line-socket.js';
import type { DemoLogger } from './logger.js';
import type { MailStore } from './mailbox.js';

export interface ListenerOptions {
  readonly host: string;
  /** Implicit TLS (IMAPS, POP3S) with this certificate; plain TCP when absent. */
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly maxConnections: number;
  /** Bound on the implicit-TLS handshake, in milliseconds. */
  readonly handshakeMs: number;
  /** A new session; for implicit TLS, after the handshake. */
  readonly onSocket: (socket: net.Socket) => void;
  readonly onError: (error: Error) => void;
}

export interface Listener {
  readonly port: number;
  close(): Promise<void>;
}

export async function listen(options: ListenerOptions): Promise<Listener> {
  const server = options.tls
    ? tls.createServer({ ...options.tls, handshakeTimeout: options.handshakeMs }, options.onSocket)
    : net.createServer(options.onSocket);
  server.maxConnections = options.maxConnections;
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // A client that fails the handshake only ends its own connection.
  server.on('tlsClientError', (_error: Error, socket: tls.TLSSocket) => socket.destroy());
  server.on('error', options.onError);
  server.listen(0, options.host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

export interface ListenerPairContext {
  readonly host: string;
  readonly keyPair: { readonly cert: string; readonly key: string };
  readonly limits: DemoLimits;
  readonly logger: DemoLogger;
}

/** What the IMAP and POP3 sandboxes both need: the mail store, TLS for STARTTLS/STLS, bounds. */
export interface ServiceContext extends ListenerPairContext {
  readonly serverName: string;
  readonly store: MailStore;
  /** For STARTTLS/STLS. */
  readonly tls: tls.SecureContext;
}

/** A plain listener (offering STARTTLS/STLS) and an implicit-TLS one, serving the same sessions. */
export interface ListenerPair {
  readonly plainPort: number;
  readonly tlsPort: number;
  close(): Promise<void>;
}

/**
 * IMAP and POP3 both listen twice: `run(io, offersStartTls)` serves one connection; an
 * error it throws is logged and ends that connection only.
 */
export async function listenPair(
  name: string,
  context: ListenerPairContext,
  run: (io: LineSocket, offersStartTls: boolean) => Promise<void>,
): Promise<ListenerPair> {
  const { limits, logger } = context;
  const serve = (offersStartTls: boolean) => (socket: net.Socket) => {
    const io = new LineSocket(socket, limits);
    void run(io, offersStartTls).catch((error: unknown) => {
      logger.error(`demo ${name}: ${error instanceof Error ? error.message : String(error)}`);
      io.destroy();
    });
  };
  const common = {
    host: context.host,
    maxConnections: limits.connections,
    handshakeMs: limits.idleMs,
    onError: (error: Error) => logger.error(`demo ${name}: ${error.message}`),
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
    plainPort: listeners[0]?.port ?? 0,
    tlsPort: listeners[1]?.port ?? 0,
    close: async () => {
      await Promise.all(listeners.map((l) => l.close()));
    },
  };
}
