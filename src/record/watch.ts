/**
 * Follows a conversation as it passes through the recorder, with the importer's own reading
 * of the protocol (its dialect, src/protocol/<name>/import.ts), to tell the moment the server
 * accepts STARTTLS (SMTP, RFC 3207), STLS (POP3, RFC 2595 §4) or IMAP STARTTLS (RFC 9051
 * §6.2.1): the handshake follows that reply. The protocol is `--protocol`'s, else the one
 * the importer finds from the greeting (or the port), known by the first server line.
 */
import { detectProtocol } from '../import/detect.js';
import type { ConnectTarget, ProtocolName, TranscriptEvent } from '../import/types.js';
import type { ConversationOut, Dialect } from '../protocol/dialect.js';
import { PROTOCOLS } from '../protocol/registry.js';

type LineEvent = Extract<TranscriptEvent, { kind: 'line' }>;

export class StarttlsWatch {
  private dialect: Dialect | undefined;
  /** Lines before the protocol is known (a client that speaks first). */
  private held: LineEvent[] = [];
  private accepted = false;
  /** The protocol could not be told by the first server line. */
  private unknown = false;
  /** The client asked for TLS and the server has not accepted it (yet). */
  private asked: string | undefined;

  constructor(
    private protocol: ProtocolName | undefined,
    private readonly target: ConnectTarget,
  ) {
    if (protocol !== undefined) this.dialect = this.create(protocol);
  }

  /** The STARTTLS command the client sent and the server did not accept, if any. */
  get refused(): string | undefined {
    return this.asked;
  }

  /** A line the client sent. */
  client(event: LineEvent): void {
    if (this.isStarttls(event.text)) this.asked = event.text;
    if (this.dialect) this.dialect.client(event.text, event.line);
    else if (!this.unknown) this.held.push(event);
  }

  /** A line the server sent: true when it accepts STARTTLS (the handshake follows it). */
  server(event: LineEvent): boolean {
    if (this.unknown) return false;
    if (!this.dialect) {
      this.held.push(event);
      this.protocol = detectProtocol({ line: event.line, target: this.target, events: this.held });
      if (this.protocol === undefined) {
        // Neither the greeting nor the port tells: no STARTTLS is followed (the bytes still pass).
        this.unknown = true;
        this.held = [];
        return false;
      }
      this.dialect = this.create(this.protocol);
      const held = this.held;
      this.held = [];
      this.accepted = false;
      for (const line of held) {
        if (line.side === 'client') this.dialect.client(line.text, line.line);
        else this.dialect.server(line.text, line.line);
      }
    } else {
      this.accepted = false;
      this.dialect.server(event.text, event.line);
    }
    if (!this.accepted) return false;
    this.asked = undefined;
    return true;
  }

  private create(protocol: ProtocolName): Dialect {
    const out: ConversationOut = {
      send: ignore,
      data: ignore,
      reply: ignore,
      expect: ignore,
      upgrade: () => {
        this.accepted = true;
      },
      warn: ignore,
    };
    return PROTOCOLS[protocol].import.dialect.create(out);
  }

  /** `STARTTLS`, `STLS`, `tag STARTTLS`: what asks for TLS in the protocols that have it. */
  private isStarttls(text: string): boolean {
    const words = text.trim().toUpperCase().split(/\s+/);
    const verb = words.at(-1);
    return words.length <= 2 && (verb === 'STARTTLS' || verb === 'STLS');
  }
}

const ignore = (): void => undefined;
