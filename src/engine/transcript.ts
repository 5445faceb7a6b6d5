/**
 * What a test keeps of its transcript: the first `TRANSCRIPT_HEAD` entries and the last
 * `TRANSCRIPT_TAIL`, with one `info` entry between them saying how many were left out
 * (docs/guarantees.md). A test that loops for an hour holds as much as one that loops for a
 * minute; what a failure shows, the end, is always there.
 */
import type { TranscriptEntry } from './events.js';

export const TRANSCRIPT_HEAD = 500;
export const TRANSCRIPT_TAIL = 500;

export class Transcript {
  private readonly head: TranscriptEntry[] = [];
  /** The last entries, a ring: `next` is where the oldest one is (once it is full). */
  private readonly tail: TranscriptEntry[] = [];
  private next = 0;
  /** Entries left out between the head and the tail, and when the first of them was. */
  private leftOut = 0;
  private leftOutAtMs = 0;

  push(entry: TranscriptEntry): void {
    if (this.head.length < TRANSCRIPT_HEAD) {
      this.head.push(entry);
      return;
    }
    if (this.tail.length < TRANSCRIPT_TAIL) {
      this.tail.push(entry);
      return;
    }
    const oldest = this.tail[this.next]!;
    if (this.leftOut === 0) this.leftOutAtMs = oldest.atMs;
    this.leftOut += 1;
    this.tail[this.next] = entry;
    this.next = (this.next + 1) % TRANSCRIPT_TAIL;
  }

  /** The kept entries in order, with the note of what was left out. */
  entries(): TranscriptEntry[] {
    const tail = this.next === 0 ? this.tail : [...this.tail.slice(this.next), ...this.tail.slice(0, this.next)];
    if (this.leftOut === 0) return [...this.head, ...tail];
    const note: TranscriptEntry = { dir: 'info', text: `… ${this.leftOut} lines left out …`, atMs: this.leftOutAtMs };
    return [...this.head, note, ...tail];
  }
}
