/**
 * Byte-exact framing of what a socket receives: lines (LF ends a line; a CR before it is
 * dropped) and counted byte runs (IMAP literals, RFC 9051 §4.3). Knows nothing of replies:
 * where a reply ends is `protocol/`'s business.
 *
 * Memory is bounded: past `highWater` buffered bytes the socket is paused, so the kernel's
 * receive window pushes back on the server instead of our heap growing. A pending `readBytes`
 * raises the mark to the count it needs (at most `limits.replyBytes`).
 *
 * Reply budget: the engine enforces `limits.replyBytes` per reply (each line charged
 * `LINE_OVERHEAD_BYTES` more, limits.ts). `bytesRead` counts every byte consumed by
 * `readLineOr` (line ends included) and `readBytes`; `readBytes` itself refuses a count above
 * `limits.replyBytes`. A failed read keeps at most `PARTIAL_BYTES` of what came, its end.
 *
 * Fairness: after `YIELD_EVERY_LINES` lines handed out without a wait, the next read lets the
 * event loop run first, so a flood on one connection does not hold up the others.
 */
import type { Duplex } from 'node:stream';
import type { Limits } from '../kernel/model.js';
import { ByteQueue } from './byte-queue.js';
import { closedError, locallyClosedError, socketError } from './errors.js';
import { formatBytes } from './format.js';
import { PARTIAL_BYTES } from './limits.js';
import { handshakeReason, isOpenSslError } from './tls-reason.js';
import { TransportError } from './types.js';
import { abortError, waitThen, waitUntil } from './wait.js';
import type { SocketIntake } from './intake.js';
import type { Settle, WaitContext } from './wait.js';

const LF = 0x0a;
const CR = 0x0d;
/** Buffer at least this much ahead of the reads, so a chatty server is not paused per packet. */
const MIN_HIGH_WATER = 64 * 1024;
/**
 * Lines handed out at once (already buffered) before a read lets the event loop run: a server
 * flooding short lines otherwise keeps the reader of its reply busy for as long as it sends,
 * and the other tests of the run (their sockets, their timers) wait meanwhile.
 */
const YIELD_EVERY_LINES = 1024;

/**
 * An error while reading. With TLS 1.3 the server checks a client certificate only after our
 * side of the handshake is done, so its refusal (alert 116, certificate required) arrives on
 * a read: it is still a failed handshake, kind `tls`, in plain words.
 */
function readError(error: Error): TransportError {
  if (isOpenSslError(error)) return new TransportError('tls', handshakeReason(error), undefined, { cause: error });
  return socketError(error, 'io', '');
}

/**
 * How the byte stream ended: the server's EOF, our own close (`local`: its error is made only
 * when a read asks, as every connection ends so and an Error's stack is costly), or an error.
 */
type Terminal = 'eof' | 'local' | TransportError;

type Attempt = (settle: Settle<unknown>) => void;

export class LineReader {
  private readonly queue = new ByteQueue();
  private source: Duplex | undefined;
  /** The intake the source's bytes come through instead of 'data' events, if any. */
  private intake: SocketIntake | undefined;
  private terminal: Terminal | undefined;
  private paused = false;
  /** Bytes the pending `readBytes` waits for; 0 when none. */
  private need = 0;
  /**
   * The read waiting now (at most one): what it tries after every change, and how it
   * settles; both undefined when no read is waiting. Fields rather than a closure per wait.
   */
  private attempt: Attempt | undefined;
  private settle: Settle<unknown> | undefined;
  private consumed = 0;
  /** Lines handed out at once since the last read that waited (see YIELD_EVERY_LINES). */
  private streak = 0;
  private readonly highWater: number;

  constructor(
    private readonly limits: Limits,
    private readonly context: WaitContext,
  ) {
    this.highWater = Math.max(MIN_HIGH_WATER, limits.lineBytes + 2);
  }

  /** Bytes consumed by reads so far, line ends included (for the engine's reply budget). */
  get bytesRead(): number {
    return this.consumed;
  }

  /** Bytes received but not yet read. */
  get buffered(): number {
    return this.queue.length;
  }

