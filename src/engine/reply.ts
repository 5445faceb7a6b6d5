/**
 * Reading ONE reply (spec §4): the protocol's framer says what it needs, the transport
 * reads it, bounded by the step's deadline and by `limits.reply` for the whole reply.
 */
import type { Reply, ReplyOptions } from '../protocol/types.js';
import { TransportError } from '../transport/types.js';
import { formatBytes } from '../transport/index.js';
import type { LiveConnection } from './context.js';

export type Observed = { readonly kind: 'reply'; readonly reply: Reply } | { readonly kind: 'closed' };

export function readReply(live: LiveConnection, options: ReplyOptions, deadline: number): Promise<Observed> {
  return readReplyThen(live, options, deadline, same, same);
}

const same = <T>(value: T): T => value;

/**
 * `readReply` with what comes next in the same async function: `then` gets what was observed,
 * and an error of the read is thrown as `failed` makes it (an error of `then` passes
 * unchanged). One async layer per reply instead of two (the expect step's around this one),
 * which a load run pays millions of times.
 */
export async function readReplyThen<T>(
  live: LiveConnection,
  options: ReplyOptions,
  deadline: number,
  then: (observed: Observed) => T,
  failed: (error: unknown) => unknown,
): Promise<T> {
  let observed: Observed;
  try {
    const framer = live.session.begin(options);
    const budget = live.limits.replyBytes;
    let used = 0;
    let received: Buffer[] = [];
    let next = framer.start();
    // Each turn consumes at least one byte (a line's LF) of a reply bounded by `budget`,
    // so this loop ends; the deadline bounds it in time.
    read: for (;;) {
      switch (next.need) {
        case 'done':
          observed = { kind: 'reply', reply: next.reply };
          break read;
        case 'line': {
          let line: Buffer;
          try {
            line = await live.connection.readLine(deadline);
          } catch (error) {
            // EOF before the first byte of a reply is an observation (`closed: true`),
            // not a transport fault.
            if (error instanceof TransportError && error.kind === 'closed' && used === 0 && !error.partial?.length) {
              observed = { kind: 'closed' };
              break read;
            }
            throw withReceived(error, received);
          }
          used += line.length + 1;
          if (used > budget) throw overBudget(budget, received, line);
          received.push(line, NEWLINE);
          next = framer.line(line);
          break;
        }
        case 'bytes': {
          if (used + next.count > budget) throw overBudget(budget, received);
          const bytes = await live.connection.readBytes(next.count, deadline).catch((error: unknown) => {
            throw withReceived(error, received);
          });
          used += bytes.length;
          received.push(bytes);
          next = framer.bytes(bytes);
          break;
        }
        default: {
          const never: never = next;
          throw new Error(`unknown frame step ${JSON.stringify(never)}`);
        }
      }
      // Only a tail is ever shown: keeping it all made a large multi-line reply (a POP3 RETR)
      // quadratic to read. The kept tail is far longer than the shown one, so a secret cut at
      // its start can never reach the part shown (Secrets.tail redacts, then cuts).
      if (received.length > 64) received = [tail(Buffer.concat(received))];
    }
  } catch (error) {
    throw failed(error);
  }
  return then(observed);
}

const NEWLINE = Buffer.from('\n');

/** Bytes of a failed reply kept for the message and the transcript. */
export const KEPT_TAIL_BYTES = 16 * 1024;

function tail(bytes: Buffer): Buffer {
  return bytes.length <= KEPT_TAIL_BYTES ? bytes : bytes.subarray(bytes.length - KEPT_TAIL_BYTES);
}

function overBudget(budget: number, received: Buffer[], extra?: Buffer): TransportError {
  const all = Buffer.concat(extra ? [...received, extra] : received);
  return new TransportError('limit', `reply longer than ${formatBytes(budget)} (limits.reply)`, tail(all));
}

/** Put the lines already read for this reply in front of what the failed read had. */
function withReceived(error: unknown, received: Buffer[]): unknown {
  if (!(error instanceof TransportError) || received.length === 0) return error;
  const all = Buffer.concat(error.partial ? [...received, error.partial] : received);
  return new TransportError(error.kind, error.message, tail(all), { cause: error });
}
