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
