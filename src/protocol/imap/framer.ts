/**
 * IMAP replies (RFC 9051; RFC 3501 frames the same way). One `s:` reads:
 * - before anything else, the greeting: one untagged `* OK`, `* PREAUTH` or `* BYE` line
 *   (RFC 9051 §7.1.1, §7.1.4, §7.1.5);
 * - with a command pending, every response up to and including the tagged completion of a
 *   pending command (`TAG OK|NO|BAD …`, RFC 9051 §7.1) or a continuation request `+ …`
 *   (RFC 9051 §7.5), whichever comes first. Completions may come in any order for
 *   pipelined commands (RFC 9051 §5.5): any pending tag ends the reply. A tagged line
 *   with an unknown tag does not. When the reader names tags (`ReplyOptions.tags`, an
 *   `imap:` matcher's `tagged: {a1: OK, a2: OK}`), the reply goes on until each of them
 *   that is pending has completed;
 * - right after a `+` was read, before the client sent anything (IDLE, RFC 9051 §6.3.13),
 *   or with no command pending (unsolicited data): one response line.
 * An untagged `* BYE` inside a reply does not end it (RFC 9051 §7.1.5: the server closes
 * next): if the tagged completion never comes, the read ends at EOF like any other.
 *
 * A response line that ends in a literal `{n}` (RFC 9051 §4.3) goes on after exactly n
 * bytes, whatever they hold: the framer asks for them with `{ need: 'bytes' }`, then reads
 * the rest of the line. Status responses, tagged completions and `+` lines carry only
 * resp-text, which has no literals (RFC 9051 §9: `resp-text`), so a `{5}` at their end is
 * text.
 *
 * status = the completion's word in upper case (the ABNF's strings are case-insensitive,
 * RFC 9051 §9), or `+`; text = all after it and one space, response code included.
 * A one-line reply that is not a status response (`* 3 EXISTS`) has no status and its
 * text is what follows `* `. A greeting that is not `* OK|PREAUTH|BYE` has no status and is
 * marked `malformed`.
 */
import type { FrameStep, ProtocolSession, ReplyFramer, SessionOptions } from '../types.js';
import type { ReplyFields } from '../reply-builder.js';
import type { ImapCommand, ImapCommands } from './commands.js';
import { createReplyBuilder } from '../reply-builder.js';
import { createImapCommands, literalAtEnd } from './commands.js';
import { EOL_BYTES, sentBytes } from '../sent-lines.js';

const GREETING = /^\* (OK|PREAUTH|BYE)(?: (.*))?$/is;
const UNTAGGED_STATUS = /^\* (OK|NO|BAD|BYE|PREAUTH)(?: (.*))?$/is;
const TAGGED_STATUS = /^([^\s*+]\S*) (OK|NO|BAD)(?: (.*))?$/is;
const CONTINUATION = /^\+(?: (.*))?$/s;
const UNTAGGED = /^\* (.*)$/s;

interface ImapState {
  greeted: boolean;
  /** A `+` was read and the client has sent nothing since. */
  plusPending: boolean;
  readonly commands: ImapCommands;
}

/** What a finished reply does to the session, applied only once it is complete. */
type Outcome =
  | { readonly kind: 'greeting' }
  | { readonly kind: 'continuation' }
  | { readonly kind: 'completed'; readonly command: ImapCommand }
  | { readonly kind: 'none' };

