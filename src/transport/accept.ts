/** A `Connection` over a socket a listener accepted (`convospec serve`, format §9). */
import type { Socket } from 'node:net';
import { SocketConnection } from './connection.js';
import { limitsError } from './limits.js';
import { target } from './tcp.js';
import { acceptHandshake, type ServerTls } from './tls-accept.js';
import type { Clock, StopSignal } from './types.js';
import type { Limits } from '../kernel/model.js';
import { WaitGroup, type WaitContext } from './wait.js';

export interface AcceptOptions {
  readonly limits: Limits;
  readonly clock: Clock;
  readonly stop?: StopSignal;
  /** Implicit TLS: the server side of the handshake, before anything else, by `deadline`. */
  readonly tls?: ServerTls;
  readonly deadline: number;
}

const ignore = (): void => undefined;

export async function adoptSocket(socket: Socket, options: AcceptOptions): Promise<SocketConnection> {
  socket.on('error', ignore);
  const tooLarge = limitsError(options.limits);
  if (tooLarge) {
    socket.destroy();
    throw tooLarge;
  }
  socket.setNoDelay(true);
  const group = new WaitGroup(options.clock, options.stop);
  const context: WaitContext = { clock: options.clock, ...(options.stop ? { stop: options.stop } : {}), group };
  const host = socket.remoteAddress ?? '';
  const settings = { host, target: target(host, socket.remotePort ?? 0), limits: options.limits, context };
  try {
    if (!options.tls) return new SocketConnection(socket, settings);
    const secured = await acceptHandshake(socket, options.tls, options.deadline, context);
    return new SocketConnection(secured.socket, { ...settings, tls: secured.info }, [socket]);
  } catch (error) {
    group.dispose();
    throw error;
  }
}
