/**
 * Received bytes as a list of chunks, so appending is O(1) and a 16 MiB literal arriving in
 * 64 KiB pieces is not copied over and over. Searching remembers how far it has looked, so a
 * line arriving a byte at a time is scanned once, not once per byte.
 *
 * Consumed bytes of the first chunk are skipped by an offset (`start`), not cut off with a
 * new view: Node's `Buffer#subarray` reads `.buffer` (a call into C++) and builds a Buffer,
 * and cutting the head on every take and drop would do that twice per line read.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  /** Bytes of `chunks[0]` already consumed. */
  private start = 0;
  private size = 0;
  /** Bytes from the front known to hold no LF: the next search starts here. */
  private scanned = 0;

  get length(): number {
    return this.size;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** Index of the first `byte` from the front, or -1. */
  indexOf(byte: number): number {
    const chunks = this.chunks;
    const start = this.start;
    // One chunk (a reply that came in one read, the usual case): no walk.
    if (chunks.length === 1) {
      const found = (chunks[0] as Buffer).indexOf(byte, start + this.scanned);
      if (found < 0) {
        this.scanned = this.size;
        return -1;
      }
      return found - start;
    }
    // `offset`: where each chunk's first unconsumed byte is, counted from the front.
    let offset = -start;
    for (const chunk of chunks) {
      if (offset + chunk.length > this.scanned) {
        const from = Math.max(0, this.scanned - offset);
        const found = chunk.indexOf(byte, from);
        if (found >= 0) return offset + found;
      }
      offset += chunk.length;
    }
    this.scanned = this.size;
    return -1;
  }

  /** The byte at `index` (which must be below `length`). */
  at(index: number): number {
    let position = index + this.start;
    for (const chunk of this.chunks) {
      if (position < chunk.length) return chunk[position] as number;
      position -= chunk.length;
    }
    throw new RangeError(`byte ${index} of ${this.size}`);
  }

  /** A copy of the first `count` bytes (at most `length`), leaving them queued. */
  peek(count: number = this.size): Buffer {
    return this.copy(0, count);
  }

  /** A copy of the bytes from `begin` to `end` (both at most `length`), leaving them queued. */
  copy(begin: number, end: number): Buffer {
    const last = Math.min(end, this.size);
    const wanted = Math.max(0, last - begin);
    const out = Buffer.allocUnsafe(wanted);
    let filled = 0;
    // `skip`: bytes still to pass over before `begin`, counted from the first unconsumed one.
    let skip = begin;
    let from = this.start;
    for (const chunk of this.chunks) {
      if (filled >= wanted) break;
      const available = chunk.length - from;
      if (skip >= available) {
        skip -= available;
        from = 0;
        continue;
      }
      from += skip;
      skip = 0;
      filled += chunk.copy(out, filled, from, Math.min(chunk.length, from + wanted - filled));
      from = 0;
    }
    return out;
  }

  /**
   * Remove and return the first `count` bytes (at most `length`). Bytes within the first
   * chunk come as a view of it, not a copy (most lines do): chunks are the socket's own,
   * never written to, so a view stays as it was.
   */
  take(count: number): Buffer {
    const head = this.chunks[0];
    const start = this.start;
    if (head !== undefined && head.length - start >= count) {
      const view = start === 0 && count === head.length ? head : head.subarray(start, start + count);
      this.drop(count);
      return view;
    }
    const out = this.peek(count);
    this.drop(out.length);
    return out;
  }

  /** Remove the first `count` bytes. */
  drop(count: number): void {
    let left = Math.min(count, this.size);
    this.size -= left;
    this.scanned = Math.max(0, this.scanned - left);
    while (left > 0) {
      const rest = (this.chunks[0] as Buffer).length - this.start;
      if (rest <= left) {
        this.chunks.shift();
        this.start = 0;
        left -= rest;
      } else {
        this.start += left;
        left = 0;
      }
    }
  }

  clear(): void {
    this.chunks = [];
    this.start = 0;
    this.size = 0;
    this.scanned = 0;
  }
}