function settle(state: ImapState, outcome: Outcome): void {
  switch (outcome.kind) {
    case 'greeting':
      state.greeted = true;
      return;
    case 'continuation':
      state.plusPending = true;
      state.commands.continuationRead();
      return;
    case 'completed':
      state.commands.completed(outcome.command);
      return;
    case 'none':
      return;
    default: {
      const never: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(never)}`);
    }
  }
}

/** How a response line that starts a reply line reads (its first segment). */
type Classified =
  | { readonly kind: 'end'; readonly fields: ReplyFields; readonly outcome: Outcome }
  /** A line that ends the reply only when the reply is one line. */
  | { readonly kind: 'line'; readonly fields: ReplyFields; readonly literals: boolean };

function statusFields(word: string | undefined, text: string | undefined): ReplyFields {
  return { status: (word ?? '').toUpperCase(), text: text ?? '' };
}

function classify(line: string, pending: readonly ImapCommand[]): Classified {
  const continuation = CONTINUATION.exec(line);
  if (continuation) return { kind: 'end', fields: { status: '+', text: continuation[1] ?? '' }, outcome: { kind: 'continuation' } };
  const tagged = TAGGED_STATUS.exec(line);
  if (tagged) {
    const fields = statusFields(tagged[2], tagged[3]);
    const command = pending.find((candidate) => candidate.tag === tagged[1]);
    return command ? { kind: 'end', fields, outcome: { kind: 'completed', command } } : { kind: 'line', fields, literals: false };
  }
  const status = UNTAGGED_STATUS.exec(line);
  if (status) return { kind: 'line', fields: statusFields(status[1], status[2]), literals: false };
  return { kind: 'line', fields: { text: UNTAGGED.exec(line)?.[1] ?? line }, literals: true };
}

function createGreetingFramer(state: ImapState): ReplyFramer {
  const reply = createReplyBuilder();
  return {
    start: () => ({ need: 'line' }),
    line(raw) {
      const line = reply.line(raw);
      const greeting = GREETING.exec(line);
      settle(state, { kind: 'greeting' });
      const fields: ReplyFields = greeting
        ? statusFields(greeting[1], greeting[2])
        : { text: line, malformed: 'not an IMAP greeting (RFC 9051 §7.1: "* OK", "* PREAUTH" or "* BYE")' };
      return { need: 'done', reply: reply.build(fields) };
    },
    bytes() {
      throw new Error('imap greeting framer: no bytes were asked for');
    },
  };
}

function createResponseFramer(state: ImapState, oneLine: boolean, tags: readonly string[] | undefined): ReplyFramer {
  const reply = createReplyBuilder();
  // Listed tags still to complete; the last of them ends the reply.
  const waited = new Set((tags ?? []).filter((tag) => state.commands.pending.some((command) => command.tag === tag)));
  // The response line being read started with these fields; undefined at a line start.
  let current: Extract<Classified, { kind: 'line' }> | undefined;

  const done = (fields: ReplyFields, outcome: Outcome): FrameStep => {
    settle(state, outcome);
    return { need: 'done', reply: reply.build(fields) };
  };

  /** After a segment of a line that may hold literals: ask for one, or end the line. */
  const afterSegment = (line: Extract<Classified, { kind: 'line' }>, segment: string): FrameStep => {
    const literal = line.literals ? literalAtEnd(segment) : undefined;
    if (literal) {
      current = line;
      return literal.count > 0 ? { need: 'bytes', count: literal.count } : { need: 'line' };
    }
    current = undefined;
    return oneLine ? done(line.fields, { kind: 'none' }) : { need: 'line' };
  };

  return {
    start: () => ({ need: 'line' }),
    line(raw) {
      const segment = reply.line(raw);
      if (current) return afterSegment(current, segment);
      const classified = classify(segment, state.commands.pending);
      if (classified.kind === 'end' && classified.outcome.kind === 'completed' && waited.size > 0) {
        const tag = classified.outcome.command.tag;
        waited.delete(tag);
        if (waited.size > 0) {
          // A completion before the last one waited for: settled now, the reply goes on.
          settle(state, classified.outcome);
          return { need: 'line' };
        }
      }
      return classified.kind === 'end' ? done(classified.fields, classified.outcome) : afterSegment(classified, segment);
    },
    bytes(raw) {
      // Literal bytes never end a reply, whatever tag or `+` they hold (RFC 9051 §4.3).
      reply.bytes(raw);
      return { need: 'line' };
    },
  };
}

export function createImapSession(options: SessionOptions = {}): ProtocolSession {
  const eol = EOL_BYTES[options.eol ?? 'crlf'];
  const state: ImapState = { greeted: false, plusPending: false, commands: createImapCommands() };
  return {
    sent(command) {
      const bytes = sentBytes(command, eol);
      if (!bytes) return;
      state.plusPending = false;
      state.commands.feed(bytes);
    },
    begin(options) {
      if (!state.greeted) return createGreetingFramer(state);
      return createResponseFramer(state, state.plusPending || state.commands.pending.length === 0, options.tags);
    },
    reset() {
      // RFC 9051 §6.2.1: after STARTTLS nothing from before the handshake is pending; no
      // new greeting follows.
      state.plusPending = false;
      state.commands.reset();
    },
  };
}
