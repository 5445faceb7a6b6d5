/**
 * Reply framing, per protocol (format §4). Pure: the transport hands lines and
 * byte runs in, a framer says what it needs next, and finally hands a whole Reply out.
 * No sockets, no timers here.
 */
import type { ProtocolName } from '../kernel/model.js';
import type { ImportDef } from './dialect.js';

export interface Reply {
  /**
   * The reply's lines as received, decoded as UTF-8 with U+FFFD for invalid bytes, for
   * matching. Status lines are included. IMAP literal bytes are split into lines like any
   * other text (so a literal `a\r\nb` adds the lines `a`, `b`). The POP3 closing `.` is not
   * a line and multi-line bodies are dot-unstuffed.
   */
  readonly lines: readonly string[];
  /**
   * The bytes as received, for transcripts; shown escaped. Each line is followed by a bare
   * LF (the transport drops the CR before it, so it cannot be given back); IMAP literal
   * bytes are kept exactly, CRs included.
   */
  readonly raw: Buffer;
  /** smtp/lmtp: the three-digit code. */
  readonly code?: number;
  /** smtp/lmtp: RFC 3463 code at the start of the first line's text, without a `#`. */
  readonly enhanced?: string;
  /** pop3: `+OK` `-ERR` `+`; imap: `OK` `NO` `BAD` `PREAUTH` `BYE` `+`; managesieve: `OK` `NO` `BYE` `+`. */
  readonly status?: string;
  /** smtp: texts after `ddd-`/`ddd ` joined by `\n`; pop3/imap/managesieve: what follows the status. */
  readonly text: string;
  /**
   * Set when the reply breaks the protocol's grammar (an SMTP line that is not `ddd text`,
   * a code that changes inside a multi-line reply, a POP3 line without a status
   * indicator): why, in one phrase, for failure messages. Such a reply has no `code`
   * (smtp/lmtp) or no `status` (pop3/imap greeting), so code and status matchers fail.
   * Added after v1 of this contract (additive).
   */
  readonly malformed?: string;
}

/** What the framer needs next from the transport. */
export type FrameStep =
  | { readonly need: 'line' }
  /** Exactly `count` bytes (an IMAP literal), whatever they hold. */
  | { readonly need: 'bytes'; readonly count: number }
  | { readonly need: 'done'; readonly reply: Reply };

/** Frames ONE reply. Created by `ProtocolSession.begin`. */
export interface ReplyFramer {
  /** One line as received, without its LF (a CR before the LF already dropped). */
  line(raw: Buffer): FrameStep;
  /** The bytes asked for by `{ need: 'bytes' }`. */
  bytes(raw: Buffer): FrameStep;
  /** First step: usually `{ need: 'line' }`. */
  start(): FrameStep;
}

/** What the client sent, as far as framing cares (the command queue of §4). */
export type SentCommand =
  | { readonly kind: 'line'; readonly text: string }
  /** A `send:` step: its bytes may hold any number of lines or none. */
  | { readonly kind: 'raw'; readonly text: string }
  /** An SMTP/LMTP DATA body with its terminating `.`. */
  | { readonly kind: 'data' };

export interface ReplyOptions {
  /** pop3: the matcher's `multiline`, overriding what the command implies. */
  readonly multiline?: boolean;
  /** imap: read until each of these pending commands has completed, not just the first (pipelining). */
  readonly tags?: readonly string[];
}

/** Per-connection protocol state: the queue of commands still waiting for a reply. */
export interface ProtocolSession {
  sent(command: SentCommand): void;
  /** Begin framing the next reply. */
  begin(options: ReplyOptions): ReplyFramer;
  /** After a TLS upgrade nothing sent before it is pending any more (RFC 3207 §6 and kin). */
  reset?(): void;
}

/** How the client side of a connection writes (additive: `createSession()` still works). */
export interface SessionOptions {
  /**
   * The connection's `eol` (format §2), default `crlf`: the EOL the engine appends to each `c:`
   * line. IMAP counts the bytes of sent lines against the client's own `{n}` literals.
   */
  readonly eol?: 'crlf' | 'lf';
}

/** Which command a reply answers (src/engine/answers.ts): the client's lines in turn, by tag, or none. */
export type ReplyOrder = 'in-turn' | 'by-tag' | 'none';

/** What `convospec serve` needs of a protocol to play its server side (docs/format.md, Serve). Additive. */
export interface ServeFacts {
  /** smtp/lmtp: the line a bare reply code (`s: 250`) is sent as. */
  readonly codeLine?: (code: number) => string;
  /** pop3: whether a `+OK` answering this client line goes on with lines and a closing `.` (RFC 1939 §3). */
  readonly multilineAnswer?: (clientLine: string) => boolean;
  /**
   * A client line with its case-insensitive words (the command keyword, SMTP's `FROM:`/`TO:`)
   * in one case: two lines with the same key are the same command.
   */
  readonly commandKey?: (clientLine: string) => string;
  /** imap: a command line's first word is the client's tag, echoed in the server's completion. */
  readonly tagged?: boolean;
}

/** Every fact about one protocol: the registry (`registry.ts`) holds one per name. */
export interface ProtocolDef {
  readonly name: ProtocolName;
  /** How messages and the importer write the name (`SMTP`). */
  readonly title: string;
  /** Literal ports from which the protocol may be inferred (format §2), and which the importer knows it by. */
  readonly wellKnownPorts: readonly number[];
  /** Whether `s: 250` / `code:` / `enhanced:` make sense. */
  readonly hasReplyCodes: boolean;
  /** Whether `status:` makes sense, and its allowed words (for "did you mean"). */
  readonly statusWords: readonly string[];
  /** How `status:` compares with the reply's: exactly, or in any case. */
  readonly statusCase: 'exact' | 'any';
  /** Whether `multiline:` makes sense. */
  readonly hasMultiline: boolean;
  /** The line of a reply that carries its code or status, shown as `actual` in failures. */
  readonly headline: 'first' | 'last';
  /** Whether a `data:` step (an SMTP/LMTP body) makes sense; if not, how to send such bytes instead. */
  readonly data: { readonly allowed: true } | { readonly allowed: false; readonly hint?: string };
  readonly replyOrder: ReplyOrder;
  /** Replies to one `data:` body, given the recipients sent since MAIL. */
  dataReplies(recipients: number): number;
  /** What `convospec import` needs: its dialect, detection and credential shapes. */
  readonly import: ImportDef;
  createSession(options?: SessionOptions): ProtocolSession;
  /** Serve mode's facts; absent: lines are sent and read as written. */
  readonly serve?: ServeFacts;
}
