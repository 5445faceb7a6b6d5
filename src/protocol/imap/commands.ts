/**
 * The client's side of an IMAP connection: which commands are pending, and whether a line
 * the client sends starts a new command or continues one (format §4).
 *
 * The client's bytes are parsed the way a server reads them (RFC 9051 §2.2.1, §4.3): a
 * line that ends in a literal `{n}` or `{n+}` (`~{n}` too, RFC 3516) is followed by exactly
 * n bytes and then by the rest of the same command line. So the bytes of the `c:` lines
 * after a literal line (each line plus the connection's EOL) are counted against n: an
 * APPEND whose literal is written as several `c:` lines ends exactly where the server
 * thinks it does, also when the literal ends inside a line.
 *
 * A line at the start of a command line begins a new command, tagged with its first word,
 * except while a command is *continued*: after a `+` that was not the go-ahead for one of
 * its synchronising literals, and until its tagged completion (SASL responses to
 * AUTHENTICATE, RFC 9051 §6.2.2; IDLE's `DONE`, RFC 9051 §6.3.13). Such lines are taken
 * whole, with no literal in them.
 */
import { createSegmentReader } from '../sent-lines.js';

export interface ImapCommand {
  readonly tag: string;
  /** Synchronising literals sent whose `+` go-ahead (RFC 9051 §4.3) has not been read. */
  syncLiterals: number;
  /** A `+` continuation request was read for it (RFC 9051 §7.5). */
  continued: boolean;
}

/** `{n}`, `{n+}` (LITERAL+, RFC 7888) or `~{n}` (RFC 3516) at the end of a line. */
const LITERAL_AT_END = /\{(\d+)(\+?)\}$/;

export interface LiteralAtEnd {
  readonly count: number;
  /** A `{n}` literal: the client must wait for a `+` before sending it. */
  readonly synchronising: boolean;
}

export function literalAtEnd(line: string): LiteralAtEnd | undefined {
  const found = LITERAL_AT_END.exec(line);
  // A count too large for a safe integer is returned as it reads: limits are the transport's.
  return found ? { count: Number(found[1]), synchronising: found[2] === '' } : undefined;
}

type ClientMode =
  | { readonly kind: 'start' }
  /** Inside a command line, after a literal (its bytes skipped by the reader): the rest of the line comes next. */
  | { readonly kind: 'rest'; readonly command: ImapCommand };

export interface ImapCommands {
  /** Commands sent and not completed, oldest first. */
  readonly pending: readonly ImapCommand[];
  /** Bytes the client wrote, in order. */
  feed(bytes: Buffer): void;
  /** A `+` was read (RFC 9051 §7.5): a literal's go-ahead, or the start of a continuation. */
  continuationRead(): void;
  /** The tagged completion of `command` was read. */
  completed(command: ImapCommand): void;
  reset(): void;
}

export function createImapCommands(): ImapCommands {
  const pending: ImapCommand[] = [];
  let mode: ClientMode = { kind: 'start' };

  /** The literal bytes that follow `segment` of `command` (0: none). */
  const afterSegment = (command: ImapCommand, segment: string): number => {
    const literal = literalAtEnd(segment);
    if (!literal) {
      mode = { kind: 'start' };
      return 0;
    }
    if (literal.synchronising) command.syncLiterals += 1;
    mode = { kind: 'rest', command };
    return literal.count;
  };

  const reader = createSegmentReader((segment) => {
    if (mode.kind === 'rest') return afterSegment(mode.command, segment);
    if (pending.some((command) => command.continued)) return 0; // a continuation line
    const tag = /^\S*/.exec(segment)?.[0] ?? '';
    if (tag === '') return 0; // an empty line starts no command
    const command: ImapCommand = { tag, syncLiterals: 0, continued: false };
    pending.push(command);
    return afterSegment(command, segment);
  });

  return {
    pending,
    feed: reader.feed,
    continuationRead() {
      const waiting = pending.find((command) => command.syncLiterals > 0);
      if (waiting) waiting.syncLiterals -= 1;
      else {
        const newest = pending[pending.length - 1];
        if (newest) newest.continued = true;
      }
    },
    completed(command) {
      const index = pending.indexOf(command);
      if (index !== -1) pending.splice(index, 1);
      // RFC 9051 §4.3: a server may refuse a command instead of sending the `+` for its
      // synchronising literal; the client then does not send the literal, so whatever it
      // sends next starts a new command.
      if (mode.kind !== 'start' && mode.command === command) {
        mode = { kind: 'start' };
        reader.reset();
      }
    },
    reset() {
      pending.length = 0;
      mode = { kind: 'start' };
      reader.reset();
    },
  };
}
