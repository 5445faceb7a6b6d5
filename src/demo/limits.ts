/**
 * Bounds that keep a broken or hostile client from hurting the demo: every buffer, literal,
 * message and wait has a ceiling, and hitting one ends that client's session only.
 */
export interface DemoLimits {
  /** Longest command line, CRLF included (RFC 7162 §4 asks servers to take at least 8000). */
  readonly line: number;
  /** Largest message (SMTP SIZE, IMAP APPEND literal). */
  readonly message: number;
  /** Largest IMAP literal that is not an APPEND message (a login name, a search string). */
  readonly literal: number;
  /** Most literals in one IMAP command. */
  readonly literalsPerCommand: number;
  /** Idle time before a session is closed, in milliseconds. */
  readonly idleMs: number;
  /** Most simultaneous connections per listener. */
  readonly connections: number;
  /** Most failed logins in one session before it is closed. */
  readonly authFailures: number;
  /** Most messages kept per mailbox (oldest go first). */
  readonly mailboxMessages: number;
}

const MIB = 1024 * 1024;

export const DEFAULT_LIMITS: DemoLimits = {
  line: 64 * 1024,
  message: 10 * MIB,
  literal: 64 * 1024,
  literalsPerCommand: 16,
  idleMs: 120_000,
  connections: 100,
  authFailures: 5,
  mailboxMessages: 1000,
};
