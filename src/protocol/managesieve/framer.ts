/**
 * ManageSieve replies (RFC 5804). A response is zero or more data lines ended by a status
 * line (RFC 5804 §4):
 *
 *   response-oknobye = ("OK" / "NO" / "BYE") [SP "(" resp-code ")"] [SP string] CRLF
 *
 * `OK`, `NO` and `BYE` are case-insensitive (ABNF strings, RFC 5234 §2.3). Data lines are
 * made of strings, quoted (`"SIEVE" "fileinto vacation"`) or literals (`{83}` CRLF and 83
 * bytes: GETSCRIPT's script, a NO's multi-line message). So every response says itself
 * where it ends, and one `s:` reads:
 * - first, the greeting: the capability list and its OK (RFC 5804 §1.7); after a STARTTLS
 *   handshake the server sends the list and an OK again (§2.2), read the same way. These
 *   answer no command, even when commands were sent before they were read;
 * - otherwise the data lines up to the status line: the response to the oldest command
 *   not yet answered;
 * - during AUTHENTICATE (§2.1), a server challenge: one line that is a lone string (a
 *   quoted `""` or a literal), with no status line after it. It is a whole reply with
 *   status `+` (as IMAP's and POP3's continuations); the client's next line is its SASL
 *   response, not a new command.
 *
 * A line that ends in a literal `{n}` (or `{n+}`), outside a quoted string, goes on after
 * exactly n bytes, whatever they hold: an `OK` line inside a script never ends a reply. The
 * status line can hold literals too (`NO {131}` and the message).
 *
 * status = the status word in upper case, or `+`; text = what follows the word and a
 * space, response code and string as sent (a literal's `{n}` and its bytes included, lines
 * joined by `\n`). A challenge's text is its line as sent.
 *
 * A data line that does not start with a string, or that leaves a quoted string open at
 * its end (quoted strings hold no CR or LF, §4), ends the reply as malformed: no status.
 * Such a reply answers no command, since the status line may still come.
 *
 * The client's bytes are parsed as the server reads them: a line ending in `{n+}` (or `{n}`)
 * is followed by n bytes and the rest of the same command, so a script line that starts
 * with AUTHENTICATE is no command.
 */
import type { FrameStep, ProtocolSession, ReplyFramer, SessionOptions } from '../types.js';
import type { ReplyFields } from '../reply-builder.js';
import { createReplyBuilder } from '../reply-builder.js';
import { createSegmentReader, EOL_BYTES, sentBytes, type SegmentReader } from '../sent-lines.js';
import { inTurnState, settle, type InTurnState, type Outcome } from '../in-turn.js';

const STATUS = /^(OK|NO|BYE)(?: |$)/i;
const LITERAL_AT_END = /\{(\d+)\+?\}$/;
/** A line that is a literal's marker alone: a string starting a data line. */
const LITERAL_ALONE = /^\{\d+\+?\}$/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

interface Segment {
  /** The byte count of the literal that ends the segment, if one does. */
  readonly literal: number | undefined;
  /** The segment ends inside a quoted string. */
  readonly open: boolean;
}

/** Reads a line (or the rest of one, after a literal) for quotes and a literal at its end. */
function scanSegment(text: string): Segment {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quoted && c === BACKSLASH) i++; // RFC 5804 §4: `\"` and `\\` inside a quoted string
    else if (c === QUOTE) quoted = !quoted;
  }
  if (quoted) return { literal: undefined, open: true };
  const found = LITERAL_AT_END.exec(text);
  // A count too large for a safe integer is returned as it reads: limits are the transport's.
  return { literal: found ? Number(found[1]) : undefined, open: false };
}

interface SieveCommand {
  /** AUTHENTICATE (RFC 5804 §2.1): a lone string in its response is a challenge. */
  readonly authenticate: boolean;
}

const AUTHENTICATE = /^AUTHENTICATE(?:\s|$)/i;

