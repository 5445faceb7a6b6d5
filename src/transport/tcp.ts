/** A TCP connection, bounded by the deadline, with Node's errors in the engine's terms. */
import net from 'node:net';
import type { Socket } from 'node:net';
import { socketError } from './errors.js';
import { formatDuration } from '../kernel/duration.js';
import { TransportError } from './types.js';
import { waitUntil } from './wait.js';
import type { SocketIntake } from './intake.js';
import type { WaitContext } from './wait.js';

/** `127.0.0.1:25`, `[::1]:25`. */
export function target(host: string, port: number): string {
  // An IPv6 address holds a colon: asking first spares most hosts Node's IPv6 regex, compiled on first use.
  return host.includes(':') && net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

const ignore = (): void => undefined;

/** Options Node's stream constructors read that its connect options' type leaves out. */
interface StreamDefaults {
  emitClose: boolean;
  autoDestroy: boolean;
  decodeStrings: boolean;
}

/**
 * With `intake`, what the socket receives goes there instead of to 'data' events (intake.ts).
 *
 * The connect options start with the four stream options Node's Socket constructor sets on its
 * copy of them (net.js: `options = { ...options }`, then `allowHalfOpen`, `emitClose`,
 * `autoDestroy`, `decodeStrings`), with the values it sets, so nothing changes. Why: Node 20's
 * V8 (11.3) is slow to add a property to an object made by spreading another (each add takes
 * the runtime's slow path), and Node's stream constructors then read that copy slowly too.
 * With the four already there, the constructor overwrites them instead of adding them.
 */
export async function connectTcp(host: string, port: number, deadline: number, context: WaitContext, intake?: SocketIntake): Promise<Socket> {
  const where = target(host, port);
  const started = context.clock.now();
  // Written out, not `{ ...defaults, host }`: that is the slow shape described above.
  const options: net.TcpNetConnectOpts & StreamDefaults = { allowHalfOpen: false, emitClose: false, autoDestroy: true, decodeStrings: false, host, port };
  if (intake) options.onread = intake.onread;
  const socket = net.connect(options);
  // Errors are read by whoever listens at the moment; this keeps a late one from crashing the run.
  socket.on('error', ignore);
  try {
    await waitUntil<void>(
      context,
      deadline,
      (settle) => {
        const within = formatDuration(deadline - started);
        settle.reject(new TransportError('timeout', `could not connect to ${where} within ${within}`));
      },
      (settle) => {
        const onConnect = (): void => settle.resolve();
        const onError = (error: Error): void => settle.reject(socketError(error, 'connect', where));
        // `on`, not `once`: the cleanup below removes both at the first settle anyway, and
        // `once` wraps each listener in a bound function, per connection.
        socket.on('connect', onConnect);
        socket.on('error', onError);
        return () => {
          socket.off('connect', onConnect);
          socket.off('error', onError);
        };
      },
    );
  } catch (error) {
    socket.destroy();
    throw error;
  }
  // Commands go out when written: a test tool must not let Nagle merge or delay its sends.
  socket.setNoDelay(true);
  return socket;
}
