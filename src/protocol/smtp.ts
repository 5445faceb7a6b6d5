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
import type { FrameStep, ProtocolDef, ProtocolSession, ReplyFramer } from './types.js';
import type { ReplyFields } from './reply-builder.js';
import { createReplyBuilder } from './reply-builder.js';

/** `ddd`, `ddd text` or `ddd-text`; group 2 is absent for a bare code. */
const REPLY_LINE = /^(\d{3})(?:([ -])(.*))?$/s;

/**
 * RFC 3463 §2: class "." subject "." detail, at the start of the text (RFC 2034 §4), ended
 * by a space or the end of the text. A `#` in front is written by some servers
 * (`#5.7.0`); it is not part of the code.
 */
const ENHANCED = /^#?([245]\.\d{1,3}\.\d{1,3})(?=[ \t]|$)/;

export function enhancedCode(text: string): string | undefined {
  return ENHANCED.exec(text)?.[1];
}

function createSmtpFramer(): ReplyFramer {
  const reply = createReplyBuilder();
  const texts: string[] = [];
  let code: string | undefined;

  const malformed = (line: string, why: string): FrameStep => ({
    need: 'done',
    reply: reply.build({ text: [...texts, line].join('\n'), malformed: why }),
  });

  return {
    start: () => ({ need: 'line' }),
    line(raw) {
      const line = reply.line(raw);
      const parts = REPLY_LINE.exec(line);
      if (!parts) {
        return malformed(line, `not an SMTP reply line (RFC 5321 §4.2: three digits, then a space or "-")`);
      }
      const [, lineCode = '', separator, text = ''] = parts;
      if (code !== undefined && lineCode !== code) {
        return malformed(line, `reply code changed from ${code} to ${lineCode} inside a multi-line reply (RFC 5321 §4.2.1)`);
      }
      code = lineCode;
      texts.push(text);
      if (separator === '-') return { need: 'line' };
      const first = texts[0] ?? '';
      const fields: ReplyFields = { code: Number(code), text: texts.join('\n') };
      const enhanced = enhancedCode(first);
      return { need: 'done', reply: reply.build(enhanced === undefined ? fields : { ...fields, enhanced }) };
    },
    bytes() {
      throw new Error('smtp framer: no bytes were asked for');
    },
  };
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

export const smtp: ProtocolDef = {
  name: 'smtp',
  // RFC 5321 §4.5.4.2 (25), RFC 6409 §3.1 (587), RFC 8314 §3.3 (465: implicit TLS).
  wellKnownPorts: [25, 465, 587],
  hasReplyCodes: true,
  statusWords: [],
  hasMultiline: false,
  createSession: createSmtpSession,
};
