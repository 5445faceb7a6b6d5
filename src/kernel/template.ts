/**
 * The parsed form of a `${…}` template (docs/format.md §7): shared by the loader, which
 * parses templates, and the engine, which evaluates them.
 */
import type { Span } from './span.js';

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
