import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frameAll } from '../../src/protocol/frame-all.js';
import { PROTOCOLS } from '../../src/protocol/registry.js';
import type { ProtocolName } from '../../src/kernel/model.js';

const NAMES = Object.keys(PROTOCOLS) as ProtocolName[];

/** Byte streams that look like mail protocol replies often enough to reach deep states. */
const replyish = fc
  .array(
    fc.oneof(
      fc.constantFrom('250-a', '250 b', '251 c', '+OK', '-ERR x', '+ ', '+', '.', '..x', '* OK hi', '* 1 FETCH (BODY[] {3}', 'a1 OK', 'a2 NO', '{0}', 'x'),
      fc.string({ maxLength: 12 }),
    ),
    { maxLength: 30 },
  )
  .chain((lines) => fc.tuple(fc.constant(lines), fc.array(fc.constantFrom('\r\n', '\n', '\r'), { minLength: lines.length, maxLength: lines.length })))
  .map(([lines, eols]) => Buffer.from(lines.map((line, i) => line + (eols[i] ?? '\n')).join('')));

const sentLines = fc.array(fc.constantFrom('a1 NOOP', 'a2 APPEND INBOX {3}', 'abc', 'CAPA', 'RETR 1', 'AUTH PLAIN', 'DONE', 'a1 IDLE'), { maxLength: 5 });

/** The bytes a framer saw, as `raw` gives them back: every CRLF outside literals read as LF. */
function normalised(input: Buffer): string {
  return input.toString('latin1').replace(/\r\n/g, '\n');
}

describe('framer properties', () => {
  it.each(NAMES)('%s: never throws, always ends, every reply non-empty', (name) => {
    fc.assert(
      fc.property(replyish, sentLines, fc.boolean(), (input, sent, multiline) => {
        const session = PROTOCOLS[name].createSession();
        for (const text of sent) session.sent({ kind: 'line', text });
        const { replies, rest } = frameAll(session, input, { multiline });
        // raw drops only the CRs before LFs: never more bytes than were consumed
        const rawBytes = replies.reduce((sum, reply) => sum + reply.raw.length, 0);
        expect(rawBytes).toBeLessThanOrEqual(input.length - rest.length);
        for (const reply of replies) {
          expect(reply.raw.length).toBeGreaterThan(0);
          expect(reply.lines.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it.each(['smtp', 'lmtp', 'pop3', 'line'] as const)('%s: the raws of the replies are the consumed bytes, LF-normalised', (name) => {
    fc.assert(
      fc.property(replyish, sentLines, (input, sent) => {
        const session = PROTOCOLS[name].createSession();
        for (const text of sent) session.sent({ kind: 'line', text });
        const { replies, rest } = frameAll(session, input);
        const consumed = input.subarray(0, input.length - rest.length);
        expect(Buffer.concat(replies.map((r) => r.raw)).toString('latin1')).toBe(normalised(consumed));
      }),
      { numRuns: 300 },
    );
  });

  it('smtp: a well-formed multi-line reply frames back to its code and texts', () => {
    const text = fc.string({ maxLength: 20 }).filter((t) => !/[\r\n]/.test(t));
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 599 }), fc.array(text, { minLength: 1, maxLength: 6 }), (code, texts) => {
        const wire = texts.map((t, i) => `${code}${i === texts.length - 1 ? ' ' : '-'}${t}\r\n`).join('');
        const { replies, rest } = frameAll(PROTOCOLS.smtp.createSession(), Buffer.from(wire));
        expect(rest.length).toBe(0);
        expect(replies).toHaveLength(1);
        expect(replies[0]?.code).toBe(code);
        expect(replies[0]?.text).toBe(texts.join('\n'));
      }),
      { numRuns: 200 },
    );
  });

  it('pop3: dot-stuffing round-trips through RETR', () => {
    const body = fc.array(fc.string({ maxLength: 10 }).filter((t) => !/[\r\n]/.test(t)), { maxLength: 8 });
    fc.assert(
      fc.property(body, (lines) => {
        const session = PROTOCOLS.pop3.createSession();
        frameAll(session, Buffer.from('+OK hi\r\n'));
        session.sent({ kind: 'line', text: 'RETR 1' });
        const stuffed = lines.map((l) => (l.startsWith('.') ? `.${l}` : l));
        const wire = ['+OK', ...stuffed, '.'].map((l) => `${l}\r\n`).join('');
        const { replies, rest } = frameAll(session, Buffer.from(wire));
        expect(rest.length).toBe(0);
        expect(replies[0]?.lines).toEqual(['+OK', ...lines]);
      }),
      { numRuns: 200 },
    );
  });

  it('imap: any literal content, tags and + included, stays inside the reply', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (content) => {
        const session = PROTOCOLS.imap.createSession();
        frameAll(session, Buffer.from('* OK hi\r\n'));
        session.sent({ kind: 'line', text: 'a1 FETCH 1 BODY[]' });
        const wire = Buffer.concat([Buffer.from(`* 1 FETCH (BODY[] {${content.length}}\r\n`), Buffer.from(content), Buffer.from(')\r\na1 OK done\r\n')]);
        const { replies, rest } = frameAll(session, wire);
        expect(rest.length).toBe(0);
        expect(replies).toHaveLength(1);
        expect(replies[0]?.text).toBe('done');
        expect(replies[0]?.raw.includes(Buffer.from(content))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
