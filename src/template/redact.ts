/**
 * Replaces secrets by `***` in any text that leaves the engine (format §7).
 *
 * Only strings registered here are recognised: every secret variable's value and every
 * secret Value the engine sends (`sasl_plain(user, pass)`, `base64(pass)`, …). A server that
 * echoes a secret in an encoding the engine never produced (say, hex of the password, or
 * the base64 of it split at another offset) cannot be recognised and will show.
 * Redact text BEFORE escaping it for display: `\x00`-style escapes change the bytes a
 * secret holding control characters would match.
 */
import type { Value } from './types.js';
import { escapeRegex } from './regex.js';

export class Redactor {
  private readonly secrets = new Set<string>();
  /** Rebuilt lazily after an add; undefined while nothing is registered. */
  private pattern: RegExp | undefined;
  private dirty = false;

  /** Registers a secret string. Empty strings are ignored: they would match everywhere. */
  add(value: string): void {
    if (value === '' || this.secrets.has(value)) return;
    this.secrets.add(value);
    this.dirty = true;
  }

  /** A string derived from a secret (an encoding of it that is sent): same as `add`. */
  addDerived(value: string): void {
    this.add(value);
  }

  /** Registers a Value's text if it is secret. */
  addValue(value: Value): void {
    if (value.secret) this.add(value.text);
  }

  redact(text: string): string {
    const pattern = this.compiled();
    return pattern === undefined ? text : text.replace(pattern, '***');
  }

  private compiled(): RegExp | undefined {
    if (this.dirty) {
      // Longest first: an alternation takes the first branch that matches at a position,
      // so a secret that contains another is replaced whole.
      const sorted = [...this.secrets].sort((a, b) => b.length - a.length);
      this.pattern = new RegExp(sorted.map(escapeRegex).join('|'), 'g');
      this.dirty = false;
    }
    return this.pattern;
  }
}
