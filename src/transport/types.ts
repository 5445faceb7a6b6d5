/**
 * Sockets, bounded reads and TLS. Every wait here ends at an absolute deadline
 * (milliseconds of the injected clock), and every buffer is bounded by `Limits`.
 */
import type { Limits } from '../kernel/model.js';

export interface Clock {
  now(): number;
}

/** Why a read, write, connect or handshake failed, in terms the engine reports. */
export type TransportErrorKind =
  | 'timeout' // nothing (or not enough) came before the deadline
  | 'closed' // the server closed the connection (EOF)
  | 'reset' // ECONNRESET / EPIPE
  | 'refused' // ECONNREFUSED
  | 'unreachable' // DNS failure, EHOSTUNREACH, …
  | 'limit' // a line or reply longer than the limits
  | 'tls' // the TLS handshake failed after TCP connected
  | 'local' // this machine ran out of something (file descriptors, ports, buffers): not the server
  | 'aborted'; // the run was interrupted

export class TransportError extends Error {
  constructor(
    readonly kind: TransportErrorKind,
    message: string,
    /** Bytes received so far for the read that failed (shown escaped to the user). */
    readonly partial?: Buffer,
    options?: { cause?: unknown; phase?: 'tls' },
  ) {
    super(message, options);
    this.name = 'TransportError';
    if (options?.phase) this.phase = options.phase;
  }

  /** Set when the failure happened in a TLS handshake (a stalled implicit-TLS connect is not a TCP timeout). Additive. */
  readonly phase?: 'tls';
}

export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly limits: Limits;
  /** Absolute deadline for TCP connect, plus the handshake with implicit TLS. */
  readonly deadline: number;
  readonly tls?: ResolvedTls;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** Like `signal`, and preferred over it when both are given: cheaper per test (see `StopSignal`). Additive. */
  readonly stop?: StopSignal;
}

/**
 * "Stop waiting": Ctrl-C or a test's deadline, as waits see it. An `AbortSignal` does the
 * same, but a load run makes one per session, and its EventTarget machinery (controller,
 * signal, listener objects) is far heavier than what a wait needs: a flag and a set of
 * callbacks. Additive.
 */
export interface StopSignal {
  readonly stopped: boolean;
  /** Why it stopped (the abort reason); undefined before. */
  readonly reason: unknown;
  /**
   * Calls `listener` once when it stops; returns the undo. Not called when already stopped:
   * check `stopped` first (as with an AbortSignal's 'abort' listener).
   */
  onStop(listener: () => void): () => void;
}

/** TLS options with templates evaluated and files read. */
export interface ResolvedTls {
  /** SNI and host-name check; undefined for an IP address host unless given. */
  readonly servername?: string;
  readonly verify: boolean;
  /** Extra CAs, on top of the system's (`tls.rootCertificates`). */
  readonly ca?: readonly Buffer[];
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly minVersion?: string;
  readonly maxVersion?: string;
  readonly ciphers?: string;
  readonly alpn?: readonly string[];
}

/** What a finished handshake tells, for `tls.expect` (format §6). */
export interface TlsInfo {
  readonly protocol: string; // 'TLSv1.3'
  readonly cipher: string; // OpenSSL name
  readonly authorized: boolean;
  readonly authorizationError?: string;
  /** `CN=mail.test, O=Example`, most specific first. */
  readonly subject: string;
  readonly issuer: string;
  /** `DNS:mail.test, IP Address:127.0.0.1` */
  readonly altNames: string;
  readonly validTo?: Date;
  readonly alpn?: string;
}

export interface Connection {
  /**
   * The next line, without its LF (and a CR before it dropped): the one read path for lines.
   * A line already buffered is returned at once, with no promise and no callback (most lines
   * of a multi-line reply are). Otherwise it returns undefined, and later exactly one of
   * `onLine`/`onError` is called, never before it has returned. Throws at once what is known
   * at once: EOF or an error already seen, a line past `limits.lineBytes` (`limit`), a stopped
   * test. `readLine` (connection.ts) is the same read as a promise.
   */
  readLineOr(deadline: number, onLine: (line: Buffer) => void, onError: (error: unknown) => void): Buffer | undefined;
  /** Exactly `count` bytes. */
  readBytes(count: number, deadline: number): Promise<Buffer>;
  /** Resolves once the bytes are handed to the socket (flushed), or fails at the deadline. */
  write(data: Buffer, deadline: number): Promise<void>;
  /**
   * `write`, but undefined instead of a promise when the bytes went to the kernel at once, so
   * a caller has nothing to wait for (a load run sends millions of lines). Optional: without
   * it, callers use `write`. Additive.
   */
  writeNow?(data: Buffer, deadline: number): Promise<void> | undefined;
  /** Upgrade the live socket; bytes buffered before it are discarded (RFC 3207 §6). Resolves with the handshake's facts even when `verify: false` let an unverified peer through. */
  startTls(tls: ResolvedTls, deadline: number): Promise<TlsInfo>;
  /** True if any byte is buffered or arrives before the deadline; false if none does. Rejects with `closed` on EOF. */
  waitForData(deadline: number): Promise<boolean>;
  /** Resolves when the peer closes (EOF) before the deadline; rejects with `timeout` otherwise, with any bytes that came instead as `partial`. */
  waitForClose(deadline: number): Promise<void>;
  /** TLS info if the connection is (now) TLS. */
  readonly tls?: TlsInfo;
  /** Close our side and free the socket; safe to call twice. */
  close(): void;
}

export type OpenConnection = (options: ConnectOptions) => Promise<Connection>;
