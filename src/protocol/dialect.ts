/**
 * What `convospec import` needs to know of a protocol (src/import): a dialect that reads a
 * transcript the way the protocol's framer reads the wire (which lines form one reply,
 * which command each reply answers, when TLS starts, and, for unmarked logs, who sent a
 * line), and the facts that tell the protocol of a transcript and write its spec.
 * The grouping mirrors the runtime framing of format §4, so each `s:` written by the
 * importer reads exactly one reply when the spec runs.
 */

/** A matcher made up by the importer, not copied from a server line (openssl's hidden STARTTLS). */
export type SynthMatcher =
  | { readonly kind: 'code'; readonly code: number; readonly contains?: readonly string[] }
  | { readonly kind: 'status'; readonly status: string; readonly contains?: readonly string[] }
  | { readonly kind: 'regex'; readonly source: string }
  | { readonly kind: 'any' };

/** A step a dialect writes on its own: what a tool did unseen (openssl's STARTTLS). */
export type PreludeStep =
  | { readonly kind: 'send'; readonly text: string; readonly line: number }
  | { readonly kind: 'expect'; readonly matcher: SynthMatcher; readonly line: number }
  | { readonly kind: 'tls'; readonly line: number };

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
  starttls(line: number): PreludeStep[];
}

/** How credentials look in this protocol's transcripts (src/import/credentials.ts). */
export interface CredentialShapes {
  /** A SASL continuation line; group 1 is its base64 text (RFC 4954 §4 `334 `, RFC 9051 `+ `). */
  readonly continuation: RegExp;
  /** A regex source that captures a challenge (group 1) from its continuation line (CRAM-MD5). */
  readonly challenge: string;
  /** The SASL command: group 1 the command up to the mechanism, 2 the mechanism, 3 an initial response. */
  readonly authCommand?: RegExp;
  /** Which clear-text login the protocol has (IMAP `LOGIN user pass`, POP3 `USER`/`PASS`/`APOP`). */
  readonly login?: 'imap' | 'pop3';
  /** The mechanism, initial response and responses are quoted strings (ManageSieve, RFC 5804 §2.1). */
  readonly quoted?: boolean;
}

export interface ImportDef {
  readonly dialect: DialectDef;
  /** The ports a spec gets when the transcript names none, without and with TLS at connect. */
  readonly ports: { readonly plain?: number; readonly tls?: number };
  /** Shapes of a server line that tell this protocol (first match over the registry wins). */
  readonly serverShapes: readonly RegExp[];
  /** Shapes of a client line that tell it, for a log that shows the client first. */
  readonly clientShapes: readonly RegExp[];
  /** The names `openssl s_client -starttls NAME` gives it. */
  readonly opensslStarttls: readonly string[];
  readonly credentials: CredentialShapes;
}

/** First word of a command, upper-cased (SMTP/POP3 verbs are case-insensitive). */
export function verbOf(text: string): string {
  return (text.trim().split(/\s+/)[0] ?? '').toUpperCase();
}

const QUOTE_MAX = 60;

/** A transcript line in a warning: JSON-quoted, cut after 60 characters. */
export function quoteLine(text: string): string {
  const short = text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text;
  return JSON.stringify(short);
}
