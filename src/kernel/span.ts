/**
 * A place in a source file. Lines and columns are 1-based, as editors show them;
 * `end*` points just past the last character of the span (exclusive).
 */
export interface Span {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
}

/** Where a step really runs from: its own span, plus the `include` steps that led to it, outermost last. */
export interface SpanTrail {
  readonly span: Span;
  readonly includedFrom: readonly Span[];
}

export function formatSpan(span: Pick<Span, 'file' | 'line' | 'col'>): string {
  return `${span.file}:${span.line}:${span.col}`;
}
