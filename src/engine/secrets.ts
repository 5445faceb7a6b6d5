/**
 * A test's secrets, and the only way bytes and text leave the engine: redacted FIRST, then
 * escaped, then cut (format §7). Redacting after escaping would miss a secret holding a control
 * character; cutting before redacting could leave half a secret standing.
 */
import { Redactor } from '../template/index.js';
import { escapeBytes, escapeText } from './display.js';
import { printable } from '../match/show.js';

/** Longest transcript line kept; a 64 KiB line is shown by its head and its size. */
const MAX_LINE_BYTES = 1024;

export class Secrets {
  private readonly text = new Redactor();
  /** The same secrets as UTF-8 bytes spelled in latin1, to redact raw bytes one for one. */
  private readonly bytes = new Redactor();

  add(value: string): void {
    if (value === '') return;
    this.text.add(value);
    // Matchers' messages show control characters escaped: those spellings must go too. A
    // trailing backslash is spelled by what follows it (display.ts): at the end, and in text.
    const spellings = [escapeText(value), escapeText(`${value} `).slice(0, -1), printable(value), printable(`${value} `).slice(0, -1)];
    for (const escaped of spellings) {
      if (escaped !== value) this.text.add(escaped);
    }
    this.bytes.add(Buffer.from(value, 'utf8').toString('latin1'));
  }

  redact(text: string): string {
    return this.text.redact(text);
  }

  redactBytes(raw: Buffer): Buffer {
    const latin1 = raw.toString('latin1');
    const redacted = this.bytes.redact(latin1);
    return redacted === latin1 ? raw : Buffer.from(redacted, 'latin1');
  }

  /** One transcript line: redacted, escaped, and at most ~1 KiB. */
  line(raw: string | Buffer): string {
    const bytes = this.redactBytes(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw);
    if (bytes.length <= MAX_LINE_BYTES) return escapeBytes(bytes);
    return `${escapeBytes(bytes.subarray(0, MAX_LINE_BYTES))}… (${bytes.length} bytes in all)`;
  }

  /** The last `max` bytes of what came, for "received so far: …" (redacted before the cut). */
  tail(raw: Buffer, max = 300): string {
    const bytes = this.redactBytes(raw);
    return bytes.length <= max ? escapeBytes(bytes) : `…${escapeBytes(bytes.subarray(bytes.length - max))}`;
  }
}
