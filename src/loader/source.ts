/**
 * One spec file as read: its text, where it lives, and the mapping from offsets to
 * line:col. Everything that needs a span for a file goes through here.
 */
import type { Span } from '../kernel/span.js';

export class SourceFile {
  private starts?: number[];

  constructor(
    /** Absolute path. */
    readonly path: string,
    /** Path relative to cwd, with `/`, as shown to users and used in spans. */
    readonly display: string,
    /** Absolute folder of the file. */
    readonly baseDir: string,
    readonly text: string,
  ) {}

  /**
   * Span of the offsets [start, end) in this file, clamped to the text. Computed from the
   * text, not from yaml's LineCounter, which misses line breaks inside tokens of a broken
   * document (an unclosed quote running over several lines).
   */
  span(start: number, end: number): Span {
    const from = Math.min(Math.max(0, start), this.text.length);
    const to = Math.min(Math.max(from, end), this.text.length);
    const starts = this.lineStarts();
    const a = lineIndex(starts, from);
    const b = lineIndex(starts, to, a);
    return { file: this.display, line: a + 1, col: from - (starts[a] ?? 0) + 1, endLine: b + 1, endCol: to - (starts[b] ?? 0) + 1 };
  }

  private lineStarts(): number[] {
    if (!this.starts) {
      const starts = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.starts = starts;
    }
    return this.starts;
  }

  /** Span of the first line of the file (for problems of a whole file). */
  head(): Span {
    const eol = this.text.indexOf('\n');
    return this.span(0, eol < 0 ? this.text.length : eol);
  }
}

/** 0-based index of the line holding `offset` (at or after line `lo`), by binary search over the lines' start offsets. */
function lineIndex(starts: readonly number[], offset: number, lo = 0): number {
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
