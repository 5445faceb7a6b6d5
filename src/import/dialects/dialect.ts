/**
 * A protocol's view of a transcript: which lines form one reply (the `s:` steps), which
 * command each reply answers, when TLS starts, and, for unmarked logs, who sent a line.
 * The grouping mirrors the runtime framing of format §4, so each `s:` written here
 * reads exactly one reply when the spec runs.
 */
import type { ImportStep, SynthMatcher } from '../types.js';

/** Where a dialect writes what it recognised. */
export interface ConversationOut {
  send(text: string, line: number): void;
  data(lines: readonly string[], line: number): void;
  reply(lines: readonly string[], line: number): void;
  /** A matcher the transcript does not show (a greeting the log starts after). */
  expect(matcher: SynthMatcher, line: number, comment: string): void;
  /** The server accepted STARTTLS/STLS: the handshake follows this reply. */
  upgrade(line: number): void;
  warn(line: number, message: string): void;
}

export interface Dialect {
  /** Side of a line the transcript did not mark. */
  guess(text: string): 'client' | 'server';
  /** An unmarked blank line: which side it belongs to at this point, or undefined to drop it. */
  blank(): 'client' | 'server' | undefined;
  client(text: string, line: number): void;
  server(text: string, line: number): void;
  /** The log starts past the greeting (openssl s_client -starttls consumed it). */
  skipGreeting(): void;
  /** The connection ended or the transcript did: flush what is pending. May be called twice. */
  end(line: number): void;
}

export interface DialectDef {
  create(out: ConversationOut): Dialect;
  /** Matches any greeting, for a log that does not show it. */
  readonly greeting: SynthMatcher;
  /** What `openssl s_client -starttls` sends and reads, unseen, after the greeting. */
  starttls(line: number): ImportStep[];
}

/** First word of a command, upper-cased (SMTP/POP3 verbs are case-insensitive). */
export function verbOf(text: string): string {
  return (text.trim().split(/\s+/)[0] ?? '').toUpperCase();
}
