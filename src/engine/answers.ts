/**
 * Which command a reply answers, and whether it came too early to be that answer (format §4).
 *
 * Each write notes how many bytes the connection had received by then. A reply whose first
 * byte (IMAP: its tagged completion's) had been received before the command it answers was
 * written cannot be that command's answer: the server is out of step (it answered a command
 * twice, or sent a reply of its own), and the step fails instead of matching it.
 *
 * Which command a reply answers:
 * - smtp, lmtp, pop3: the client's lines in turn, one reply each; the greeting answers the
 *   connect; after a DATA body, SMTP sends one reply and LMTP one per recipient (RFC 2033
 *   §4.2). A reply read while no command waits (SMTP's 421 at any time, RFC 5321 §3.8) is
 *   read as the spec asks.
 * - imap: a tagged completion answers the oldest waiting command of its tag; untagged data
 *   and `+` answer nothing (RFC 9051 §7: untagged data may come at any time).
 * - line: nothing.
 *
 * Counting errs towards more commands, never fewer: a `send:` counts each LF it holds as a
 * line, so a reply is compared with a command written no later than its own. Bytes the
 * process had not taken from the kernel yet when it wrote count as later: the check can miss
 * an out-of-step reply that was still on its way, never invent one.
 */
import type { ProtocolName } from '../kernel/model.js';
import { PROTOCOLS } from '../protocol/registry.js';
import type { Reply, ReplyOrder, SentCommand } from '../protocol/types.js';
import type { Connection } from '../transport/types.js';

/** What the socket connection tells of its input; a connection without it is not checked. */
interface InputCount {
  /** Bytes consumed by reads so far. */
  readonly bytesRead: number;
  /** Bytes received and not read yet. */
  readonly buffered: number;
}

function counts(connection: Connection): InputCount | undefined {
  const c = connection as Partial<InputCount>;
  return typeof c.bytesRead === 'number' && typeof c.buffered === 'number' ? (c as InputCount) : undefined;
}

/** Where the bytes of a reply start in the connection's input (byte offsets). */
export interface ReplyAt {
  /** The reply's first line. */
  readonly first: number;
  /** Its last line (an IMAP tagged completion). */
  readonly last: number;
}

/** A command written and not answered yet. */
export interface Waiting {
  /** The command line as sent (for the message). */
  readonly command: string;
  /** Bytes the connection had received when it was written. */
  readonly receivedBefore: number;
  /** imap: its tag. */
  readonly tag?: string;
}

/**
 * More commands than this waiting (a spec that never reads their replies, or sends a body
 * as `c:` lines) and the bookkeeping starts over: it never grows without end, and a reply
 * then counts as read while nothing waits.
 */
const MOST_WAITING = 1000;

const RCPT = /^RCPT\s/i;
const MAIL = /^MAIL\s/i;
const TAG = /^\S+/;
/** A tagged completion (RFC 9051 §7.1): a tag that is not `*` or `+`, then OK, NO or BAD. */
const COMPLETION = /^([^\s*+]\S*) (?:OK|NO|BAD)(?: |$)/i;

export class Answers {
  private waiting: Waiting[] = [];
  private readonly order: ReplyOrder;
  private receivedAtWrite = 0;
  private recipients = 0;
  private readonly input: InputCount | undefined;
  private readonly dataReplies: (recipients: number) => number;

  constructor(protocol: ProtocolName, connection: Connection) {
    this.input = counts(connection);
    const def = PROTOCOLS[protocol];
    this.order = this.input ? def.replyOrder : 'none';
    this.dataReplies = def.dataReplies;
    // The greeting answers the connect: nothing came before it.
    if (this.order === 'in-turn') this.waiting.push({ command: 'the connect', receivedBefore: 0 });
  }

  /** Where the input stands now: the next line read starts here. */
  get readAt(): number {
    return this.input?.bytesRead ?? 0;
  }

  /** Right before a write: what came before it cannot answer it. */
  writing(): void {
    if (this.input) this.receivedAtWrite = this.input.bytesRead + this.input.buffered;
  }

  /** After the write: the commands it held. */
  sent(command: SentCommand): void {
    if (this.order === 'none') return;
    if (command.kind === 'data') {
      for (let n = this.dataReplies(this.recipients); n > 0; n--) this.wait('the message body', undefined);
      this.recipients = 0;
      return;
    }
    if (command.kind === 'line') {
      this.line(command.text);
      return;
    }
    const lines = command.text.split('\n');
    lines.pop(); // what follows the last LF is no whole line
    for (const line of lines) this.line(line.replace(/\r$/, ''));
  }

  /**
   * The command `reply` was taken to answer, when the reply came before it was written.
   * imap: a reply read up to several tags' completions (`tags`) answers each of those
   * commands; their lines' own offsets are not kept, so each is checked against the last's
   * (which can miss an early one, never invent one).
   */
  unsolicited(reply: Reply, at: ReplyAt, tags?: readonly string[]): Waiting | undefined {
    switch (this.order) {
      case 'none':
        return undefined;
      case 'in-turn': {
        const answered = this.waiting.shift();
        return answered && at.first < answered.receivedBefore ? answered : undefined;
      }
      case 'by-tag': {
        const tag = COMPLETION.exec(reply.lines[reply.lines.length - 1] ?? '')?.[1];
        if (tag === undefined) return undefined;
        const others = (tags ?? []).filter((t) => t !== tag && reply.lines.some((line) => COMPLETION.exec(line)?.[1] === t));
        let early: Waiting | undefined;
        for (const t of [...others, tag]) {
          const index = this.waiting.findIndex((w) => w.tag === t);
          if (index === -1) continue;
          const answered = this.waiting.splice(index, 1)[0]!;
          if (at.last < answered.receivedBefore) early ??= answered;
        }
        return early;
      }
      default: {
        const never: never = this.order;
        throw new Error(`unknown reply order ${String(never)}`);
      }
    }
  }

  /** Nothing waits any more: after a TLS upgrade, and before a retried attempt. */
  reset(): void {
    this.waiting = [];
    this.recipients = 0;
  }

  private line(text: string): void {
    if (this.order === 'by-tag') {
      this.wait(text, TAG.exec(text)?.[0]);
      return;
    }
    if (RCPT.test(text)) this.recipients += 1;
    else if (MAIL.test(text)) this.recipients = 0;
    this.wait(text, undefined);
  }

  private wait(command: string, tag: string | undefined): void {
    if (this.waiting.length >= MOST_WAITING) this.waiting = [];
    this.waiting.push(tag === undefined ? { command, receivedBefore: this.receivedAtWrite } : { command, receivedBefore: this.receivedAtWrite, tag });
  }
}
