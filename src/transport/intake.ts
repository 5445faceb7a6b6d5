/**
 * What a plain TCP socket receives, taken with Node's `onread` socket option: Node reads into
 * one scratch buffer and calls back with the byte count, instead of allocating a Buffer per
 * read and passing it through the stream machinery (`push`, the 'data' event, a read-more
 * tick). A load run reads a few chunks per session, millions in all, so the per-read cost
 * counts (docs/performance.md).
 *
 * The bytes are copied out before the callback returns, so the scratch buffer holds nothing
 * between calls, and one serves every socket of the process. Pausing and resuming the socket
 * (`LineReader` bounds its buffer so) work as with 'data' events, and so do 'end', 'error'
 * and 'close'. A TLS socket made over this one (STARTTLS) reads the TCP socket itself, in
 * Node's C++ TLS layer: this callback then sees nothing, and the TLS socket's 'data' events
 * are read as usual.
 */
import type { OnReadOpts } from 'node:net';

/** Node's own read size for a stream socket: one read takes what a 64 KiB window holds. */
const SCRATCH_BYTES = 64 * 1024;

/**
 * Never read between calls (see above): a scratch area, not state. Made on first use, so a
 * command that opens no connection does not allocate it.
 */
let scratch: Buffer | undefined;

type Sink = (chunk: Buffer) => void;

export class SocketIntake {
  /** Where the bytes go; `waiting` until a reader takes them, `dropped` after it let go. */
  private sink: Sink | 'waiting' | 'dropped' = 'waiting';
  /** Bytes that came before a reader took the socket (none in practice: kept, not lost). */
  private early: Buffer[] = [];

  /** For `net.connect({ onread })`. */
  readonly onread: OnReadOpts = {
    buffer: (scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES)),
    callback: (count: number, buffer: Uint8Array): boolean => {
      const sink = this.sink;
      if (sink === 'dropped') return true;
      // A copy: the scratch buffer is overwritten by the next read of any socket. Small
      // copies come from Node's shared pool, as the Buffers of 'data' events did.
      const chunk = Buffer.allocUnsafe(count);
      chunk.set(buffer.subarray(0, count));
      if (sink === 'waiting') this.early.push(chunk);
      else sink(chunk);
      return true;
    },
  };

  /** Sends every chunk, those that came already first, to `sink`. */
  connect(sink: Sink): void {
    this.sink = sink;
    const early = this.early;
    this.early = [];
    for (const chunk of early) sink(chunk);
  }

  /**
   * The reader let go of the socket (before a TLS handshake takes it over): anything the
   * callback still gets was sent in the clear and is not to be read (RFC 3207 §6).
   */
  disconnect(): void {
    this.sink = 'dropped';
    this.early = [];
  }
}
