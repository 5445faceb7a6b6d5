/**
 * Reading ONE reply (format §4): the protocol's framer says what it needs, the transport
 * reads it, bounded by the step's deadline and by `limits.reply` for the whole reply.
 */
import type { FrameStep, ReplyFramer, ReplyOptions } from '../protocol/types.js';
import type { Observed } from '../match/index.js';
import { TransportError } from '../transport/types.js';
import { blockCost, formatBytes, LINE_OVERHEAD_BYTES } from '../transport/index.js';
import type { LiveConnection } from './context.js';
import type { ReplyAt } from './answers.js';

export function readReply(live: LiveConnection, options: ReplyOptions, deadline: number): Promise<Observed> {
  return readReplyThen(live, options, deadline, same, same);
}

const same = <T>(value: T): T => value;

/**
 * `readReply` with what comes next: `then` gets what was observed and where the reply's bytes
 * start in the input, and an error of the read is thrown as `failed` makes it (an error of
 * `then` passes unchanged). One promise per reply, not one per line: lines come by callback
 * (`Connection.readLineOr`), and a buffered one at once, without a trip through the
 * microtask queue.
 */
export function readReplyThen<T>(
  live: LiveConnection,
  options: ReplyOptions,
  deadline: number,
  then: (observed: Observed, at: ReplyAt) => T,
  failed: (error: unknown) => unknown,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    new ReplyRead<T>(live, options, deadline, then, failed, resolve, reject).run();
  });
}

/** One reply being read: the framer asks, the connection answers, until the reply is done. */
class ReplyRead<T> {
  /** Made in the first `run`, where what it throws is a failure of the read as before. */
  private framer: ReplyFramer | undefined;
  private readonly budget: number;
  private used = 0;
  private received: Buffer[] = [];
  private next: FrameStep = NOT_STARTED;
  private settled = false;
  /** Input offsets where the reply's first line and the line being read start. */
  private firstAt = -1;
  private lineAt = -1;

  constructor(
    private readonly live: LiveConnection,
    private readonly options: ReplyOptions,
    private readonly deadline: number,
    private readonly then: (observed: Observed, at: ReplyAt) => T,
    private readonly failed: (error: unknown) => unknown,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.budget = live.limits.replyBytes;
  }

  /**
   * Feeds the framer what is buffered, until the reply is done or a read has to wait (then a
   * callback calls this again). Each turn consumes at least one byte (a line's LF) of a reply
   * bounded by `budget`, so the loop ends; the deadline bounds the waits.
   */
  run(): void {
    try {
      if (this.framer === undefined) {
        this.framer = this.live.session.begin(this.options);
        this.next = this.framer.start();
      }
      const connection = this.live.connection;
      for (;;) {
        const next = this.next;
        switch (next.need) {
          case 'done':
            this.finish({ kind: 'reply', reply: next.reply });
            return;
          case 'line': {
            this.lineAt = this.live.answers.readAt;
            if (this.firstAt < 0) this.firstAt = this.lineAt;
            let line: Buffer | undefined;
            try {
              line = connection.readLineOr(this.deadline, this.onLine, this.onLineError);
            } catch (error) {
              this.lineError(error);
              return;
            }
            if (line === undefined) return;
            this.takeLine(line);
            break;
          }
          case 'bytes': {
            if (this.used + next.count > this.budget) throw overBudget(this.budget, this.received);
            connection.readBytes(next.count, this.deadline).then(this.onBytes, this.onBytesError);
            return;
          }
          default: {
            const never: never = next;
            throw new Error(`unknown frame step ${JSON.stringify(never)}`);
          }
        }
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private takeLine(line: Buffer): void {
    this.used += line.length + 1 + LINE_OVERHEAD_BYTES;
    if (this.used > this.budget) throw overBudget(this.budget, this.received, line);
    this.received.push(line, NEWLINE);
    this.next = (this.framer as ReplyFramer).line(line);
    this.keepTail();
  }

  // Made once per reply, handed to every read of it.
  private readonly onLine = (line: Buffer): void => {
    try {
      this.takeLine(line);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.run();
  };

  private readonly onLineError = (error: unknown): void => {
    this.lineError(error);
  };

  private lineError(error: unknown): void {
    // EOF before the first byte of a reply is an observation (`closed: true`), not a
    // transport fault.
    if (error instanceof TransportError && error.kind === 'closed' && this.used === 0 && !error.partial?.length) {
      this.finish({ kind: 'closed' });
      return;
    }
    this.fail(withReceived(error, this.received));
  }

  private readonly onBytes = (bytes: Buffer): void => {
    try {
      this.used += blockCost(bytes);
      if (this.used > this.budget) throw overBudget(this.budget, this.received, bytes);
      this.received.push(bytes);
      this.next = (this.framer as ReplyFramer).bytes(bytes);
      this.keepTail();
    } catch (error) {
      this.fail(error);
      return;
    }
    this.run();
  };

  private readonly onBytesError = (error: unknown): void => {
    this.fail(withReceived(error, this.received));
  };

  /**
   * Only a tail is ever shown: keeping it all made a large multi-line reply (a POP3 RETR)
   * quadratic to read. The kept tail is far longer than the shown one, so a secret cut at its
   * start can never reach the part shown (Secrets.tail redacts, then cuts).
   */
  private keepTail(): void {
    if (this.received.length > 64) this.received = [tail(Buffer.concat(this.received))];
  }

  private finish(observed: Observed): void {
    if (this.settled) return;
    this.settled = true;
    let result: T;
    try {
      result = this.then(observed, { first: this.firstAt, last: this.lineAt });
    } catch (error) {
      this.reject(error);
      return;
    }
    this.resolve(result);
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    let thrown: unknown;
    try {
      thrown = this.failed(error);
    } catch (error_) {
      thrown = error_;
    }
    this.reject(thrown);
  }
}

/** A placeholder until the first `run` asks the framer for its first step (never acted on). */
const NOT_STARTED: FrameStep = { need: 'line' };

const NEWLINE = Buffer.from('\n');

/** Bytes of a failed reply kept for the message and the transcript. */
export const KEPT_TAIL_BYTES = 16 * 1024;

function tail(bytes: Buffer): Buffer {
  return bytes.length <= KEPT_TAIL_BYTES ? bytes : bytes.subarray(bytes.length - KEPT_TAIL_BYTES);
}

function overBudget(budget: number, received: Buffer[], extra?: Buffer): TransportError {
  const all = Buffer.concat(extra ? [...received, extra] : received);
  const message = `reply longer than ${formatBytes(budget)} (limits.reply, each line counting ${LINE_OVERHEAD_BYTES} bytes more)`;
  return new TransportError('limit', message, tail(all));
}

/** Put the lines already read for this reply in front of what the failed read had. */
function withReceived(error: unknown, received: Buffer[]): unknown {
  if (!(error instanceof TransportError) || received.length === 0) return error;
  const all = Buffer.concat(error.partial ? [...received, error.partial] : received);
  return new TransportError(error.kind, error.message, tail(all), { cause: error });
}
