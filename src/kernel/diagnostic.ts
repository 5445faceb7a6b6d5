import type { Span } from './span.js';

/**
 * The kind of a problem, stable across releases and wordings: tests and tools match the
 * code, people read the message. Each is listed, with its meaning, in docs/diagnostics.md.
 */
export const DIAGNOSTIC_CODES = [
  // Inputs and files
  'input-missing',
  'input-no-match',
  'file-missing',
  'file-denied',
  'file-not-regular',
  'file-too-large',
  'file-unreadable',
  // YAML
  'yaml-syntax',
  'yaml-tab-indent',
  'yaml-control-character',
  'yaml-duplicate-key',
  'yaml-multiple-documents',
  'yaml-unknown-anchor',
  'yaml-version',
  'yaml-alias-expansion',
  'file-empty',
  // Schema: the shape of the file
  'unknown-key',
  'missing-key',
  'exclusive-keys',
  'schema-type',
  'schema-choice',
  'schema-empty',
  'schema-range',
  'schema-invalid',
  'with-without-include',
  'name-invalid',
  // Values
  'duration-invalid',
  'size-invalid',
  'reply-code-invalid',
  'enhanced-code-invalid',
  'hex-invalid',
  'base64-invalid',
  'regex-flags',
  'regex-invalid',
  'regex-risky',
  'imap-pattern',
  'port-invalid',
  'tls-version-order',
  // Templates and variables
  'template-syntax',
  'unknown-function',
  'function-arity',
  'env-unset',
  'unknown-variable',
  'fragment-param-missing',
  'unknown-secret',
  'matrix-too-large',
  // Steps, includes, connections, protocols
  'c-line-break',
  'matcher-flag-as-text',
  'include-template',
  'include-cycle',
  'include-too-deep',
  'include-too-many',
  'include-not-fragment',
  'no-connection',
  'unknown-connection',
  'protocol-missing',
  'step-not-for-protocol',
  'matcher-not-for-protocol',
  'status-word-unknown',
  'serve-unsendable',
  // Warnings
  'secret-short',
  'secret-counter',
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

/** A problem found in a spec before anything runs. Data only; `loader/render.ts` draws it. */
export interface Diagnostic {
  /** What kind of problem it is (docs/diagnostics.md); the message words it for people. */
  readonly code: DiagnosticCode;
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
