/**
 * A `Connection` over a socket a listener accepted (`convospec serve`, format §9). The listener
 * sets `noDelay` (replies go out when written).
 */
import type { Socket } from 'node:net';
import { SocketConnection } from './connection.js';
import { limitsError } from './limits.js';
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
  const group = new WaitGroup(options.clock, options.stop);
  const context: WaitContext = { clock: options.clock, ...(options.stop ? { stop: options.stop } : {}), group };
  // Who the peer is only matters to messages: asked once per connection it costs a getpeername
  // system call, which a sink taking thousands of connections a second notices.
  const settings = { host: 'the client', target: 'the client', limits: options.limits, context };
  try {
    if (!options.tls) return new SocketConnection(socket, settings);
    const secured = await acceptHandshake(socket, options.tls, options.deadline, context);
    return new SocketConnection(secured.socket, { ...settings, tls: secured.info }, [socket]);
  } catch (error) {
    group.dispose();
    throw error;
  }
}