  /** True while the socket is paused because the buffer is full. */
  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * Start reading `source`; a fresh stream, so a previous EOF or error is forgotten. With
   * `intake`, its bytes come from there (a socket made with the intake's `onread`).
   */
  attach(source: Duplex, intake?: SocketIntake): void {
    this.detach();
    this.source = source;
    this.terminal = undefined;
    this.paused = false;
    source.on('end', this.onEnd);
    source.on('error', this.onError);
    source.on('close', this.onClose);
    if (intake) {
      this.intake = intake;
      intake.connect(this.onData);
    } else {
      source.on('data', this.onData);
    }
    this.flow();
  }

  /** Stop listening to the current source (before it is handed to TLS). */
  detach(): void {
    const source = this.source;
    if (!source) return;
    if (this.intake) this.intake.disconnect();
    else source.off('data', this.onData);
    this.intake = undefined;
    source.off('end', this.onEnd);
    source.off('error', this.onError);
    source.off('close', this.onClose);
    this.source = undefined;
  }

  /** Drop every buffered byte; returns how many. */
  discard(): number {
    const count = this.queue.length;
    this.queue.clear();
    return count;
  }

  /** Our side closed: every pending and later read fails with `closed`. */
  shutdown(): void {
    this.detach();
    if (!(this.terminal instanceof TransportError)) this.terminal = 'local';
    this.wake();
  }

  /** See `Connection.readLineOr`. */
  readLineOr(deadline: number, onLine: (line: Buffer) => void, onError: (error: unknown) => void): Buffer | undefined {
    if (this.settle) throw new Error('internal: a read is already waiting on this connection');
    const stop = this.context.stop;
    if (stop?.stopped) throw abortError(stop);
    if (this.streak >= YIELD_EVERY_LINES) {
      // Time for the event loop: the next line comes by callback, after it ran.
      this.streak = 0;
      waitThen<Buffer>(this.context, deadline, this.lineTimeout, this.startLineWait, onLine, onError);
      setImmediate(this.resumeLine);
      return undefined;
    }
    const line = this.takeLine();
    if (line) {
      this.streak++;
      this.flow();
      return line;
    }
    this.streak = 0;
    // Everything that could settle the read at once was just checked, so the wait below
    // settles only on a later event: the callbacks never run before this returns.
    if (this.terminal) throw this.terminalError(this.partial());
    waitThen<Buffer>(this.context, deadline, this.lineTimeout, this.startLineWait, onLine, onError);
    return undefined;
  }

  /** After a yield: the waiting read takes what is buffered (or keeps waiting). */
  private readonly resumeLine = (): void => {
    this.wake();
  };

  private readonly startLineWait = (settle: Settle<Buffer>): (() => void) => {
    this.attempt = this.attemptLine as Attempt;
    this.settle = settle as Settle<unknown>;
    this.need = 0;
    this.flow();
    return this.endWait;
  };

  // The two halves of a line read, made once per reader: a load run waits for most lines.
  private readonly attemptLine = (settle: Settle<Buffer>): void => {
    const line = this.takeLine();
    if (line) settle.resolve(line);
    else if (this.terminal) settle.reject(this.terminalError(this.partial()));
  };

  private readonly lineTimeout = (settle: Settle<Buffer>): void => {
    const partial = this.partial();
    const message = partial.length > 0 ? 'timed out in the middle of a line' : 'timed out waiting for a line';
    settle.reject(new TransportError('timeout', message, partial.length > 0 ? partial : undefined));
  };

  readBytes(count: number, deadline: number): Promise<Buffer> {
    const max = this.limits.replyBytes;
    if (count > max) {
      const message = `cannot read ${formatBytes(count)}: more than the reply limit of ${formatBytes(max)}`;
      return Promise.reject(new TransportError('limit', message));
    }
    return this.wait<Buffer>(
      deadline,
      count,
      (settle) => {
        if (this.queue.length >= count) {
          this.consumed += count;
          settle.resolve(this.queue.take(count));
        } else if (this.terminal) {
          settle.reject(this.terminalError(this.partial()));
        }
      },
      (settle) => {
        const partial = this.partial(count);
        const message = `timed out after ${Math.min(count, this.queue.length)} of ${count} bytes`;
        settle.reject(new TransportError('timeout', message, partial.length > 0 ? partial : undefined));
      },
    );
  }

  waitForData(deadline: number): Promise<boolean> {
    return this.wait<boolean>(
      deadline,
      0,
      (settle) => {
        if (this.queue.length > 0) settle.resolve(true);
        else if (this.terminal) settle.reject(this.terminalError());
      },
      (settle) => settle.resolve(false),
    );
  }

  waitForClose(deadline: number): Promise<void> {
    return this.wait<void>(
      deadline,
      0,
      (settle) => {
        if (this.terminal === 'eof') settle.resolve();
        else if (this.terminal) settle.reject(this.terminalError());
      },
      (settle) => {
        const partial = this.partial();
        const message = partial.length > 0
          ? 'the server sent data instead of closing the connection'
          : 'the server did not close the connection';
        settle.reject(new TransportError('timeout', message, partial.length > 0 ? partial : undefined));
      },
    );
  }

  /** The next complete line, or undefined if none is buffered yet; throws `limit` as soon as one cannot fit. */
  private takeLine(): Buffer | undefined {
    const max = this.limits.lineBytes;
    const lf = this.queue.indexOf(LF);
    if (lf < 0) {
      const size = this.queue.length;
      // A trailing CR may yet turn out to be the CR of CRLF, which does not count.
      const atLeast = size > 0 && this.queue.at(size - 1) === CR ? size - 1 : size;
      if (atLeast > max) throw this.lineLimitError();
      return undefined;
    }
    const end = lf > 0 && this.queue.at(lf - 1) === CR ? lf - 1 : lf;
    if (end > max) throw this.lineLimitError();
    const line = this.queue.take(end);
    this.queue.drop(lf + 1 - end);
    this.consumed += lf + 1;
    return line;
  }

  private lineLimitError(): TransportError {
    const max = this.limits.lineBytes;
    return new TransportError('limit', `line longer than ${formatBytes(max)}`, this.partial(max));
  }

  /** The last `PARTIAL_BYTES` of the first `end` bytes buffered: what a failed read shows. */
  private partial(end: number = this.queue.length): Buffer {
    const last = Math.min(end, this.queue.length);
    return this.queue.copy(Math.max(0, last - PARTIAL_BYTES), last);
  }

  private terminalError(partial?: Buffer): TransportError {
    const terminal = this.terminal === 'local' ? locallyClosedError() : this.terminal;
    if (terminal === undefined || terminal === 'eof') return closedError(partial);
    if (!partial || partial.length === 0) return terminal;
    return new TransportError(terminal.kind, terminal.message, partial, { cause: terminal.cause });
  }

  /** One read at a time: `attempt` runs now and after every change until it settles. */
  private wait<T>(
    deadline: number,
    need: number,
    attempt: (settle: Settle<T>) => void,
    onDeadline: (settle: Settle<T>) => void,
  ): Promise<T> {
    if (this.settle) return Promise.reject(new Error('internal: a read is already waiting on this connection'));
    return waitUntil<T>(this.context, deadline, onDeadline, (settle) => {
      this.attempt = attempt as Attempt;
      this.settle = settle;
      this.need = need;
      this.wake();
      this.flow();
      return this.endWait;
    });
  }

  /** Re-checks the waiting read, if any, after a change. */
  private wake(): void {
    const settle = this.settle;
    if (settle === undefined) return;
    try {
      this.attempt?.(settle);
    } catch (error) {
      settle.reject(error);
    }
  }

  private readonly endWait = (): void => {
    this.attempt = undefined;
    this.settle = undefined;
    this.need = 0;
    this.flow();
  };

  /** Pause the socket while the buffer is full, resume when a read makes room or needs more. */
  private flow(): void {
    const source = this.source;
    if (!source || this.terminal) return;
    const room = this.queue.length < Math.max(this.highWater, this.need);
    if (room && this.paused) {
      this.paused = false;
      source.resume();
    } else if (!room && !this.paused) {
      this.paused = true;
      source.pause();
    }
  }

  private readonly onData = (chunk: Buffer): void => {
    this.queue.push(chunk);
    this.wake();
    this.flow();
  };

  private readonly onEnd = (): void => {
    this.terminal ??= 'eof';
    this.wake();
  };

  private readonly onError = (error: Error): void => {
    if (this.terminal === undefined || this.terminal === 'eof') this.terminal = readError(error);
    this.wake();
  };

  private readonly onClose = (): void => {
    // A close with neither EOF nor error first is our own destroy().
    this.terminal ??= 'local';
    this.wake();
  };
}
