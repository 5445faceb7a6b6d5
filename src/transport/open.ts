/** `openConnection`: TCP connect, then with implicit TLS the handshake, all within one deadline. */
import { SocketConnection } from './connection.js';
import { SocketIntake } from './intake.js';
import { limitsError } from './limits.js';
import { connectTcp, target } from './tcp.js';
import { handshake } from './tls-handshake.js';
import type { Connection, ConnectOptions, OpenConnection } from './types.js';
import { stopSignalOf } from './stop.js';
import { WaitGroup } from './wait.js';
import type { WaitContext } from './wait.js';

export const openConnection: OpenConnection = async (options: ConnectOptions): Promise<Connection> => {
  const tooLarge = limitsError(options.limits);
  if (tooLarge) throw tooLarge;
  // All waits of this connection, from its connect to its close, share one timer (wait.ts).
  const stop = options.stop ?? (options.signal ? stopSignalOf(options.signal) : undefined);
  const group = new WaitGroup(options.clock, stop);
  const context: WaitContext = { clock: options.clock, ...(stop ? { stop } : {}), group };
  try {
    const where = target(options.host, options.port);
    // A plain connection reads through an intake (intake.ts); STARTTLS later still works.
    const intake = options.tls ? undefined : new SocketIntake();
    const socket = await connectTcp(options.host, options.port, options.deadline, context, intake);
    // Implicit TLS ("TLS right at connect", format §2): the same handshake as after STARTTLS,
    // so a failure after TCP connected is always kind `tls`, never `refused`.
    const secured = options.tls ? await handshake(socket, options.host, options.tls, options.deadline, context) : undefined;
    // One literal, not `{ ...base, intake }`: a spread copy given more properties is a slow
    // shape in Node 20's V8 (tcp.ts).
    const settings = { host: options.host, target: where, limits: options.limits, context, intake, tls: secured?.info };
    return secured ? new SocketConnection(secured.socket, settings, [socket]) : new SocketConnection(socket, settings);
  } catch (error) {
    group.dispose();
    throw error;
  }
};
