/**
 * The parts of an RFC 5322 message that IMAP FETCH/SEARCH and POP3 TOP need: the header
 * (with its blank line), the body, and the header fields with their raw bytes.
 */

export interface HeaderField {
  /** Field name as written. */
  readonly name: string;
  /** Unfolded value (RFC 5322 §2.2.3), leading blanks trimmed. */
  readonly value: string;
  /** The field's bytes, continuation lines and line ends included. */
  readonly raw: Buffer;
}

export interface MessageParts {
  /** Header including the blank line that ends it (RFC 3501 §6.4.5 BODY[HEADER]). */
  readonly header: Buffer;
  /** Everything after the blank line (BODY[TEXT]). */
  readonly body: Buffer;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');

export function splitMessage(raw: Buffer): MessageParts {
  const crlf = raw.indexOf(CRLFCRLF);
  const lf = raw.indexOf(LFLF);
  const cut = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : raw.length;
  return { header: raw.subarray(0, cut), body: raw.subarray(cut) };
}

/** The header's fields in order. */
export function headerFields(header: Buffer): HeaderField[] {
  const fields: HeaderField[] = [];
  let start = -1;
  let offset = 0;
  const flush = (end: number): void => {
    if (start < 0) return;
    const raw = header.subarray(start, end);
    const text = raw.toString('utf8');
    const colon = text.indexOf(':');
    if (colon > 0) {
      fields.push({
        name: text.slice(0, colon).trim(),
        value: text.slice(colon + 1).replace(/\r?\n(?=[ \t])/g, '').trim(),
        raw,
      });
    }
    start = -1;
  };
  while (offset < header.length) {
    const lf = header.indexOf(0x0a, offset);
    const next = lf < 0 ? header.length : lf + 1;
    const first = header[offset];
    const blank = next - offset <= 2 && (first === 0x0d || first === 0x0a);
    if (blank) {
      flush(offset);
      break;
    }
    if (first !== 0x20 && first !== 0x09) {
      flush(offset);
      start = offset;
    }
    offset = next;
  }
  flush(offset);
  return fields;
}

/** The unfolded values of every field with this name (case-insensitive). */
export function headerValues(raw: Buffer, name: string): string[] {
  const lower = name.toLowerCase();
  return headerFields(splitMessage(raw).header)
    .filter((f) => f.name.toLowerCase() === lower)
    .map((f) => f.value);
}

/**
 * BODY[HEADER.FIELDS (…)] and BODY[HEADER.FIELDS.NOT (…)] (RFC 3501 §6.4.5): the chosen
 * fields' raw bytes, then the blank line.
 */
export function selectFields(raw: Buffer, names: readonly string[], exclude: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const chosen = headerFields(splitMessage(raw).header)
    .filter((f) => wanted.has(f.name.toLowerCase()) !== exclude)
    .map((f) => f.raw);
  return Buffer.concat([...chosen, Buffer.from('\r\n')]);
}

/** Normalises line ends to CRLF (SMTP DATA already has them; APPEND and tests may not). */
export function toCrlf(raw: Buffer): Buffer {
  return Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}
