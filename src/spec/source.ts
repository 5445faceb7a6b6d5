/**
 * One spec file as read: its text, where it lives, and the mapping from offsets to
 * line:col. Everything that needs a span for a file goes through here.
 */
import type { Span } from './span.js';

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
    const a = this.position(from);
    const b = this.position(to);
    return { file: this.display, line: a.line, col: a.col, endLine: b.line, endCol: b.col };
  }

  /** 1-based line and column of an offset. */
  private position(offset: number): { line: number; col: number } {
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - (starts[lo] ?? 0) + 1 };
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
