/**
 * POP3 replies (RFC 1939 §3): a status line `+OK …` or `-ERR …`, or a SASL continuation
 * `+ …` (RFC 5034 §4); after `+OK` to a multi-line command, the lines up to a line that is
 * a single `.`, dot-unstuffed (RFC 1939 §3: a line starting with `.` had one added).
 *
 * Which command a reply answers: the client's lines are queued as sent, and each reply
 * answers the oldest one not answered yet (pipelining, RFC 2449 §6.6). Except:
 * - the first reply of a connection is the greeting (RFC 1939 §4) and answers nothing,
 *   even when commands were sent before it was read;
 * - after a `+` continuation (RFC 5034 §4) the AUTH command stays unanswered and the
 *   client's next line is its SASL response (or `*` to cancel), not a new command;
 * - a reply when nothing is queued (unsolicited) answers nothing.
 * A reply that answers nothing is one line unless the matcher says `multiline: true`.
 *
 * `multiline` in the matcher overrides what the command implies, both ways; the body is
 * still read only after `+OK` (an `-ERR` is one line, RFC 1939 §3), so `multiline: true`
 * is for commands this table does not know, such as a bare `AUTH` that some servers answer
 * with a list of mechanisms.
 *
 * A first line without a valid status indicator (RFC 1939 §3: `+OK` or `-ERR`, upper case)
 * is a one-line reply with no `status` and `malformed` set; it still answers its command.
 */
import type { FrameStep, ProtocolSession, ReplyFramer, ReplyOptions, SessionOptions } from '../types.js';
import { createReplyBuilder } from '../reply-builder.js';
import { createLineSplitter, EOL_BYTES, sentBytes } from '../sent-lines.js';
import { inTurnState, settle, type InTurnState, type Outcome } from '../in-turn.js';

/**
 * Commands whose `+OK` reply is multi-line, by keyword (upper case; RFC 1939 §3: keywords
 * are case-insensitive); the function says whether with these arguments.
 */
const MULTILINE: Readonly<Record<string, (args: string) => boolean>> = {
  CAPA: () => true, // RFC 2449 §5
  LIST: (args) => args === '', // RFC 1939 §5: a scan listing per message without argument
  UIDL: (args) => args === '', // RFC 1939 §7
  RETR: () => true, // RFC 1939 §5
  TOP: () => true, // RFC 1939 §7
};

interface Pop3Command {
  readonly multiline: boolean;
}

export function classifyPop3Command(line: string): Pop3Command {
  const trimmed = line.trim();
  const space = trimmed.search(/\s/);
  const keyword = (space === -1 ? trimmed : trimmed.slice(0, space)).toUpperCase();
  const args = space === -1 ? '' : trimmed.slice(space).trim();
  return { multiline: Object.hasOwn(MULTILINE, keyword) && (MULTILINE[keyword]?.(args) ?? false) };
}

/** RFC 1939 §3 status line; RFC 5034 §4 continuation `+` [SP base64]. */
const STATUS_LINE = /^(\+OK|-ERR)(?: (.*))?$/s;
const CONTINUATION = /^\+(?: (.*))?$/s;

type Status = { readonly status: '+OK' | '-ERR' | '+'; readonly text: string } | undefined;

function parseStatus(line: string): Status {
  const status = STATUS_LINE.exec(line);
  if (status) return { status: status[1] === '+OK' ? '+OK' : '-ERR', text: status[2] ?? '' };
  const continuation = CONTINUATION.exec(line);
  if (continuation) return { status: '+', text: continuation[1] ?? '' };
  return undefined;
}

type Pop3State = InTurnState<Pop3Command>;

const DOT = 0x2e;

function createPop3Framer(state: Pop3State, options: ReplyOptions): ReplyFramer {
  const reply = createReplyBuilder();
  const answers: Pop3Command | undefined = state.greeted ? state.queue[0] : undefined;
  const ifDone: Outcome = !state.greeted ? 'greeting' : answers ? 'answered' : 'unsolicited';
  let head: { status: Status; firstLine: string } | undefined;

  const finish = (outcome: Outcome): FrameStep => {
    settle(state, outcome);
    const status = head?.status;
    return {
      need: 'done',
      reply: reply.build(
        status
          ? { status: status.status, text: status.text }
          : { text: head?.firstLine ?? '', malformed: 'no POP3 status indicator (RFC 1939 §3: "+OK" or "-ERR")' },
      ),
    };
  };

  return {
    start: () => ({ need: 'line' }),
    line(raw) {
      if (!head) {
        const firstLine = reply.line(raw);
        const status = parseStatus(firstLine);
        head = { status, firstLine };
        if (status?.status === '+') return finish(state.greeted ? 'continued' : 'greeting');
        const multiline = options.multiline ?? answers?.multiline ?? false;
        return status?.status === '+OK' && multiline ? { need: 'line' } : finish(ifDone);
      }
      // RFC 1939 §3: a lone "." ends the body; otherwise a leading "." was stuffed.
      if (raw.length === 1 && raw[0] === DOT) {
        reply.line(raw, null);
        return finish(ifDone);
      }
      reply.line(raw, raw[0] === DOT ? raw.subarray(1) : raw);
      return { need: 'line' };
    },
    bytes() {
      throw new Error('pop3 framer: no bytes were asked for');
    },
  };
}

export function createPop3Session(options: SessionOptions = {}): ProtocolSession {
  const eol = EOL_BYTES[options.eol ?? 'crlf'];
  const state: Pop3State = inTurnState();
  const splitter = createLineSplitter();
  return {
    sent(command) {
      const bytes = sentBytes(command, eol);
      if (!bytes) return;
      for (const line of splitter.push(bytes)) {
        if (state.saslResponseExpected) state.saslResponseExpected = false;
        else state.queue.push(classifyPop3Command(line));
      }
    },
    begin: (replyOptions) => createPop3Framer(state, replyOptions),
    reset() {
      // RFC 2595 §4: after STLS the client discards what it knew; no new greeting comes.
      state.queue.length = 0;
      state.saslResponseExpected = false;
      splitter.reset();
    },
  };
}
