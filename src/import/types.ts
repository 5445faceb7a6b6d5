/**
 * The stages of `convospec import`, and what passes between them:
 *
 *   text ─ format parser (prefixed | swaks | telnet) → TranscriptEvent[]
 *        ─ sessions → one Session per connection
 *        ─ conversation (a Dialect per protocol) → ImportStep[]
 *        ─ credentials → ImportStep[] with templates and Credentials
 *        ─ emit → YAML text
 *
 * Everything here is pure: no I/O, no clock, no environment.
 */
import type { ProtocolName } from '../kernel/model.js';
import type { SynthMatcher } from '../protocol/dialect.js';

export type { ProtocolName, SynthMatcher };

export interface ImportWarning {
  /** 1-based line of the transcript the warning is about. */
  readonly line: number;
  readonly message: string;
}

export type TranscriptFormat = 'prefixed' | 'swaks' | 'telnet';

/** Where a transcript says it connected: a `telnet`/`openssl`/`swaks`/`nc` command or telnet's chatter. */
export interface ConnectTarget {
  /** As written in the transcript (`mail.example.net`, `$REMOTE_SRV`, `172.16.6.165`). */
  readonly host?: string;
  readonly port?: number;
  /** TLS right at connect (`openssl s_client` without `-starttls`, `swaks --tlsc`, `ncat --ssl`). */
  readonly tls?: boolean;
  /** `openssl s_client -starttls PROTO`: the tool did STARTTLS itself before showing anything. */
  readonly starttls?: ProtocolName;
  /** A protocol the command names (`-starttls imap`, swaks is always smtp). */
  readonly protocol?: ProtocolName;
  readonly tool: string;
  /** Guessed from chatter (`Trying 1.2.3.4...`): a command's values win over it. */
  readonly weak?: boolean;
}

/** Who sent a transcript line. `unknown`: an unmarked telnet log; the protocol's dialect guesses. */
export type Side = 'client' | 'server' | 'unknown';

export type TranscriptEvent =
  /**
   * A line of the conversation. `marked`: the transcript said who sent it (`c:`, `->`, `> `);
   * an unmarked blank line is kept only where the protocol needs it (a DATA body, a POP3
   * multi-line reply, an IMAP literal).
   */
  | { readonly kind: 'line'; readonly line: number; readonly side: Side; readonly marked: boolean; readonly text: string }
  | { readonly kind: 'connect'; readonly line: number; readonly target: ConnectTarget }
  /** The transcript shows a TLS handshake here (`<TLS negotiation …>`, `=== TLS started …`). */
  | { readonly kind: 'tls'; readonly line: number; readonly note?: string }
  /** The connection ended: `server` (Connection closed by foreign host.) or `client` (telnet> quit). */
  | { readonly kind: 'closed'; readonly line: number; readonly by: 'server' | 'client' };

/** One connection of the transcript, in order. */
export interface Session {
  readonly target?: ConnectTarget;
  /** Line of the first event, for warnings. */
  readonly line: number;
  readonly events: readonly TranscriptEvent[];
  /** The handshake after the last accepted STARTTLS failed (a recording): the spec ends before it. */
  readonly tlsFailed?: boolean;
}

/** A step of the spec being built, before it is written as YAML. */
export type ImportStep = (
  /** `template` is set once credentials are rewritten; until then `text` is what was sent. */
  | { readonly kind: 'send'; readonly text: string; template?: string }
  | { readonly kind: 'data'; readonly lines: readonly string[] }
  /** `capture`: variable name → regex source, for a challenge a later send needs. */
  | { readonly kind: 'reply'; readonly lines: readonly string[]; capture?: { readonly name: string; readonly source: string } }
  | { readonly kind: 'expect'; readonly matcher: SynthMatcher }
  | { readonly kind: 'tls' }
  | { readonly kind: 'closed' }
  | { readonly kind: 'close' }
) & {
  readonly line: number;
  /** Written as a YAML comment above the step. */
  comment?: string;
};
