/**
 * Random and mutated server byte streams against every framer (src/protocol/registry.ts),
 * and against the engine's reply reader with random limits. A framer may call a reply
 * malformed; it may not throw, ask for nonsense, or make the reader hold more than the
 * limits allow.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../../src/protocol/registry.js';
import { frameAll } from '../../src/protocol/frame-all.js';
import type { FrameStep, ProtocolSession, Reply, SentCommand } from '../../src/protocol/types.js';
import type { Limits, ProtocolName } from '../../src/kernel/model.js';
import { readReply } from '../../src/engine/reply.js';
import type { LiveConnection } from '../../src/engine/context.js';
import { Answers } from '../../src/engine/answers.js';
import { TransportError, type Connection } from '../../src/transport/types.js';
import { mutate, mutation } from './mutate.js';

const NAMES = Object.keys(PROTOCOLS) as ProtocolName[];

/** A plausible conversation per protocol: mutations of it reach deep framer states. */
const VALID: Record<ProtocolName, string> = {
  smtp: '220 mx.test ESMTP\r\n250-mx.test\r\n250-SIZE 1000\r\n250 8BITMIME\r\n354 go\r\n250 2.0.0 queued\r\n535 5.7.8 no\r\n',
  lmtp: '220 lmtp.test LMTP\r\n250-lmtp.test\r\n250 PIPELINING\r\n354 go\r\n250 2.1.5 ok\r\n452 4.2.2 full\r\n',
  pop3: '+OK hi\r\n+OK\r\nUIDL\r\n..dot\r\n.\r\n+OK 2 messages\r\n1 100\r\n.\r\n-ERR no\r\n+ \r\n+OK bye\r\n',
  imap: '* OK ready\r\n* 1 FETCH (BODY[] {5}\r\nab\r\nc)\r\na1 OK done\r\n+ go\r\n* CAPABILITY IMAP4rev1\r\na2 NO bad\r\n* 3 EXISTS\r\na3 BAD x\r\n',
  managesieve: '"IMPLEMENTATION" "Dovecot Pigeonhole"\r\n"STARTTLS"\r\nOK "ready"\r\n""\r\n{5}\r\nOK\r\n\r\nOK (WARNINGS) "w"\r\nNO {4}\r\nab\r\n\r\n"s" ACTIVE\r\nBYE "bye"\r\n',
  line: 'hello\nworld\r\n\n',
};

const SENT: Record<ProtocolName, readonly string[]> = {
  smtp: ['EHLO x', 'MAIL FROM:<a@b>', 'DATA', 'STARTTLS', 'AUTH LOGIN', 'QUIT'],
  lmtp: ['LHLO x', 'RCPT TO:<a@b>', 'DATA', 'QUIT'],
  pop3: ['CAPA', 'LIST', 'LIST 1', 'UIDL', 'RETR 1', 'TOP 1 0', 'AUTH PLAIN', 'STLS', 'QUIT'],
  imap: ['a1 FETCH 1 BODY[]', 'a2 APPEND INBOX {5}', 'hello', 'a3 IDLE', 'DONE', 'a4 AUTHENTICATE PLAIN', 'a5 LOGIN {3+}', 'bob pw', 'a6 NOOP'],
  managesieve: ['CAPABILITY', 'AUTHENTICATE "PLAIN"', '"AGFsaWNlAHB3"', 'PUTSCRIPT "s" {6+}', 'OK', '', 'GETSCRIPT "s"', 'STARTTLS', 'LOGOUT'],
  line: ['anything'],
};

const sentCommand = (name: ProtocolName): fc.Arbitrary<SentCommand> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...SENT[name]).map((text) => ({ kind: 'line', text }) as SentCommand) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((text) => ({ kind: 'line', text }) as SentCommand) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((text) => ({ kind: 'raw', text }) as SentCommand) },
    { weight: 1, arbitrary: fc.constant({ kind: 'data' } as SentCommand) },
  );

