/**
 * Collects the bytes of one reply as they are read and turns them into a `Reply`:
 * `raw` for transcripts, `lines` for matching (spec §4).
 *
 * The transport hands lines without their LF, with a CR before the LF already dropped
 * (spec §4 "Lines end at LF; a CR before it is dropped"), so the CR cannot be given back:
 * `raw` holds each line followed by a bare LF. Bytes read as a block (IMAP literals) are
 * kept exactly as received, CRs included.
 *
 * `lines` are the reply's bytes split at LF, a CR before an LF dropped, each decoded as
 * UTF-8 with U+FFFD for invalid bytes. So an IMAP literal `Hello\r\nWorld` followed by the
 * rest of its line `)` reads as the lines `Hello`, `World)`: exactly what a telnet user sees.
 */
import type { Reply } from './types.js';

const LF = 0x0a;
const CR = 0x0d;
const NEWLINE = Buffer.from('\n');

/** WHATWG UTF-8 decoding: invalid bytes read as U+FFFD; a BOM is kept as a character. */
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

export function decodeUtf8(bytes: Buffer): string {
  return utf8.decode(bytes);
}

/** The parts of a Reply that depend on the protocol. */
export type ReplyFields = Omit<Reply, 'lines' | 'raw'>;

export interface ReplyBuilder {
  /**
   * A line from the transport (no LF); returns it decoded. `shown` replaces it among the
   * `lines` (a POP3 dot-unstuffed line), `null` leaves it out (the POP3 closing `.`); `raw`
   * always gets the bytes as received.
   */
  line(bytes: Buffer, shown?: Buffer | null): string;
  /** A block of bytes (an IMAP literal), taken as is. */
  bytes(bytes: Buffer): void;
  /** Lines so far (a line still open after a block of bytes is not among them). */
  readonly lines: readonly string[];
  build(fields: ReplyFields): Reply;
}

export function createReplyBuilder(): ReplyBuilder {
  const raw: Buffer[] = [];
  const lines: string[] = [];
  // Bytes of the line still open: the tail of a literal that did not end in LF.
  let open: Buffer[] = [];

  const finish = (tail: Buffer): void => {
    lines.push(decodeUtf8(open.length === 0 ? tail : Buffer.concat([...open, tail])));
    open = [];
  };

  return {
    line(bytes, shown = bytes) {
      raw.push(bytes, NEWLINE);
      const text = decodeUtf8(bytes);
      // The usual case (the line shown as it came, nothing open): decode it once, not twice.
      if (shown === bytes && open.length === 0) lines.push(text);
      else if (shown !== null) finish(shown);
      return text;
    },
    bytes(bytes) {
      raw.push(bytes);
      let from = 0;
      for (let lf = bytes.indexOf(LF, from); lf !== -1; lf = bytes.indexOf(LF, from)) {
        const end = lf > from && bytes[lf - 1] === CR ? lf - 1 : lf;
        finish(bytes.subarray(from, end));
        from = lf + 1;
      }
      if (from < bytes.length) open.push(bytes.subarray(from));
    },
    get lines() {
      return lines;
    },
    build(fields) {
      // `raw` is for transcripts and failures: joined only when read (a load run reads none).
      let joined: Buffer | undefined;
      return {
        ...fields,
        lines: [...lines],
        get raw(): Buffer {
          return (joined ??= Buffer.concat(raw));
        },
      };
    },
  };
}
