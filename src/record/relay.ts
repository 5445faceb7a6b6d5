/**
 * One client connection through the recorder: connects to the server, passes the bytes both
 * ways unchanged (with back-pressure: a side that stops reading stops the other), and notes
 * each line as the importer's transcript events. After the server accepts STARTTLS/STLS it
 * does TLS on both sides, the server's verified (RFC 3207 §4.1), and goes on inside TLS.
 * Every wait is bounded; any failure ends the connection with a message, keeping what passed.
 */
import type { Socket } from 'node:net';
import tls from 'node:tls';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { ConnectTarget, Session, TranscriptEvent } from '../import/types.js';
import type { ProtocolName } from '../kernel/model.js';
import { createLineSplitter, type LineSplitter } from '../protocol/sent-lines.js';
import { socketError } from '../transport/errors.js';
import { connectTcp, target } from '../transport/tcp.js';
import { handshake, handshakeDone } from '../transport/tls-handshake.js';
import { TransportError } from '../transport/types.js';
import type { Clock, ResolvedTls } from '../transport/types.js';
import { StarttlsWatch } from './watch.js';

export interface RelayOptions {
  readonly to: { readonly host: string; readonly port: number };
  readonly protocol?: ProtocolName;
  /** TLS right at connect, on both sides (`--tls`). */
  readonly implicitTls: boolean;
  /** How the server is verified. */
  readonly serverTls: ResolvedTls;
  /** What the client is shown. */
  readonly clientTls: SecureContext;
  readonly clock: Clock;
  /** Connecting, and each TLS handshake, in milliseconds. */
  readonly timeoutMs: number;
  /** After one side closed, how long the other has to close too. */
  readonly lingerMs: number;
  /** The number of the next recorded line (shared by the recording's connections). */
  readonly nextLine: () => number;
  /** A message for the user about this connection. */
  readonly note: (message: string) => void;
}

export interface RelayOutcome {
  readonly session: Session;
  /** Something went wrong (the messages said what): the spec holds what passed before it. */
  readonly failed: boolean;
}

const LF = 0x0a;
/** A TLS handshake record (ClientHello) starts with content type 22 and major version 3. */
const TLS_RECORD = [0x16, 0x03] as const;

type Side = 'client' | 'server';
type Stream = Socket | TLSSocket;

export class Relay {
  private readonly events: TranscriptEvent[] = [];
  private readonly tcpTarget: ConnectTarget;
  private readonly watch: StarttlsWatch;
  private readonly splitters: Record<Side, LineSplitter> = { client: createLineSplitter(), server: createLineSplitter() };
  /** Every socket of this connection, oldest first: destroyed newest first (a TLS socket before its TCP socket). */
  private readonly sockets: Stream[] = [];
  private readonly ended = new Set<Side>();
  private streams: Partial<Record<Side, Stream>> = {};
  private clientSent = false;
  private serverSent = false;
  private quiet: NodeJS.Timeout | undefined;
  /** The server's TCP socket while the handshake over it goes on. */
  private upstreamHandshake: Stream | undefined;
  /** Who closed first. */
  private closedBy: Side | undefined;
  private tlsFailed = false;
  private failed = false;
  private finished = false;
  private linger: NodeJS.Timeout | undefined;
  private resolve: (outcome: RelayOutcome) => void = () => undefined;
  /** Settles when the connection is over, however it ended. */
  readonly done: Promise<RelayOutcome>;

  constructor(
    client: Socket,
    private readonly options: RelayOptions,
  ) {
    this.tcpTarget = { host: options.to.host, port: options.to.port, tool: 'convospec record', ...(options.implicitTls ? { tls: true } : {}) };
    this.watch = new StarttlsWatch(options.protocol, this.tcpTarget);
    this.done = new Promise((resolve) => {
      this.resolve = resolve;
    });
    client.on('error', () => undefined);
    client.pause();
    this.sockets.push(client);
    this.streams.client = client;
    void this.start(client);
  }

  /** Ctrl-C: end now, keeping what passed. */
  stop(): void {
    this.finish();
  }

  private async start(client: Socket): Promise<void> {
    let server: Socket;
    try {
      server = await connectTcp(this.options.to.host, this.options.to.port, this.options.clock.now() + this.options.timeoutMs, { clock: this.options.clock });
    } catch (error) {
      this.fail(`cannot reach the server: ${(error as Error).message}`);
      return;
    }
    if (this.finished) {
      server.destroy();
      return;
    }
    this.sockets.push(server);
    this.streams.server = server;
    if (this.options.implicitTls) {
      if (!(await this.secure(client, server))) return;
    } else {
      this.attach('client', client);
      this.attach('server', server);
      // A server waiting for a ClientHello says nothing, and neither does a client waiting for its greeting.
      this.quiet = setTimeout(() => {
        if (!this.serverSent && !this.finished) this.options.note(`the server has said nothing for ${this.options.timeoutMs / 1000}s: does it expect TLS at connect (--tls)?`);
      }, this.options.timeoutMs);
    }
  }

