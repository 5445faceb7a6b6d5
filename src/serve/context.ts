/** The state of one served test: the engine's test context, plus the accepted connections. */
import type { Socket } from 'node:net';
import type { ConnectSpec, Limits, ProtocolName } from '../kernel/model.js';
import type { TestContext } from '../engine/context.js';
import type { SocketConnection } from '../transport/index.js';

export interface ServedConnection {
  readonly name: string;
  readonly protocol: ProtocolName;
  readonly eol: string;
  readonly limits: Limits;
  readonly connection: SocketConnection;
  /** imap: the spec's tag of a command read → the tag the client used (echoed in `s:`). */
  readonly tags: Map<string, string>;
  /** The client's last line, for the reply's shape (pop3: multi-line answers). */
  lastLine: string | undefined;
}

/** A certificate and key, PEM. */
export interface CertPair {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface ServeState {
  readonly connections: Map<string, ServedConnection>;
  current: ServedConnection | undefined;
  /** The certificate made at start-up (format §9), for TLS options without `cert`/`key`. */
  readonly defaultCert: CertPair | undefined;
  /** A `connect` step: the next client connection on that step's address, by `deadline`. */
  acceptAnother(spec: ConnectSpec, deadline: number): Promise<Socket | undefined>;
}

export type ServeContext = TestContext & { readonly serve: ServeState };
