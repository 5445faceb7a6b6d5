/**
 * Collects the bytes of one reply as they are read and turns them into a `Reply`:
 * `raw` for transcripts, `lines` for matching (format §4).
 *
 * The transport hands lines without their LF, with a CR before the LF already dropped
 * (format §4 "Lines end at LF; a CR before it is dropped"), so the CR cannot be given back:
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
  /** Called once, last: the builder is not used after it. */
  build(fields: ReplyFields): Reply;
}

/**
 * A finished reply. A class, not an object literal with a `raw` getter: a load run builds
 * millions, and a literal with an accessor is built slowly (and in a shape of its own) by
 * V8, while a class shares one shape and one prototype getter. `raw` is for transcripts and
 * failures, so its bytes are joined only when read (a load run reads none); the parts sit in
 * a private field, so a spread or `toEqual` of a reply sees exactly the `Reply` fields.
 */
class BuiltReply implements Reply {
  // `declare`: no class-field initialisers, so an absent field is no property at all.
  declare readonly lines: readonly string[];
  declare readonly text: string;
  declare readonly code?: number;
  declare readonly enhanced?: string;
  declare readonly status?: string;
  declare readonly malformed?: string;
  readonly #parts: readonly Buffer[];
  #joined: Buffer | undefined = undefined;

  constructor(fields: ReplyFields, lines: readonly string[], parts: readonly Buffer[]) {
    // Only the fields given become properties, as with `{ ...fields }` before.
    if (fields.code !== undefined) this.code = fields.code;
    if (fields.enhanced !== undefined) this.enhanced = fields.enhanced;
    if (fields.status !== undefined) this.status = fields.status;
    this.text = fields.text;
    if (fields.malformed !== undefined) this.malformed = fields.malformed;
    this.lines = lines;
    this.#parts = parts;
  }

  get raw(): Buffer {
    return (this.#joined ??= Buffer.concat(this.#parts));
  }
}

/**
 * Parts of `raw` kept as they came (views of the socket's chunks) before they are copied into
 * one growing buffer. A view costs a JS object per line, ~100 bytes whatever its length: a
 * reply of a million short lines held that way cost many times its size. Short replies (a
 * load run's) never reach this and pay no copy.
 */
const MAX_PARTS = 64;

/** The bytes of `raw`: views while few, then one buffer that doubles as it fills. */
class RawBytes {
  private parts: Buffer[] = [];
  private joined: Buffer | undefined;
  private used = 0;

  push(bytes: Buffer): void {
    if (this.joined === undefined) {
      this.parts.push(bytes);
      if (this.parts.length > MAX_PARTS) {
        this.joined = Buffer.concat(this.parts);
        this.used = this.joined.length;
        this.parts = [];
      }
      return;
    }
    const needed = this.used + bytes.length;
    if (needed > this.joined.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.joined.length * 2));
      this.joined.copy(grown, 0, 0, this.used);
      this.joined = grown;
    }
    bytes.copy(this.joined, this.used);
    this.used = needed;
  }

  /** What the reply keeps: the parts, or the filled part of the buffer. */
  done(): readonly Buffer[] {
    return this.joined === undefined ? this.parts : [this.joined.subarray(0, this.used)];
  }
}

/** One per reply; a class so the per-reply cost is one object, not a closure per method. */
class Builder implements ReplyBuilder {
  private readonly raw = new RawBytes();
  lines: string[] = [];
  /** Bytes of the line still open: the tail of a literal that did not end in LF. */
  private open: Buffer[] = [];

  line(bytes: Buffer, shown: Buffer | null = bytes): string {
    this.raw.push(bytes);
    this.raw.push(NEWLINE);
    const text = decodeUtf8(bytes);
    // The usual case (the line shown as it came, nothing open): decode it once, not twice.
    if (shown === bytes && this.open.length === 0) this.lines.push(text);
    else if (shown !== null) this.finish(shown);
    return text;
  }

  bytes(bytes: Buffer): void {
    this.raw.push(bytes);
    let from = 0;
    for (let lf = bytes.indexOf(LF, from); lf !== -1; lf = bytes.indexOf(LF, from)) {
      const end = lf > from && bytes[lf - 1] === CR ? lf - 1 : lf;
      this.finish(bytes.subarray(from, end));
      from = lf + 1;
    }
    if (from < bytes.length) this.open.push(bytes.subarray(from));
  }

  /** Once per builder: the reply takes the lines as they are, not a copy. */
  build(fields: ReplyFields): Reply {
    return new BuiltReply(fields, this.lines, this.raw.done());
  }

  private finish(tail: Buffer): void {
    const open = this.open;
    this.lines.push(decodeUtf8(open.length === 0 ? tail : Buffer.concat([...open, tail])));
    this.open = [];
  }
}

export function createReplyBuilder(): ReplyBuilder {
  return new Builder();
}