  /** Reads `stream` for `side`, passing its bytes to the other side. */
  private attach(side: Side, stream: Stream): void {
    this.streams[side] = stream;
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (this.finished) return;
      // A reset once the other side closed, or any reset by the client, is how many clients
      // hang up (swaks over TLS leaves the server's close_notify unread): the client closed.
      if (this.ended.size > 0 || (side === 'client' && (error.code === 'ECONNRESET' || error.code === 'EPIPE'))) {
        this.closedBy ??= side;
        this.finish();
        return;
      }
      this.fail(side === 'client' ? `the client's connection failed: ${error.message}` : socketError(error, 'io', target(this.options.to.host, this.options.to.port)).message);
    });
    stream.on('data', (chunk: Buffer) => {
      if (side === 'client') this.fromClient(chunk);
      else this.fromServer(chunk);
    });
    stream.on('end', () => this.onEnd(side));
    stream.resume();
  }

  private detach(side: Side): Stream | undefined {
    const stream = this.streams[side];
    if (!stream) return undefined;
    stream.removeAllListeners('data');
    stream.removeAllListeners('end');
    stream.removeAllListeners('drain');
    stream.pause();
    return stream;
  }

  private fromClient(chunk: Buffer): void {
    // Sent after the server closed: it never reached the server.
    if (this.closedBy === 'server') return;
    if (!this.clientSent && !this.options.implicitTls && chunk[0] === TLS_RECORD[0] && chunk[1] === TLS_RECORD[1]) {
      this.fail('the client started a TLS handshake on a plain listener: record with --tls for TLS right at connect (ports 465, 993, 995)');
      return;
    }
    this.clientSent = true;
    for (const piece of pieces(chunk)) this.lines('client', piece.bytes);
    this.forward('server', chunk);
  }

  private fromServer(chunk: Buffer): void {
    this.serverSent = true;
    for (const piece of pieces(chunk)) {
      if (!this.lines('server', piece.bytes)) continue;
      // The server accepted STARTTLS: what it sends next is its side of the handshake.
      this.forward('client', chunk.subarray(0, piece.end));
      if (piece.end < chunk.length) {
        this.options.note(`the server sent ${chunk.length - piece.end} bytes in the clear after accepting STARTTLS; they are dropped (RFC 3207 §6)`);
      }
      void this.upgrade();
      return;
    }
    this.forward('client', chunk);
  }

  /** Notes the lines `bytes` ends; true when a server line accepted STARTTLS. */
  private lines(side: Side, bytes: Buffer): boolean {
    let accepted = false;
    for (const text of this.splitters[side].push(bytes)) {
      const event = { kind: 'line' as const, line: this.options.nextLine(), side, marked: true, text };
      this.events.push(event);
      if (side === 'client') this.watch.client(event);
      else if (this.watch.server(event)) accepted = true;
    }
    return accepted;
  }

  private forward(to: Side, bytes: Buffer): void {
    const stream = this.streams[to];
    const from = this.streams[to === 'client' ? 'server' : 'client'];
    if (!stream || bytes.length === 0 || this.finished) return;
    if (!stream.write(bytes) && from) {
      from.pause();
      stream.once('drain', () => from.resume());
    }
  }

  private async upgrade(): Promise<void> {
    const client = this.detach('client');
    const server = this.detach('server');
    if (!client || !server) return;
    // Anything the server sent after its answer came in the clear: not to be read as TLS.
    while (server.read() !== null);
    this.splitters.client.reset();
    this.splitters.server.reset();
    if (await this.secure(client, server)) this.events.push({ kind: 'tls', line: this.options.nextLine() });
  }

  /** TLS on both sides at once; false (the connection is over) if either fails. */
  private async secure(client: Stream, server: Stream): Promise<boolean> {
    const toClient = new tls.TLSSocket(client as Socket, { isServer: true, secureContext: this.options.clientTls });
    toClient.on('error', () => undefined);
    this.sockets.push(toClient);
    const deadline = this.options.clock.now() + this.options.timeoutMs;
    this.upstreamHandshake = server;
    const [up, down] = await Promise.allSettled([
      handshake(server as Socket, this.options.to.host, this.options.serverTls, deadline, { clock: this.options.clock }),
      clientHandshake(toClient, this.options.timeoutMs, this.options.clock),
    ]);
    this.upstreamHandshake = undefined;
    if (up.status === 'fulfilled') this.sockets.push(up.value.socket);
    if (this.finished) {
      // Stopped during the handshake: its socket was left alone then (see finish).
      if (up.status === 'fulfilled') up.value.socket.destroy();
      return false;
    }
    if (up.status === 'rejected') {
      this.tlsFailed = true;
      const reason = (up.reason as Error).message;
      const hint = /certificate/.test(reason) ? ' (--ca trusts a private CA, --servername names the server to check, --insecure checks nothing)' : '';
      this.fail(`TLS with the server failed: ${reason}${hint}`);
      return false;
    }
    if (down.status === 'rejected') {
      this.fail(`TLS with the client failed: ${(down.reason as Error).message}`);
      return false;
    }
    this.attach('client', toClient);
    this.attach('server', up.value.socket);
    return true;
  }

  /** One side closed: the other is told, and has `lingerMs` to close too. */
  private onEnd(side: Side): void {
    if (this.finished) return;
    if (this.ended.size === 0) {
      this.closedBy = side;
      this.linger = setTimeout(() => this.finish(), this.options.lingerMs);
    }
    this.ended.add(side);
    const other = this.streams[side === 'client' ? 'server' : 'client'];
    other?.end();
    if (this.ended.size === 2) this.finish();
  }

  private fail(message: string): void {
    if (this.finished) return;
    this.failed = true;
    const refused = this.watch.refused;
    this.options.note(message);
    if (refused !== undefined && !this.tlsFailed) this.options.note(`the client asked for TLS (${refused}) and the server did not accept it`);
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.linger) clearTimeout(this.linger);
    if (this.quiet) clearTimeout(this.quiet);
    if (!this.failed && this.watch.refused !== undefined) this.options.note(`the client asked for TLS (${this.watch.refused}) and the server did not accept it`);
    // A handshake that did not finish is not in the spec.
    if (this.upstreamHandshake) this.tlsFailed = true;
    // Not the TCP socket under the server's handshake still going on (Node 20 crashes when a
    // TLS socket's TCP socket is destroyed first): the handshake ends it by its deadline.
    for (let i = this.sockets.length - 1; i >= 0; i--) if (this.sockets[i] !== this.upstreamHandshake) this.sockets[i]!.destroy();
    // Last: what the server sent before it saw the client's close is its answer to the last command.
    if (this.closedBy !== undefined) this.events.push({ kind: 'closed', line: this.options.nextLine(), by: this.closedBy });
    const session: Session = {
      target: this.tcpTarget,
      line: this.events[0]?.line ?? this.options.nextLine(),
      events: this.events,
      ...(this.tlsFailed ? { tlsFailed: true } : {}),
    };
    this.resolve({ session, failed: this.failed });
  }
}

