import type { Span } from './span.js';

/** A problem found in a spec before anything runs. Data only; `spec/render.ts` draws it. */
export interface Diagnostic {
  readonly span: Span;
  readonly message: string;
  /** "did you mean `contains`?" and the like. */
  readonly hint?: string;
  /**
   * `warning`: shown, but the file stays valid (a run goes on). Absent: an error. A
   * warning's message and hint never quote a value from the spec (they are not redacted).
   */
  readonly severity?: 'warning';
  /** For a problem inside a fragment: the `include` steps that reached it, innermost first. */
  readonly includedFrom?: readonly Span[];
}
