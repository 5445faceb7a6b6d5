/**
 * Where the loader's stages put problems. A sink knows the `include` steps that led to
 * the part being checked (innermost first), so a problem inside a fragment says where it
 * was included from. `failed` tells a caller that something under it went wrong, even
 * when the message itself was already given (a fragment's errors are shown once).
 */
import type { Diagnostic, DiagnosticCode } from '../kernel/diagnostic.js';
import type { Span } from '../kernel/span.js';

export class Sink {
  private state: { failed: boolean };

  constructor(
    private readonly out: Diagnostic[],
    readonly includedFrom: readonly Span[] = [],
    state?: { failed: boolean },
  ) {
    this.state = state ?? { failed: false };
  }

  get failed(): boolean {
    return this.state.failed;
  }

  error(code: DiagnosticCode, span: Span, message: string, hint?: string): void {
    this.state.failed = true;
    this.out.push({ code, span, message, ...(hint ? { hint } : {}), ...(this.includedFrom.length > 0 ? { includedFrom: this.includedFrom } : {}) });
  }

  /** Diagnostics found by an earlier stage, shown with this sink's include trail. */
  add(diagnostics: readonly Diagnostic[]): void {
    for (const d of diagnostics) this.error(d.code, d.span, d.message, d.hint);
  }

  /** Mark failure without a message (the message was given elsewhere). */
  fail(): void {
    this.state.failed = true;
  }

  /** A sink for the steps of a fragment included at `span`; failures count here too. */
  within(span: Span): Sink {
    return new Sink(this.out, [span, ...this.includedFrom], this.state);
  }

  /** A sink with its own failure flag, writing to the same list (one per suite). */
  fresh(): Sink {
    return new Sink(this.out, this.includedFrom);
  }
}
