/**
 * A dialect that groups a transcript's server lines into replies with the protocol's own
 * framer, the code that reads the wire when the spec runs, fed the client's lines as they
 * were sent. The transcript lost the line ends: each line stands for its text and CRLF,
 * which is what a literal `{n}` counts.
 */
import type { ConversationOut, Dialect, DialectDef, PreludeStep, SynthMatcher } from './dialect.js';
import { quoteLine, verbOf } from './dialect.js';
import type { FrameStep, ProtocolSession, Reply, ReplyFramer } from './types.js';

export interface FramedDialectOptions {
  createSession(): ProtocolSession;
  /** Matches any greeting, for a log that does not show it. */
  readonly greeting: SynthMatcher;
  /** A line that is a whole greeting: framed when the log starts past the greeting. */
  readonly greetingLine: string;
  /** Side of an unmarked line between replies. */
  guess(text: string): 'client' | 'server';
  /** The verb whose accepting reply starts TLS (`STARTTLS`). */
  readonly starttlsVerb: string;
  /** The status of a reply that accepts it. */
  readonly accepted: string;
  starttls(line: number): PreludeStep[];
}

const CRLF = Buffer.from('\r\n');

interface Framing {
  readonly framer: ReplyFramer;
  step: FrameStep;
  readonly lines: string[];
  readonly first: number;
  /** Bytes of a literal read so far, while the framer asks for bytes. */
  held: Buffer;
}

function createFramed(out: ConversationOut, options: FramedDialectOptions): Dialect {
  const session = options.createSession();
  let greeted = false;
  let framing: Framing | undefined;
  /** The verb of the client's last line, to tell the reply that accepts STARTTLS. */
  let lastVerb: string | undefined;
  /** The last reply was a challenge: the client's next line is its response. */
  let challenged = false;

  const emit = (reply: Reply, current: Framing): void => {
    framing = undefined;
    greeted = true;
    if (reply.malformed !== undefined) out.warn(current.first, `${reply.malformed}: ${quoteLine(current.lines[current.lines.length - 1] ?? '')}`);
    out.reply(current.lines, current.first);
    challenged = reply.status === '+';
    if (lastVerb === options.starttlsVerb && reply.status?.toUpperCase() === options.accepted) {
      lastVerb = undefined;
      session.reset?.();
      out.upgrade(current.first);
    }
  };

  /** The bytes of a literal: the line (and CRLF) counts towards it; what is left after it is a line. */
  const literal = (current: Framing, count: number, raw: Buffer): FrameStep => {
    current.held = Buffer.concat([current.held, raw, CRLF]);
    if (current.held.length < count) return { need: 'bytes', count };
    const rest = current.held.subarray(count);
    const step = current.framer.bytes(current.held.subarray(0, count));
    current.held = Buffer.alloc(0);
    if (rest.length === 0 || step.need !== 'line') return step;
    return current.framer.line(rest.subarray(0, rest.length - CRLF.length));
  };

  return {
    guess(text) {
      if (framing) return 'server';
      return challenged ? 'client' : options.guess(text);
    },
    blank() {
      return framing ? 'server' : undefined;
    },
    client(text, line) {
      if (!greeted && !framing) {
        out.expect(options.greeting, line, 'the transcript starts after the greeting');
        greeted = true;
      }
      challenged = false;
      lastVerb = verbOf(text);
      session.sent({ kind: 'line', text });
      out.send(text, line);
    },
    server(text, line) {
      const current = framing ?? { framer: session.begin({}), step: { need: 'line' }, lines: [], first: line, held: Buffer.alloc(0) };
      if (!framing) {
        framing = current;
        current.step = current.framer.start();
      }
      current.lines.push(text);
      const raw = Buffer.from(text, 'utf8');
      current.step = current.step.need === 'bytes' ? literal(current, current.step.count, raw) : current.framer.line(raw);
      if (current.step.need === 'done') emit(current.step.reply, current);
    },
    skipGreeting() {
      // The framer must be past the greeting too, or it takes the next reply for it.
      const framer = session.begin({});
      framer.start();
      framer.line(Buffer.from(options.greetingLine));
      greeted = true;
    },
    end() {
      if (!framing) return;
      out.warn(framing.first, 'the transcript ends before this reply\'s status line');
      out.reply(framing.lines, framing.first);
      framing = undefined;
    },
  };
}

export function framedDialect(options: FramedDialectOptions): DialectDef {
  return {
    create: (out) => createFramed(out, options),
    greeting: options.greeting,
    starttls: options.starttls,
  };
}
