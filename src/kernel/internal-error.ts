/**
 * A bug in convospec, not a problem of a spec or of a server: the command says so ("internal
 * error … please report", exit 2) instead of a diagnostic. Made where the secrets in play are
 * known, so its message and stack are already free of them.
 */
export class InternalError extends Error {
  override name = 'InternalError';

  constructor(
    message: string,
    /** The stack of the exception it stands for, redacted as the message is. */
    readonly detail: string,
  ) {
    super(message);
  }

  /** `error` (anything thrown) as an InternalError, its words passed through `redact`. */
  static from(error: unknown, redact: (text: string) => string): InternalError {
    if (error instanceof InternalError) return error;
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error ? (error.stack ?? '') : '';
    return new InternalError(redact(message), redact(stack));
  }
}
