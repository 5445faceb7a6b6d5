/**
 * SMTP replies (RFC 5321 §4.2): `ddd-text` lines up to the `ddd text` line.
 *
 *   Reply-line = *( Reply-code "-" [ textstring ] CRLF )
 *                   Reply-code [ SP textstring ] CRLF          (RFC 5321 §4.2)
 *
 * Every reply says itself where it ends, so the framer needs no command queue: pipelined
 * replies (RFC 2920) are simply read one after another, one `s:` each. LMTP (RFC 2033 §4.2)
 * frames the same way.
 *
 * Malformed replies end where the grammar breaks, so a broken server fails the step with a
 * clear message instead of a timeout:
 * - a line that is not `ddd`, `ddd text` or `ddd-text` ends the reply with that line;
 * - a line of a multi-line reply whose code differs from the first line's (§4.2.1: "the
 *   same code on each line") ends the reply with that line.
 * Such a reply has no `code` and no `enhanced`, `malformed` says why, and `text` holds the
 * texts read so far followed by the offending line whole.
 * Any three digits are accepted as a code (the §4.2 ABNF allows only 2-5, 0-5, 0-9): the
 * value is for matchers to judge.
 */
import type { FrameStep, ProtocolSession, ReplyFramer } from '../types.js';
import type { ReplyFields } from '../reply-builder.js';
import { createReplyBuilder } from '../reply-builder.js';

/**
 * RFC 3463 §2: class "." subject "." detail, at the start of the text (RFC 2034 §4), ended
 * by a space or the end of the text. A `#` in front is written by some servers
 * (`#5.7.0`); it is not part of the code.
 */
const ENHANCED = /^#?([245]\.\d{1,3}\.\d{1,3})(?=[ \t]|$)/;

export function enhancedCode(text: string): string | undefined {
  // Most texts do not start like one (a greeting, EHLO keywords): no regex run for them.
  const first = text.charCodeAt(0);
  if (first !== HASH && first !== TWO && first !== FOUR && first !== FIVE) return undefined;
  return ENHANCED.exec(text)?.[1];
}

const HASH = 0x23;
const TWO = 0x32;
const FOUR = 0x34;
const FIVE = 0x35;
const SPACE = 0x20;
const HYPHEN = 0x2d;

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/**
 * `ddd`, `ddd text` or `ddd-text`: the separator's char code, 0 for a bare code, -1 for any
 * other line. Read by char code rather than a regex with groups: it runs for every reply
 * line of a load run, and this is cheaper than the match array and its destructuring.
 */
function separatorOf(line: string): number {
  if (line.length < 3 || !isDigit(line.charCodeAt(0)) || !isDigit(line.charCodeAt(1)) || !isDigit(line.charCodeAt(2))) return -1;
  if (line.length === 3) return 0;
  const separator = line.charCodeAt(3);
  return separator === SPACE || separator === HYPHEN ? separator : -1;
}

/**
 * Frames one reply. A class (one object per reply, methods on the prototype) rather than a
 * literal of closures: a load run frames millions of replies.
 */
class SmtpFramer implements ReplyFramer {
  private readonly reply = createReplyBuilder();
  private code: string | undefined;

  start(): FrameStep {
    return NEED_LINE;
  }

  line(raw: Buffer): FrameStep {
    const line = this.reply.line(raw);
    const separator = separatorOf(line);
    if (separator < 0) {
      return this.malformed(line, `not an SMTP reply line (RFC 5321 §4.2: three digits, then a space or "-")`);
    }
    const lineCode = line.slice(0, 3);
    const code = this.code;
    if (code !== undefined && lineCode !== code) {
      return this.malformed(line, `reply code changed from ${code} to ${lineCode} inside a multi-line reply (RFC 5321 §4.2.1)`);
    }
    this.code = lineCode;
    if (separator === HYPHEN) return NEED_LINE;
    const text = line.slice(4);
    const lines = this.reply.lines;
    const first = lines.length === 1 ? text : (lines[0] as string).slice(4);
    const joined = lines.length === 1 ? text : this.textsBefore(lines.length - 1) + text;
    const enhanced = enhancedCode(first);
    const fields: ReplyFields = enhanced === undefined
      ? { code: Number(lineCode), text: joined }
      : { code: Number(lineCode), text: joined, enhanced };
    return { need: 'done', reply: this.reply.build(fields) };
  }

  bytes(): FrameStep {
    throw new Error('smtp framer: no bytes were asked for');
  }

  private malformed(line: string, why: string): FrameStep {
    return { need: 'done', reply: this.reply.build({ text: this.textsBefore(this.reply.lines.length - 1) + line, malformed: why }) };
  }

  /**
   * The texts of the first `count` lines, each followed by `\n`. Taken from the builder's
   * lines when the reply ends rather than kept apart as they come: a reply of a million
   * short lines held a second million strings so.
   */
  private textsBefore(count: number): string {
    const texts = this.reply.lines.slice(0, count).map(textOf);
    texts.push('');
    return texts.join('\n');
  }
}

const NEED_LINE: FrameStep = { need: 'line' };

const textOf = (line: string): string => line.slice(4);

function createSmtpFramer(): ReplyFramer {
  return new SmtpFramer();
}

export function createSmtpSession(): ProtocolSession {
  return {
    sent() {
      // Replies frame themselves (see above): the command queue is not needed to find
      // where one ends.
    },
    begin: () => createSmtpFramer(),
    reset() {
      // Nothing is pending in the framer between replies.
    },
  };
}
