/**
 * The client's side of the conversation as bytes, and split into lines: what a server
 * reads, which is what decides which command a reply answers (format §4).
 */
import type { SentCommand, SessionOptions } from './types.js';

const LF = 0x0a;
const CR = 0x0d;

export const EOL_BYTES: Readonly<Record<NonNullable<SessionOptions['eol']>, Buffer>> = {
  crlf: Buffer.from('\r\n'),
  lf: Buffer.from('\n'),
};

/**
 * The bytes the engine wrote for a command: a `c:` line plus the connection's EOL; a
 * `send:` step's text as UTF-8. A DATA body is no command for POP3 or IMAP: undefined.
 */
export function sentBytes(command: SentCommand, eol: Buffer): Buffer | undefined {
  switch (command.kind) {
    case 'line':
      return Buffer.concat([Buffer.from(command.text, 'utf8'), eol]);
    case 'raw':
      return Buffer.from(command.text, 'utf8');
    case 'data':
      return undefined;
    default: {
      const never: never = command;
      throw new Error(`unknown sent command ${JSON.stringify(never)}`);
    }
  }
}

export interface LineSplitter {
  /** The complete lines in `bytes` (plus what was held back before), LF and a CR before it dropped. */
  push(bytes: Buffer): string[];
  /** Forget a partial line (after a TLS upgrade). */
  reset(): void;
}

/** Splits the client's bytes at LF, holding back a line not yet ended (a `send:` without EOL). */
export function createLineSplitter(): LineSplitter {
  let held: Buffer = Buffer.alloc(0);
  return {
    push(bytes) {
      const all = held.length === 0 ? bytes : Buffer.concat([held, bytes]);
      const lines: string[] = [];
      let from = 0;
      for (let lf = all.indexOf(LF, from); lf !== -1; lf = all.indexOf(LF, from)) {
        const end = lf > from && all[lf - 1] === CR ? lf - 1 : lf;
        lines.push(all.subarray(from, end).toString('utf8'));
        from = lf + 1;
      }
      held = Buffer.from(all.subarray(from));
      return lines;
    },
    reset() {
      held = Buffer.alloc(0);
    },
  };
}

export interface SegmentReader {
  /** Bytes the client wrote, in order. */
  feed(bytes: Buffer): void;
  /** Forget a partial line and the literal bytes still to skip. */
  reset(): void;
}

/**
 * The client's bytes as a server with literals reads them (IMAP, RFC 9051 §4.3; ManageSieve,
 * RFC 5804 §4): line segments (LF and a CR before it dropped), and after a segment the number
 * of literal bytes `onSegment` returns, skipped whatever they hold, before the next segment.
 */
export function createSegmentReader(onSegment: (segment: string) => number): SegmentReader {
  let skip = 0;
  let held: Buffer[] = [];
  return {
    feed(bytes) {
      let at = 0;
      // Each turn consumes at least one byte or stops.
      while (at < bytes.length) {
        if (skip > 0) {
          const take = Math.min(skip, bytes.length - at);
          skip -= take;
          at += take;
          continue;
        }
        const lf = bytes.indexOf(LF, at);
        if (lf === -1) {
          held.push(bytes.subarray(at));
          return;
        }
        const line = Buffer.concat([...held, bytes.subarray(at, lf)]);
        held = [];
        at = lf + 1;
        const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
        skip = onSegment(line.subarray(0, end).toString('utf8'));
      }
    },
    reset() {
      skip = 0;
      held = [];
    },
  };
}