type SieveState = InTurnState<SieveCommand>;

const MALFORMED_LINE = 'not a ManageSieve response line (RFC 5804 §4: a string, or "OK", "NO" or "BYE")';
const MALFORMED_QUOTE = 'a quoted string is not closed on its line (RFC 5804 §4)';

/** A line of the response being read: where it starts among the reply's lines, and what it is. */
interface OpenLine {
  readonly first: number;
  /** The status word as sent, or undefined for a data line. */
  readonly word: string | undefined;
  /** A data line that starts with a string. */
  readonly wellFormed: boolean;
}

function createSieveFramer(state: SieveState): ReplyFramer {
  const reply = createReplyBuilder();
  const answers = state.greeted ? state.queue[0] : undefined;
  const ifDone: Outcome = !state.greeted ? 'greeting' : answers ? 'answered' : 'unsolicited';
  let open: OpenLine | undefined;

  const done = (fields: ReplyFields, outcome: Outcome): FrameStep => {
    settle(state, outcome);
    return { need: 'done', reply: reply.build(fields) };
  };

  /** The whole response line, its literals included, lines joined by `\n`. */
  const whole = (line: OpenLine): string => reply.lines.slice(line.first).join('\n');

  /** A response line has ended (no literal after its last segment). */
  const lineEnded = (line: OpenLine, unclosed: boolean): FrameStep => {
    open = undefined;
    const text = whole(line);
    if (line.word !== undefined) return done({ status: line.word.toUpperCase(), text: text.slice(line.word.length + 1) }, ifDone);
    if (!line.wellFormed) return done({ text, malformed: MALFORMED_LINE }, 'unsolicited');
    if (unclosed) return done({ text, malformed: MALFORMED_QUOTE }, 'unsolicited');
    if (answers?.authenticate === true) return done({ status: '+', text }, 'continued');
    return { need: 'line' };
  };

  return {
    start: () => ({ need: 'line' }),
    line(raw) {
      const first = reply.lines.length;
      const text = reply.line(raw);
      if (!open) {
        const word = STATUS.exec(text)?.[1];
        open = { first, word, wellFormed: word !== undefined || text.charCodeAt(0) === QUOTE || LITERAL_ALONE.test(text) };
      }
      const segment = scanSegment(text);
      if (segment.literal === undefined) return lineEnded(open, segment.open);
      return segment.literal > 0 ? { need: 'bytes', count: segment.literal } : { need: 'line' };
    },
    bytes(raw) {
      // Literal bytes never end a reply, whatever lines they hold (RFC 5804 §4).
      reply.bytes(raw);
      return { need: 'line' };
    },
  };
}

/** The client's side: each command line it starts, as a server reads them (literals skipped). */
function createClientReader(onCommandLine: (firstSegment: string) => void): SegmentReader {
  /** Inside a command line, after a literal: the rest of the line comes next. */
  let rest = false;
  return createSegmentReader((segment) => {
    if (!rest && segment !== '') onCommandLine(segment);
    const literal = scanSegment(segment).literal;
    rest = literal !== undefined;
    return literal ?? 0;
  });
}

export function createManageSieveSession(options: SessionOptions = {}): ProtocolSession {
  const eol = EOL_BYTES[options.eol ?? 'crlf'];
  const state: SieveState = inTurnState();
  const client = createClientReader((line) => {
    if (state.saslResponseExpected) state.saslResponseExpected = false;
    else state.queue.push({ authenticate: AUTHENTICATE.test(line) });
  });
  return {
    sent(command) {
      const bytes = sentBytes(command, eol);
      if (bytes) client.feed(bytes);
    },
    begin: () => createSieveFramer(state),
    reset() {
      // RFC 5804 §2.2: after the handshake nothing sent before it is pending, and the server
      // sends its capabilities again, answering no command.
      state.greeted = false;
      state.queue.length = 0;
      state.saslResponseExpected = false;
      client.reset();
    },
  };
}
