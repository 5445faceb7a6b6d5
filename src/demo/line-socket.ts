/**
 * A server-side socket read by pulling lines and byte counts, for the IMAP and POP3 sandboxes.
 * Bounded: a line longer than the limit fails the read, the socket is paused while more than a
 * line's worth sits unread, and silence longer than the idle limit fails the read too.
 */
import { once } from 'node:events';
import type net from 'node:net';
import tls from 'node:tls';

export class LineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`line longer than ${limit} bytes`);
  }
}

export class IdleTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`idle for ${ms} ms`);
  }
}

export interface LineSocketLimits {
  readonly line: number;
  readonly idleMs: number;
}

/** The peer went away or broke TLS: a reset, a failed or abandoned handshake. */
export class PeerGoneError extends Error {}

/** Errors that end a session because of the peer, not because of a bug here. */
export function isPeerFailure(error: unknown): boolean {
  return error instanceof PeerGoneError || (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string');
}

type Waiter = { resolve: () => void; reject: (error: Error) => void };

export class LineSocket {
  #socket: net.Socket;
  #pending: Buffer = Buffer.alloc(0);
  #waiter: Waiter | undefined;
  #ended = false;
  #failure: Error | undefined;
  readonly #limits: LineSocketLimits;
  readonly #onData = (chunk: Buffer): void => this.#push(chunk);
  readonly #onEnd = (): void => this.#finish(undefined);
  readonly #onError = (error: Error): void => this.#finish(error);
  readonly #onTimeout = (): void => this.#finish(new IdleTimeoutError(this.#limits.idleMs));

  constructor(socket: net.Socket, limits: LineSocketLimits) {
    this.#socket = socket;
    this.#limits = limits;
    this.#attach(socket);
  }

  get secure(): boolean {
    return this.#socket instanceof tls.TLSSocket;
  }

  get closed(): boolean {
    return this.#ended || this.#socket.destroyed;
  }

  /** One line without its LF (a CR before it stays: IMAP and POP3 callers decide). Undefined at EOF. */
  async readLine(): Promise<Buffer | undefined> {
    for (;;) {
      const lf = this.#pending.indexOf(0x0a);
      if (lf >= 0) {
        if (lf + 1 > this.#limits.line) throw new LineTooLongError(this.#limits.line);
        const line = this.#pending.subarray(0, lf);
        this.#take(lf + 1);
        return line;
      }
      if (this.#pending.length >= this.#limits.line) throw new LineTooLongError(this.#limits.line);
      if (!(await this.#more())) return undefined;
    }
  }

  /** Exactly n bytes (an IMAP literal). Undefined when the peer closes first. */
  async readBytes(n: number): Promise<Buffer | undefined> {
    const parts: Buffer[] = [];
    let need = n;
    for (;;) {
      const piece = this.#pending.subarray(0, need);
      if (piece.length > 0) {
        parts.push(Buffer.from(piece));
        need -= piece.length;
        this.#take(piece.length);
      }
      if (need === 0) return Buffer.concat(parts);
      if (!(await this.#more())) return undefined;
    }
  }

  /** Writes and, when the peer reads slowly, waits until the kernel took it (bounded by idle). */
  async write(data: string | Buffer): Promise<void> {
    if (!this.#socket.writable) return;
    if (this.#socket.write(data)) return;
    await Promise.race([once(this.#socket, 'drain'), once(this.#socket, 'close')]).catch(() => undefined);
  }

  /**
   * Upgrades to TLS after STARTTLS/STLS was accepted. Whatever the client sent before the
   * handshake is discarded (RFC 3501 §6.2.1, RFC 2595 §4; the SMTP analogue is RFC 3207 §6),
   * so commands injected in plaintext cannot run inside the TLS session.
   */
  async startTls(secureContext: tls.SecureContext): Promise<void> {
    const raw = this.#socket;
    this.#detach(raw);
    this.#pending = Buffer.alloc(0);
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext });
    this.#socket = secure;
    this.#attach(secure);
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error): void => {
        secure.off('secure', onSecure).off('close', onClose).off('error', settle).off('timeout', onTimeout);
        if (error) reject(error);
        else resolve();
      };
      const onSecure = (): void => settle();
      const onClose = (): void => settle(new PeerGoneError('closed during the TLS handshake'));
      const onTimeout = (): void => settle(new IdleTimeoutError(this.#limits.idleMs));
      secure.once('secure', onSecure).once('close', onClose).once('error', settle).once('timeout', onTimeout);
    });
  }

  /** Half-close after the last reply (LOGOUT, QUIT), then let the peer go. */
  end(): void {
    this.#socket.end();
    this.#socket.destroySoon();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #attach(socket: net.Socket): void {
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onEnd);
    socket.on('error', this.#onError);
    socket.on('timeout', this.#onTimeout);
    socket.setTimeout(this.#limits.idleMs);
  }

  #detach(socket: net.Socket): void {
    socket.off('data', this.#onData);
    socket.off('end', this.#onEnd);
    socket.off('close', this.#onEnd);
    socket.off('error', this.#onError);
    socket.off('timeout', this.#onTimeout);
    socket.setTimeout(0);
  }

  #push(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    // Backpressure: never hold more than a line's worth the session has not asked for.
    if (this.#pending.length > this.#limits.line) this.#socket.pause();
    this.#wake();
  }

  #take(n: number): void {
    this.#pending = this.#pending.subarray(n);
    if (this.#pending.length <= this.#limits.line && this.#socket.isPaused()) this.#socket.resume();
  }

  /** Waits for more bytes; false at EOF. */
  async #more(): Promise<boolean> {
    if (this.#failure) throw this.#failure;
    if (this.#ended) return false;
    if (this.#socket.isPaused()) this.#socket.resume();
    await new Promise<void>((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
    return true;
  }

  #finish(error: Error | undefined): void {
    if (error && !this.#failure) this.#failure = error;
    this.#ended = true;
    if (error instanceof IdleTimeoutError) this.#socket.setTimeout(0);
    this.#wake();
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter === undefined) return;
    if (this.#failure) waiter.reject(this.#failure);
    else waiter.resolve();
  }
}