/** `chunk` cut after each LF: each piece ends at most one line; `end` is its end in `chunk`. */
function pieces(chunk: Buffer): { bytes: Buffer; end: number }[] {
  const out: { bytes: Buffer; end: number }[] = [];
  let from = 0;
  for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, from)) {
    out.push({ bytes: chunk.subarray(from, lf + 1), end: lf + 1 });
    from = lf + 1;
  }
  if (from < chunk.length) out.push({ bytes: chunk.subarray(from), end: chunk.length });
  return out;
}

/**
 * The server side of the handshake with the client, by the transport's own wait
 * (`handshakeDone`), in the recorder's words: what the user can do about it.
 */
async function clientHandshake(socket: TLSSocket, timeoutMs: number, clock: Clock): Promise<void> {
  try {
    await handshakeDone(socket, 'client', clock.now() + timeoutMs, { clock });
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    if (error.kind === 'timeout') throw new Error(`the client did not finish the TLS handshake within ${timeoutMs / 1000}s`, { cause: error });
    throw new Error(error.cause instanceof Error ? clientReason(error.cause) : CLIENT_CLOSED, { cause: error });
  }
}

const CLIENT_CLOSED = 'the client closed the connection during the TLS handshake (does it trust the certificate the recorder shows? see --ca-out, --cert)';

/** Plain words for a handshake the client broke off. */
function clientReason(error: Error & { reason?: string; code?: string }): string {
  const reason = error.reason ?? '';
  if (/alert/.test(reason)) return `the client refused the handshake: ${reason} (does it trust the certificate the recorder shows? see --ca-out, --cert)`;
  if (/wrong version number|http request|packet length too long|unknown protocol/.test(reason)) {
    return `the client did not speak TLS (${reason}): record without --tls and let it use STARTTLS`;
  }
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return CLIENT_CLOSED;
  return reason || error.message;
}
