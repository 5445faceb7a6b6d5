/** Listening sockets (the serve stage's network edge), behind an interface tests can replace. */
import net from 'node:net';
import type { Socket } from 'node:net';
import { listenFailure } from '../transport/listen.js';

export interface Listener {
  /** The address bound (the port picked when 0 was asked). */
  readonly host: string;
  readonly port: number;
  /** Each accepted connection, in order. */
  onConnection(handler: (socket: Socket) => void): void;
  close(): void;
}

export type Listen = (host: string, port: number) => Promise<Listener>;

/** Why a port could not be listened on, for the user (the CLI exits 2). */
export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}

export const listenTcp: Listen = (host, port) =>
  new Promise<Listener>((resolve, reject) => {
    const server = net.createServer({ noDelay: true });
    let handler: (socket: Socket) => void = (socket) => socket.destroy();
    server.on('connection', (socket) => handler(socket));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new ListenError(listenFailure(error, host, port)));
    });
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.on('error', () => undefined);
      resolve({
        host,
        port: bound,
        onConnection(h) {
          handler = h;
        },
        close() {
          server.close();
        },
      });
    });
  });
