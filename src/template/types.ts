export type { Expr, Template, TemplatePart } from '../kernel/template.js';

/**
 * A runtime value. `secret` is true when any input it was derived from was secret
 * (a secret variable, or a function of one): such values are redacted in every output.
 */
export interface Value {
  readonly text: string;
  readonly secret: boolean;
}

/** Variables visible to a template while it is evaluated. */
export interface Scope {
  readonly vars: ReadonlyMap<string, Value>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** For `date()`: injected, never the global clock. */
  readonly now: () => Date;
  /** For `uuid()` and `random(n)`: injected so tests can fix it. */
  readonly randomBytes: (count: number) => Buffer;
}
