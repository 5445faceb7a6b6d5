/**
 * Frames a whole byte stream into replies, the way the transport feeds a framer: lines
 * split at LF with a CR before the LF dropped, and blocks of bytes when a framer asks.
 * No I/O and no limits: for tests, property tests and fuzzing of the framers.
 */
import type { FrameStep, ProtocolSession, Reply, ReplyOptions } from './types.js';

export interface FramedStream {
  /** Every complete reply, in order. */
  readonly replies: readonly Reply[];
  /** Bytes after the last complete reply (an unfinished reply, or nothing). */
  readonly rest: Buffer;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Feeds `input` through `session.begin(options)` framers until it runs out. Framer state of
 * an unfinished last reply is dropped, so the session is left as after the last complete one.
 */
export function frameAll(session: ProtocolSession, input: Buffer, options: ReplyOptions = {}): FramedStream {
  const replies: Reply[] = [];
  let done = 0; // offset just past the last complete reply
  // Every complete reply consumes at least one byte (a framer never finishes before a
  // line), so at most input.length + 1 replies are attempted.
  for (let attempt = 0; attempt <= input.length; attempt++) {
    const framed = frameOne(session, input, done, options);
    if (!framed) break;
    replies.push(framed.reply);
    done = framed.end;
  }
  return { replies, rest: input.subarray(done) };
}

function frameOne(
  session: ProtocolSession,
  input: Buffer,
  from: number,
  options: ReplyOptions,
): { reply: Reply; end: number } | undefined {
  const framer = session.begin(options);
  let at = from;
  let step: FrameStep = framer.start();
  // Each turn consumes at least one byte (a line's LF, or a block of count > 0), except
  // a zero-length block, which no framer here asks for; the bound covers it anyway.
  for (let turn = 0; turn <= 2 * (input.length - from) + 2; turn++) {
    switch (step.need) {
      case 'done':
        return at > from ? { reply: step.reply, end: at } : undefined;
      case 'line': {
        const lf = input.indexOf(LF, at);
        if (lf === -1) return undefined;
        const end = lf > at && input[lf - 1] === CR ? lf - 1 : lf;
        const line = input.subarray(at, end);
        at = lf + 1;
        step = framer.line(line);
        break;
      }
      case 'bytes': {
        if (at + step.count > input.length) return undefined;
        const bytes = input.subarray(at, at + step.count);
        at += step.count;
        step = framer.bytes(bytes);
        break;
      }
      default: {
        const never: never = step;
        throw new Error(`unknown frame step ${JSON.stringify(never)}`);
      }
    }
  }
  return undefined;
}
