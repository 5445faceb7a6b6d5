/**
 * How a step fails. Steps throw `StepFailure`; the test runner turns it into a `Failure`
 * event with the include trail. Transport errors are translated here, in one place, into
 * words a mail admin understands.
 */
import type { Span } from '../kernel/span.js';
import type { FailureKind, ReceivedReply } from './events.js';
import { TransportError, type TransportErrorKind } from '../transport/types.js';
import type { Secrets } from './secrets.js';
import { formatDuration } from '../kernel/duration.js';

export class StepFailure extends Error {
  /** The `include` steps this failure passed through, innermost first (filled on the way out). */
  readonly includedFrom: Span[] = [];
  /** The `name:` of the innermost named step it came from (set on the way out). */
  stepName: string | undefined;
  /** The reply that did not match its `s:` step (`run --update`). */
  received: ReceivedReply | undefined;
  /** Thrown on a turn of a `repeat` after the first (set on the way out). */
  laterTurn = false;

  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly span: Span,
    readonly detail: { expected?: string; actual?: string } = {},
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}

/** What the step was doing when the transport failed, for the message. */
export type Activity = 'reply' | 'send' | 'connect' | 'tls' | 'silence' | 'close';

const WAITING_FOR: Record<Activity, string> = {
  reply: 'while reading the reply',
  send: 'while sending',
  connect: 'while connecting',
  tls: 'during the TLS handshake',
  silence: 'while waiting for silence',
  close: 'while waiting for the server to close the connection',
};

const KIND_OF: Record<TransportErrorKind, FailureKind> = {
  timeout: 'timeout',
  closed: 'closed',
  reset: 'reset',
  refused: 'refused',
  unreachable: 'unreachable',
  limit: 'limit',
  tls: 'tls',
  // Our side (JUnit <error>): the server is not at fault.
  local: 'error',
  aborted: 'interrupted',
};

export interface TimeoutContext {
  /** The wait that was allowed, for "no reply within 10s". */
  readonly timeoutMs: number;
  /** True when the test's `deadline` cut the wait short, not the step's timeout. */
  readonly deadlineBound: boolean;
  readonly deadlineMs: number;
}

/** Translate a transport error into a step failure at `span`. */
export function fromTransport(error: TransportError, span: Span, activity: Activity, wait: TimeoutContext, secrets: Secrets): StepFailure {
  const partial = error.partial && error.partial.length > 0 ? `; received so far: "${secrets.tail(error.partial)}"` : '';
  const kind = KIND_OF[error.kind];
  let message: string;
  switch (error.kind) {
    case 'timeout':
      // At connect the transport knows which phase stalled (TCP, or the implicit-TLS handshake).
      message = wait.deadlineBound
        ? `the test's deadline of ${formatDuration(wait.deadlineMs)} was reached ${WAITING_FOR[activity]}`
        : timeoutMessage(error.phase === 'tls' ? 'tls' : activity, wait.timeoutMs);
      return new StepFailure(wait.deadlineBound ? 'deadline' : kind, message + partial, span);
    case 'closed':
      message = `the server closed the connection ${WAITING_FOR[activity]}`;
      break;
    case 'reset':
      message = `connection reset by the server ${WAITING_FOR[activity]}`;
      break;
    case 'refused':
    case 'unreachable':
    case 'limit':
    case 'tls':
    case 'local':
      message = error.message;
      break;
    case 'aborted':
      message = 'interrupted';
      break;
    default: {
      const never: never = error.kind;
      throw new Error(`unknown transport error kind ${String(never)}`);
    }
  }
  return new StepFailure(kind, message + partial, span);
}

function timeoutMessage(activity: Activity, timeoutMs: number): string {
  const within = formatDuration(timeoutMs);
  switch (activity) {
    case 'reply':
      return `no reply within ${within}`;
    case 'send':
      return `the server stopped reading: could not send within ${within}`;
    case 'connect':
      return `could not connect within ${within}`;
    case 'tls':
      return `the TLS handshake did not finish within ${within}`;
    case 'silence':
      return `no silence within ${within}`;
    case 'close':
      return `the server did not close the connection within ${within}`;
    default: {
      const never: never = activity;
      return String(never);
    }
  }
}

export function isTransportError(error: unknown): error is TransportError {
  return error instanceof TransportError;
}