const stream = (name: ProtocolName): fc.Arbitrary<Buffer> =>
  fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    fc.array(mutation, { minLength: 1, maxLength: 4 }).map((ms) => Buffer.from(mutate(VALID[name], ms), 'utf8')),
    fc
      .tuple(fc.array(mutation, { maxLength: 3 }), fc.constantFrom('{99999999999999999999}\r\n', '{0}\r\n', '{-1}\r\n', '{5+}\r\n', '\0\xff\r\n', '\r\r\n', '.\r\n'))
      .map(([ms, tail]) => Buffer.from(mutate(VALID[name], ms) + tail, 'latin1')),
  );

/** Where a conversation turn sends or reads, with the session kept across turns. */
type Turn = { readonly kind: 'send'; readonly command: SentCommand } | { readonly kind: 'read'; readonly multiline?: boolean } | { readonly kind: 'reset' };

const turns = (name: ProtocolName): fc.Arbitrary<Turn[]> =>
  fc.array(
    fc.oneof(
      { weight: 3, arbitrary: sentCommand(name).map((command) => ({ kind: 'send', command }) as Turn) },
      { weight: 4, arbitrary: fc.option(fc.boolean(), { nil: undefined }).map((multiline) => (multiline === undefined ? { kind: 'read' } : { kind: 'read', multiline }) as Turn) },
      { weight: 1, arbitrary: fc.constant({ kind: 'reset' } as Turn) },
    ),
    { maxLength: 12 },
  );

function checkReply(name: ProtocolName, reply: Reply): void {
  expect(Array.isArray(reply.lines)).toBe(true);
  for (const line of reply.lines) expect(typeof line).toBe('string');
  expect(Buffer.isBuffer(reply.raw)).toBe(true);
  expect(reply.raw.length).toBeGreaterThan(0);
  expect(typeof reply.text).toBe('string');
  if (reply.code !== undefined) expect(Number.isInteger(reply.code) && reply.code >= 0 && reply.code <= 999).toBe(true);
  if (reply.malformed !== undefined) expect(reply.malformed.length).toBeGreaterThan(0);
  if (!PROTOCOLS[name].hasReplyCodes) expect(reply.code).toBeUndefined();
}

function checkStep(name: ProtocolName, step: FrameStep): void {
  switch (step.need) {
    case 'line':
      return;
    case 'bytes':
      // A count too large for a safe integer is allowed (the reader's limits catch it); nonsense is not.
      expect(Number.isNaN(step.count)).toBe(false);
      expect(step.count).toBeGreaterThan(0);
      return;
    case 'done':
      checkReply(name, step.reply);
      return;
    default: {
      const never: never = step;
      throw new Error(`unknown step ${JSON.stringify(never)}`);
    }
  }
}

/** Frames ONE reply from `input` at `at`, checking every step; returns where it ended, or undefined if input ran out. */
function frameChecked(name: ProtocolName, session: ProtocolSession, input: Buffer, at: number, multiline?: boolean): number | undefined {
  const framer = session.begin(multiline === undefined ? {} : { multiline });
  let step = framer.start();
  // Bounded: each turn consumes at least one byte, or returns.
  const maxTurns = input.length - at + 2;
  for (let turn = 0; turn <= maxTurns; turn++) {
    checkStep(name, step);
    switch (step.need) {
      case 'done':
        return at;
      case 'line': {
        const lf = input.indexOf(0x0a, at);
        if (lf < 0) return undefined;
        const end = lf > at && input[lf - 1] === 0x0d ? lf - 1 : lf;
        step = framer.line(input.subarray(at, end));
        at = lf + 1;
        break;
      }
      case 'bytes': {
        const count = step.count;
        if (at + count > input.length) return undefined;
        step = framer.bytes(input.subarray(at, at + count));
        at += count;
        break;
      }
    }
  }
  throw new Error('a framer neither finished nor consumed input');
}

