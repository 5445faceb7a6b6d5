/** `Connection` over a live socket: the line reader for input, bounded writes, STARTTLS. */
import type { Socket } from 'node:net';
import type { Limits } from '../kernel/model.js';
import { locallyClosedError, socketError } from './errors.js';
import { formatDuration } from '../kernel/duration.js';
import { LineReader } from './line-reader.js';
import type { SocketIntake } from './intake.js';
import { handshake, type Secured } from './tls-handshake.js';
import { acceptHandshake, type ServerTls } from './tls-accept.js';
import { TransportError } from './types.js';
import type { Connection, ResolvedTls, TlsInfo } from './types.js';
import { abortError, waitUntil } from './wait.js';
import type { Settle, WaitContext } from './wait.js';

export interface SocketConnectionOptions {
  readonly host: string;
  /** `host:port`, for messages. */
  readonly target: string;
  readonly limits: Limits;
  readonly context: WaitContext;
  readonly tls?: TlsInfo;
  /** The socket was made with this intake's `onread`: its bytes come from there. Additive. */
  readonly intake?: SocketIntake;
}

const SENT: Promise<void> = Promise.resolve();

/** `Connection.readLineOr` as a promise, for callers that read a line now and then. */
export function readLine(connection: Pick<Connection, 'readLineOr'>, deadline: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const line = connection.readLineOr(deadline, resolve, reject);
    if (line !== undefined) resolve(line);
  });
}

function settleWrite(settle: Settle<void>, outcome: 'sent' | TransportError): void {
  if (outcome === 'sent') settle.resolve();
  else settle.reject(outcome);
}

export class SocketConnection implements Connection {
  private socket: Socket;
  /** Every socket this connection used (TCP, then TLS over it), all destroyed on close. */
  private readonly sockets: Socket[];
  private readonly reader: LineReader;
  private info: TlsInfo | undefined;
  private closed = false;

  constructor(
    socket: Socket,
    private readonly options: SocketConnectionOptions,
    underlying: readonly Socket[] = [],
  ) {
    this.socket = socket;
    this.sockets = underlying.length === 0 ? [socket] : [...underlying, socket];
    this.info = options.tls;
    this.reader = new LineReader(options.limits, options.context);
    this.reader.attach(socket, options.intake);
  }

  get tls(): TlsInfo | undefined {
    return this.info;
  }

  /** Bytes consumed by reads so far, line ends included. */
  get bytesRead(): number {
    return this.reader.bytesRead;
  }

  /** Bytes received and not yet read (bounded; for tests and diagnostics). */
  get buffered(): number {
    return this.reader.buffered;
  }

  /** `readLine` below, as a method. */
  readLine(deadline: number): Promise<Buffer> {
    return readLine(this, deadline);
  }

  readLineOr(deadline: number, onLine: (line: Buffer) => void, onError: (error: unknown) => void): Buffer | undefined {
    return this.reader.readLineOr(deadline, onLine, onError);
  }

  readBytes(count: number, deadline: number): Promise<Buffer> {
    return this.reader.readBytes(count, deadline);
  }

  waitForData(deadline: number): Promise<boolean> {
    return this.reader.waitForData(deadline);
  }

  waitForClose(deadline: number): Promise<void> {
    return this.reader.waitForClose(deadline);
  }

  write(data: Buffer, deadline: number): Promise<void> {
    return this.writeNow(data, deadline) ?? SENT;
  }

  writeNow(data: Buffer, deadline: number): Promise<void> | undefined {
    if (this.closed) return Promise.reject(locallyClosedError());
    const { context, target } = this.options;
    if (context.stop?.stopped) return Promise.reject(abortError(context.stop));
    const socket = this.socket;
    const queued = socket.writableLength;
    // The callback fires once the bytes are handed to the kernel; a peer that stops
    // reading fills its window and ours, and then only the deadline ends the wait.
    let outcome: 'pending' | 'sent' | TransportError = 'pending';
    let waiting: Settle<void> | undefined;
    socket.write(data, (error) => {
      outcome = error ? socketError(error, 'io', target) : 'sent';
      if (waiting) settleWrite(waiting, outcome);
    });
    // With nothing queued before, Node hands a write to the kernel at once when it can: then
    // the stream holds nothing and the bytes are sent already, so no timer is needed (the
    // callback, due on the next tick, has nothing left to say).
    if (queued === 0 && socket.writableLength === 0 && !socket.destroyed) return undefined;
    // Read here, not before the write: most writes never wait, and a load run makes millions.
    const started = context.clock.now();
    return waitUntil<void>(
      context,
      deadline,
      (settle) => {
        const within = formatDuration(deadline - started);
        settle.reject(new TransportError('timeout', `the server stopped reading: could not send within ${within}`));
      },
      (settle) => {
        if (outcome !== 'pending') settleWrite(settle, outcome);
        else waiting = settle;
        return () => {
          waiting = undefined;
        };
      },
    );
  }

  startTls(tls: ResolvedTls, deadline: number): Promise<TlsInfo> {
    return this.upgrade((plain) => handshake(plain, this.options.host, tls, deadline, this.options.context));
  }

  /** The server side of the upgrade (`convospec serve`, format §9), after STARTTLS/STLS was answered. */
  acceptTls(tls: ServerTls, deadline: number): Promise<TlsInfo> {
    return this.upgrade((plain) => acceptHandshake(plain, tls, deadline, this.options.context));
  }

  private async upgrade(secure: (plain: Socket) => Promise<Secured>): Promise<TlsInfo> {
    if (this.closed) throw locallyClosedError();
    const plain = this.socket;
    this.reader.detach();
    // RFC 3207 §6: anything received before the handshake was sent in the clear and may have
    // been injected by an attacker ahead of the server's real reply; it must not be read as
    // if it came over TLS. The same holds for POP3 STLS and IMAP STARTTLS (RFC 2595 §3.1).
    this.reader.discard();
    try {
      const secured = await secure(plain);
      if (this.closed) {
        secured.socket.destroy();
        throw locallyClosedError();
      }
      this.socket = secured.socket;
      this.sockets.push(secured.socket);
      this.info = secured.info;
      this.reader.attach(secured.socket);
      return secured.info;
    } catch (error) {
      // The plain socket went to the failed handshake: the connection is over.
      this.close();
      throw error;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.shutdown();
    this.options.context.group?.dispose();
    // Newest first: Node 20 crashes (SIGSEGV) when the TCP socket under a live TLSSocket is
    // destroyed before the TLSSocket; destroying the TLSSocket destroys the TCP socket too.
    const sockets = this.sockets;
    for (let i = sockets.length - 1; i >= 0; i--) sockets[i]!.destroy();
  }
}
