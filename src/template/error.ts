import type { Span } from '../kernel/span.js';

/**
 * A template that cannot be evaluated: an unset env variable without default, an unknown
 * variable, bad function arguments, a regex that no longer compiles. On our side of the
 * conversation, so the engine reports it as an error, not a server failure.
 */
export class TemplateError extends Error {
  constructor(
    message: string,
    /** Position within the template's source (0 when the whole template is at fault). */
    readonly offset: number,
    /** The template's span in the spec, when known. */
    readonly span?: Span,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Thrown by a template function; `evaluate` turns it into a TemplateError at the call. */
export class ArgumentError extends Error {
  constructor(
    message: string,
    /** The same message without the offending value, for when an argument is secret. */
    readonly withoutValue: string = message,
  ) {
    super(message);
    this.name = 'ArgumentError';
  }
}
