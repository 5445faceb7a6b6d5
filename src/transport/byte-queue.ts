/**
 * Received bytes as a list of chunks, so appending is O(1) and a 16 MiB literal arriving in
 * 64 KiB pieces is not copied over and over. Searching remembers how far it has looked, so a
 * line arriving a byte at a time is scanned once, not once per byte.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
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
    // One chunk (a reply that came in one read, the usual case): no walk.
    if (chunks.length === 1) {
      const found = (chunks[0] as Buffer).indexOf(byte, this.scanned);
      if (found < 0) this.scanned = this.size;
      return found;
    }
    let offset = 0;
    for (const chunk of this.chunks) {
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
    const head = this.chunks[0];
    if (head !== undefined && index < head.length) return head[index] as number;
    let offset = 0;
    for (const chunk of this.chunks) {
      if (index < offset + chunk.length) return chunk[index - offset] as number;
      offset += chunk.length;
    }
    throw new RangeError(`byte ${index} of ${this.size}`);
  }

  /** A copy of the first `count` bytes (at most `length`), leaving them queued. */
  peek(count: number = this.size): Buffer {
    const wanted = Math.min(count, this.size);
    const out = Buffer.allocUnsafe(wanted);
    let filled = 0;
    for (const chunk of this.chunks) {
      if (filled >= wanted) break;
      filled += chunk.copy(out, filled, 0, Math.min(chunk.length, wanted - filled));
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
    if (head !== undefined && head.length >= count) {
      const view = head.subarray(0, count);
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
      const head = this.chunks[0] as Buffer;
      if (head.length <= left) {
        this.chunks.shift();
        left -= head.length;
      } else {
        this.chunks[0] = head.subarray(left);
        left = 0;
      }
    }
  }

  clear(): void {
    this.chunks = [];
    this.size = 0;
    this.scanned = 0;
  }
}
