/**
 * TCP and implicit-TLS listeners for the IMAP and POP3 sandboxes: bound to one address on
 * port 0, a ceiling on simultaneous connections, and a close() that also ends every session.
 */
import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';

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
