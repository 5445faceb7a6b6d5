/**
 * One spec file as read: its text, where it lives, and the mapping from offsets to
 * line:col. Everything that needs a span for a file goes through here.
 */
import { LineCounter } from 'yaml';
import type { Span } from './span.js';

export class SourceFile {
  readonly lineCounter = new LineCounter();

  constructor(
    /** Absolute path. */
    readonly path: string,
    /** Path relative to cwd, with `/`, as shown to users and used in spans. */
    readonly display: string,
    /** Absolute folder of the file. */
    readonly baseDir: string,
    readonly text: string,
  ) {}

  /** Span of the offsets [start, end) in this file. */
  span(start: number, end: number): Span {
    const a = this.lineCounter.linePos(start);
    const b = this.lineCounter.linePos(Math.max(start, end));
    return { file: this.display, line: a.line, col: a.col, endLine: b.line, endCol: b.col };
  }

  /** Span of the first line of the file (for problems of a whole file). */
  head(): Span {
    const eol = this.text.indexOf('\n');
    return this.span(0, eol < 0 ? this.text.length : eol);
  }
}
