/**
 * `convospec record` (format §10): a recording proxy. Clients connect to `listen`, each is
 * relayed to `to` (relay.ts), and what passed becomes a spec written by the importer
 * (`importSessions`, src/import): one test per client connection, in the order they came.
 * It ends after `connections` client connections are over, or when `signal` aborts (Ctrl-C),
 * with what it has. Sockets and certificates only: files and streams are the caller's.
 */
import net from 'node:net';
import tls from 'node:tls';
import { detectProtocol } from '../import/detect.js';
import { importSessions, type Session, type TlsValues } from '../import/index.js';
import type { ProtocolName } from '../kernel/model.js';
import { createPki, DEFAULT_IPS } from '../pki/index.js';
import { PROTOCOLS } from '../protocol/registry.js';
import { listenFailure } from '../transport/listen.js';
import { target } from '../transport/tcp.js';
import type { Clock, ResolvedTls } from '../transport/types.js';
import { Relay } from './relay.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface RecordOptions {
  readonly listen: HostPort;
  readonly to: HostPort;
  /** Default: from the greeting, or the port (format §10). */
  readonly protocol?: ProtocolName;
  /** TLS right at connect, on both sides. */
  readonly tls: boolean;
  /** The certificate shown to clients (PEM); default: one made at start-up for `servername`. */
  readonly certificate?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** The name the server's certificate must hold (and SNI), and the name of a made certificate (default localhost). */
  readonly servername?: string;
  /** CAs trusted for the server, besides the system's. */
  readonly ca?: readonly Buffer[];
  /** Do not verify the server's certificate. */
  readonly insecure: boolean;
  /** Client connections to record (at least 1). */
  readonly connections: number;
  /** The suite's name; TLS options the spec's handshakes use; replies exactly as recorded (no regexes). */
  readonly spec?: { readonly name?: string; readonly tls?: TlsValues };
  readonly clock: Clock;
  /** Ctrl-C: stop, keeping what passed. */
  readonly signal: AbortSignal;
  /** Connecting to the server, and each TLS handshake (default 10 s). */
  readonly timeoutMs?: number;
  /** After one side closed, how long the other has to follow (default 2 s). */
  readonly lingerMs?: number;
  /** Listening: `address` as HOST:PORT, `ca` the PEM of the CA of a made certificate. */
  onListening(ready: { readonly address: string; readonly ca?: string }): void | Promise<void>;
  /** A message for the user, as it happens. */
  note(message: string): void;
}

export interface RecordResult {
  /** The spec; undefined when no connection got as far as a line. */
  readonly yaml?: string;
  /** Client connections recorded. */
  readonly connections: number;
  /** A connection ended in a failure (unreachable server, TLS): the spec holds what passed before. */
  readonly failed: boolean;
  readonly interrupted: boolean;
}

/** The recorder could not start (its port is taken): the user's to fix, not a bug. */
export class RecordError extends Error {
  override name = 'RecordError';
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_LINGER_MS = 2_000;

export async function record(options: RecordOptions): Promise<RecordResult> {
  const made = options.certificate ? undefined : await createPki({ hosts: [options.servername ?? 'localhost'], ips: [...DEFAULT_IPS] });
  const certificate = options.certificate ?? made?.server;
  if (!certificate) throw new Error('no certificate for the client side');
  const clientTls = tls.createSecureContext({ cert: certificate.cert, key: certificate.key });
  const serverTls: ResolvedTls = {
    verify: !options.insecure,
    ...(options.servername !== undefined ? { servername: options.servername } : {}),
    ...(options.ca && options.ca.length > 0 ? { ca: options.ca } : {}),
  };

  const server = net.createServer({ pauseOnConnect: true });
  await listen(server, options.listen);
  const address = server.address() as net.AddressInfo;

  const relays: Relay[] = [];
  const outcomes: Promise<{ session: Session; failed: boolean }>[] = [];
  let line = 0;
  const nextLine = (): number => ++line;
  let interrupted = false;
  let allDone: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  let over = 0;

  server.on('connection', (client) => {
    const number = relays.length + 1;
    if (number > options.connections || interrupted) {
      client.destroy();
      return;
    }
    if (number === options.connections) server.close();
    options.note(`connection ${number}: from ${target(client.remoteAddress ?? '?', client.remotePort ?? 0)}`);
    const relay = new Relay(client, {
      to: options.to,
      ...(options.protocol ? { protocol: options.protocol } : {}),
      implicitTls: options.tls,
      serverTls,
      clientTls,
      clock: options.clock,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      lingerMs: options.lingerMs ?? DEFAULT_LINGER_MS,
      nextLine,
      note: (message) => options.note(`connection ${number}: ${message}`),
    });
    relays.push(relay);
    outcomes.push(
      relay.done.then((outcome) => {
        options.note(`connection ${number}: over (${outcome.session.events.filter((e) => e.kind === 'line').length} lines)`);
        if (++over === options.connections) allDone();
        return outcome;
      }),
    );
  });

  const onAbort = (): void => {
    interrupted = true;
    server.close();
    for (const relay of relays) relay.stop();
    allDone();
  };
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener('abort', onAbort, { once: true });

  try {
    await options.onListening({ address: target(address.address, address.port), ...(made ? { ca: made.ca.cert } : {}) });
    await finished;
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    server.close();
  }

  const results = await Promise.all(outcomes);
  const recorded = results.filter((r) => r.session.events.some((e) => e.kind === 'line'));
  const failed = results.some((r) => r.failed);
  if (recorded.length === 0) return { connections: results.length, failed, interrupted };

  // Connections recorded at the same time share the line numbers: each line names its own.
  const connectionOf = new Map<number, number>();
  results.forEach((r, i) => {
    for (const event of r.session.events) connectionOf.set(event.line, i + 1);
  });
  const { yaml, warnings } = importSessions(
    recorded.map((r) => r.session),
    {
      source: `Recorded by convospec record, a proxy to ${target(options.to.host, options.to.port)}: review it before relying on it.`,
      host: options.to.host,
      port: options.to.port,
      ...(options.protocol ? { protocol: options.protocol } : {}),
      name: options.spec?.name ?? `Recorded ${PROTOCOLS[options.protocol ?? detectProtocol(recorded[0]!.session) ?? 'smtp'].title} session`,
      ...(options.spec?.tls ? { tls: options.spec.tls } : {}),
    },
  );
  for (const w of warnings) {
    const number = connectionOf.get(w.line);
    options.note(number === undefined ? w.message : `connection ${number}: ${w.message}`);
  }
  return { yaml, connections: results.length, failed, interrupted };
}

function listen(server: net.Server, at: HostPort): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(new RecordError(listenFailure(error, at.host, at.port)));
    };
    server.once('error', onError);
    server.listen(at.port, at.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