describe('framers: random and mutated server bytes', () => {
  it.each(NAMES)('%s: frameAll never throws on any bytes, whatever was sent', (name) => {
    fc.assert(
      fc.property(stream(name), fc.array(sentCommand(name), { maxLength: 6 }), fc.option(fc.boolean(), { nil: undefined }), (input, sent, multiline) => {
        const session = PROTOCOLS[name].createSession();
        for (const command of sent) session.sent(command);
        const { replies, rest } = frameAll(session, input, multiline === undefined ? {} : { multiline });
        for (const reply of replies) checkReply(name, reply);
        expect(rest.length).toBeLessThanOrEqual(input.length);
      }),
      { numRuns: 400 },
    );
  });

  it.each(NAMES)('%s: a conversation of sends, reads and TLS resets never throws and every step is sane', (name) => {
    fc.assert(
      fc.property(stream(name), turns(name), fc.constantFrom('crlf', 'lf') as fc.Arbitrary<'crlf' | 'lf'>, (input, plan, eol) => {
        const session = PROTOCOLS[name].createSession({ eol });
        let at = 0;
        for (const turn of plan) {
          if (turn.kind === 'send') session.sent(turn.command);
          else if (turn.kind === 'reset') session.reset?.();
          else {
            const end = frameChecked(name, session, input, at, turn.multiline);
            if (end === undefined) return;
            expect(end).toBeGreaterThan(at);
            at = end;
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------------------------------
// The engine's reader over an in-memory connection that keeps the transport's contract.

/** A Connection over fixed bytes: readLineOr bounded by `limits.lineBytes`, EOF as `closed`. */
function memoryConnection(input: Buffer, limits: Limits): Connection & { pulled: () => number } {
  let at = 0;
  const closed = (): TransportError => new TransportError('closed', 'the server closed the connection', input.subarray(at));
  return {
    pulled: () => at,
    readLineOr() {
      const lf = input.indexOf(0x0a, at);
      const end = lf < 0 ? input.length : lf;
      if (end - at > limits.lineBytes) {
        const partial = input.subarray(at, at + limits.lineBytes);
        at += limits.lineBytes;
        throw new TransportError('limit', `line longer than ${limits.lineBytes} bytes (limits.line)`, partial);
      }
      if (lf < 0) {
        const error = closed();
        at = input.length;
        throw error;
      }
      const line = input.subarray(at, lf > at && input[lf - 1] === 0x0d ? lf - 1 : lf);
      at = lf + 1;
      return line;
    },
    async readBytes(count) {
      if (at + count > input.length) {
        const error = closed();
        at = input.length;
        throw error;
      }
      const bytes = input.subarray(at, at + count);
      at += count;
      return bytes;
    },
    write: async () => undefined,
    startTls: async () => {
      throw new TransportError('tls', 'not here');
    },
    waitForData: async () => at < input.length,
    waitForClose: async () => undefined,
    close: () => undefined,
  };
}

describe('engine reply reader: random bytes and random limits', () => {
  const limitsArb = fc.record({ lineBytes: fc.integer({ min: 1, max: 64 }), replyBytes: fc.integer({ min: 1, max: 256 }) });

  it.each(NAMES)('%s: a reply, a close, or a limit/closed TransportError, and never more bytes than the limits', (name) => {
    fc.assert(
      fc.asyncProperty(stream(name), fc.array(sentCommand(name), { maxLength: 4 }), limitsArb, async (input, sent, limits) => {
        const connection = memoryConnection(input, limits);
        const session = PROTOCOLS[name].createSession();
        for (const command of sent) session.sent(command);
        const live: LiveConnection = { name: 'main', protocol: name, eol: '\r\n', limits, host: '127.0.0.1', connection, session, answers: new Answers(name, connection) };
        // Bounded: each read consumes bytes until the input runs out or a failure ends it.
        for (let read = 0; read <= input.length; read++) {
          const before = connection.pulled();
          try {
            const observed = await readReply(live, {}, Number.POSITIVE_INFINITY);
            if (observed.kind === 'closed') return;
            checkReply(name, observed.reply);
          } catch (error) {
            expect(error).toBeInstanceOf(TransportError);
            expect(['limit', 'closed']).toContain((error as TransportError).kind);
            // The budget counts each line and its LF (a dropped CR is not counted, hence 2×);
            // a failing reply may also hold the one line that crossed it.
            expect(connection.pulled() - before).toBeLessThanOrEqual(2 * limits.replyBytes + limits.lineBytes + 2);
            return;
          }
          expect(connection.pulled() - before).toBeLessThanOrEqual(2 * limits.replyBytes);
        }
      }),
      { numRuns: 300 },
    );
  });
});
