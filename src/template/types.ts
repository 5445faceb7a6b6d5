import type { Span } from '../spec/span.js';

/**
 * The parsed form of a string that may hold `${…}` (spec-format §7).
 * A template with no expression is a plain string; `$${` has already become a literal `${`.
 */
export interface Template {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
  /** Where the string stands in the spec (the YAML scalar, quotes excluded where possible). */
  readonly span: Span;
}

export type TemplatePart =
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'expr'; readonly expr: Expr; /** offset of `${` within `source` */ readonly offset: number };

export type Expr =
  | { readonly kind: 'var'; readonly name: string; readonly offset: number }
  | { readonly kind: 'env'; readonly name: string; readonly fallback?: string; readonly offset: number }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Expr[]; readonly offset: number }
  | { readonly kind: 'string'; readonly value: string; readonly offset: number }
  | { readonly kind: 'number'; readonly value: number; readonly offset: number };

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
