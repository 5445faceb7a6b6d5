/** Framing over real sockets: lines, literals, limits, and how a read ends. */
import { afterEach, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/transport/index.js';
import type { SocketConnection } from '../../src/transport/index.js';
import { close, expectBytes, hold, reset, send, sendEndless, sendSplit, startPeer, waitClose } from '../helpers/peer.js';
import type { Peer, PeerAction } from '../helpers/peer.js';
import { connectTo, failure, defaultLimits, inMs } from '../helpers/transport.js';
import type { ConnectOptions } from '../../src/transport/types.js';

const peers: Peer[] = [];
const connections: SocketConnection[] = [];
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  await Promise.all(peers.splice(0).map((peer) => peer.stop()));
});

async function scripted(script: PeerAction[], overrides: Partial<ConnectOptions> = {}): Promise<{ peer: Peer; conn: SocketConnection }> {
  const peer = await startPeer(script);
  peers.push(peer);
  const conn = await connectTo(peer, overrides);
  connections.push(conn);
  return { peer, conn };
}

const text = (buffer: Buffer): string => buffer.toString('latin1');

describe('lines', () => {
  it('joins a reply split across packets', async () => {
    const { conn } = await scripted([sendSplit('250-first\r\n250 second\r\n', 3), hold()]);
    expect(text(await conn.readLine(inMs(5000)))).toBe('250-first');
    expect(text(await conn.readLine(inMs(5000)))).toBe('250 second');
  });

  it('reads a line that arrives one byte at a time', async () => {
    const { conn } = await scripted([sendSplit('220 mail.test ESMTP\r\n', 1), hold()]);
    expect(text(await conn.readLine(inMs(5000)))).toBe('220 mail.test ESMTP');
  });

  it('ends lines at LF and drops only a CR right before it', async () => {
    const { conn } = await scripted([send('crlf\r\nlf\ncr\r\r\nmid\rdle\n\r\n\n'), hold()]);
    const lines: string[] = [];
    for (let i = 0; i < 6; i++) lines.push(text(await conn.readLine(inMs(5000))));
    expect(lines).toEqual(['crlf', 'lf', 'cr\r', 'mid\rdle', '', '']);
  });

  it('keeps bytes exact: NUL, 8-bit, invalid UTF-8', async () => {
    const raw = Buffer.from([0x41, 0x00, 0xff, 0xc3, 0x28, 0x0d, 0x0a]);
    const { conn } = await scripted([send(raw), hold()]);
    expect(await conn.readLine(inMs(5000))).toEqual(raw.subarray(0, 5));
    expect(conn.bytesRead).toBe(7);
  });

  it('accepts a line of exactly the limit, CRLF or LF, and refuses one byte more', async () => {
    const limits = { ...defaultLimits, lineBytes: 16 };
    const sixteen = 'x'.repeat(16);
    const { conn } = await scripted([send(`${sixteen}\r\n${sixteen}\n${sixteen}y\r\n`), hold()], { limits });
    expect(text(await conn.readLine(inMs(5000)))).toBe(sixteen);
    expect(text(await conn.readLine(inMs(5000)))).toBe(sixteen);
    const error = await failure(conn.readLine(inMs(5000)));
    expect(error.kind).toBe('limit');
    expect(error.message).toBe('line longer than 16 bytes');
    expect(text(error.partial ?? Buffer.alloc(0))).toBe(sixteen);
  });

  it('fails an endless line promptly with the limit, without buffering it', async () => {
    const chunk = 'a'.repeat(16 * 1024);
    const { conn } = await scripted([sendEndless(chunk, 32 * 1024 * 1024), hold()]);
    const error = await failure(conn.readLine(inMs(20_000)));
    expect(error.kind).toBe('limit');
    expect(error.message).toBe('line longer than 64 KiB');
    // What is kept to show is bounded too: the last 16 KiB before the limit.
    expect(error.partial?.length).toBe(16 * 1024);
    // The socket is paused near the high-water mark: at most one socket read beyond it.
    expect(conn.buffered).toBeLessThanOrEqual(64 * 1024 + 2 + 64 * 1024);
  });

  it('reads counted bytes (an IMAP literal) between lines, across packets', async () => {
    const { conn } = await scripted([sendSplit('* 1 FETCH (BODY[] {12}\r\nhello\r\nworld)\r\n', 4), hold()]);
    expect(text(await conn.readLine(inMs(5000)))).toBe('* 1 FETCH (BODY[] {12}');
    expect(text(await conn.readBytes(12, inMs(5000)))).toBe('hello\r\nworld');
    expect(text(await conn.readLine(inMs(5000)))).toBe(')');
  });

  it('reads a literal much larger than the line limit', async () => {
    const size = 1024 * 1024;
    const { conn } = await scripted([send(Buffer.alloc(size, 0x62)), send('\r\nA1 OK\r\n'), hold()]);
    const data = await conn.readBytes(size, inMs(10_000));
    expect(data.length).toBe(size);
    expect(data.every((b) => b === 0x62)).toBe(true);
    expect(text(await conn.readLine(inMs(5000)))).toBe('');
    expect(text(await conn.readLine(inMs(5000)))).toBe('A1 OK');
  });

  it('refuses a byte count above the reply limit before reading', async () => {
    const limits = { ...defaultLimits, replyBytes: 1024 * 1024 };
    const { conn } = await scripted([hold()], { limits });
    const error = await failure(conn.readBytes(1024 * 1024 + 1, inMs(5000)));
    expect(error.kind).toBe('limit');
    expect(error.message).toBe('cannot read 1048577 bytes: more than the reply limit of 1 MiB');
  });
});

describe('how a read ends', () => {
  it('times out at the deadline with the bytes of the incomplete line', async () => {
    const { conn } = await scripted([send('250 partial'), hold()]);
    const error = await failure(conn.readLine(inMs(300)));
    expect(error.kind).toBe('timeout');
    expect(text(error.partial ?? Buffer.alloc(0))).toBe('250 partial');
    // The bytes stay: the line may still complete.
    expect(conn.buffered).toBe(11);
  });

  it('times out with no partial when nothing came', async () => {
    const { conn } = await scripted([hold()]);
    const error = await failure(conn.readLine(inMs(200)));
    expect(error.kind).toBe('timeout');
    expect(error.partial).toBeUndefined();
  });

  it('times out a literal with what came of it', async () => {
    const { conn } = await scripted([send('abc'), hold()]);
    const error = await failure(conn.readBytes(10, inMs(200)));
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe('timed out after 3 of 10 bytes');
    expect(text(error.partial ?? Buffer.alloc(0))).toBe('abc');
  });

  it('reports the server closing in the middle of a line, with the partial line', async () => {
    const { conn } = await scripted([send('250 ok\r\n250 parti'), close()]);
    expect(text(await conn.readLine(inMs(5000)))).toBe('250 ok');
    const error = await failure(conn.readLine(inMs(5000)));
    expect(error.kind).toBe('closed');
    expect(error.message).toBe('the server closed the connection in the middle of a line');
    expect(text(error.partial ?? Buffer.alloc(0))).toBe('250 parti');
  });

  it('reports a clean close between lines without a partial', async () => {
    const { conn } = await scripted([send('221 bye\r\n'), close()]);
    expect(text(await conn.readLine(inMs(5000)))).toBe('221 bye');
    const error = await failure(conn.readLine(inMs(5000)));
    expect(error.kind).toBe('closed');
    expect(error.message).toBe('the server closed the connection');
    expect(error.partial).toBeUndefined();
  });

  it('delivers the lines that came before a reset, then the reset', async () => {
    const { conn } = await scripted([send('250 ok\r\n'), expectBytes('QUIT\r\n'), reset()]);
    await conn.write(Buffer.from('QUIT\r\n'), inMs(5000));
    // Wait for the reset itself before reading, so the buffered line must survive it.
    await expect(conn.waitForClose(inMs(5000))).rejects.toMatchObject({ kind: 'reset' });
    expect(text(await conn.readLine(inMs(5000)))).toBe('250 ok');
    const error = await failure(conn.readLine(inMs(5000)));
    expect(error.kind).toBe('reset');
    expect(error.message).toBe('connection reset by the server');
  });

  it('ends every wait with `aborted` when the run is interrupted', async () => {
    const controller = new AbortController();
    const { conn } = await scripted([hold()], { signal: controller.signal });
    const pending = conn.readLine(inMs(60_000));
    controller.abort();
    const error = await failure(pending);
    expect(error.kind).toBe('aborted');
    await expect(conn.waitForData(inMs(60_000))).rejects.toMatchObject({ kind: 'aborted' });
  });

  it('returns what is already buffered even at a deadline in the past', async () => {
    const { conn } = await scripted([send('a\r\nb\r\n'), hold()]);
    expect(text(await conn.readLine(inMs(5000)))).toBe('a');
    expect(text(await conn.readLine(0))).toBe('b');
  });

  it('measures deadlines on the injected clock', async () => {
    // A clock a day ahead of real time: a deadline on it must still mean "300ms from now".
    const skewed = { now: () => Date.now() + 86_400_000 };
    const { conn } = await scripted([send('250 late\r\n'), hold()], { clock: skewed, deadline: skewed.now() + 5000 });
    expect(text(await conn.readLine(skewed.now() + 5000))).toBe('250 late');
    const error = await failure(conn.readLine(skewed.now() + 300));
    expect(error.kind).toBe('timeout');
  });
});

/** `readLineOr` as a promise: the line returned at once, or what a callback gets later. */
function readLineOr(conn: SocketConnection, deadline: number): { now: Buffer | undefined; later: Promise<Buffer> } {
  let now: Buffer | undefined;
  let returned = false;
  const later = new Promise<Buffer>((resolve, reject) => {
    const early = (): void => {
      if (!returned) reject(new Error('a callback ran before readLineOr returned'));
    };
    now = conn.readLineOr(
      deadline,
      (line) => (early(), resolve(line)),
      (error) => (early(), reject(error as Error)),
    );
    returned = true;
    if (now !== undefined) resolve(now);
  });
  return { now, later };
}

describe('readLineOr (lines by callback)', () => {
  it('returns a buffered line at once, and calls back with one that comes later, never before returning', async () => {
    const { conn } = await scripted([send('250-first\r\n250 second\r\n'), expectBytes('QUIT\r\n'), send('221 bye\r\n'), hold()]);
    expect(text(await conn.readLine(inMs(5000)))).toBe('250-first');
    const buffered = readLineOr(conn, inMs(5000));
    expect(text(buffered.now ?? Buffer.alloc(0))).toBe('250 second');
    const waiting = readLineOr(conn, inMs(5000));
    expect(waiting.now).toBeUndefined();
    await conn.write(Buffer.from('QUIT\r\n'), inMs(5000));
    expect(text(await waiting.later)).toBe('221 bye');
    expect(conn.bytesRead).toBe('250-first\r\n250 second\r\n221 bye\r\n'.length);
  });

  it('throws at once what is known at once: EOF, a line past the limit', async () => {
    const { conn } = await scripted([send('221 bye\r\n'), close()]);
    expect(text(await conn.readLine(inMs(5000)))).toBe('221 bye');
    await expect(conn.waitForClose(inMs(5000))).resolves.toBeUndefined();
    expect(() => conn.readLineOr(inMs(5000), () => undefined, () => undefined)).toThrow(TransportError);
    const long = await scripted([send('x'.repeat(100) + '\r\n'), hold()], { limits: { ...defaultLimits, lineBytes: 10 } });
    await expect(long.conn.waitForData(inMs(5000))).resolves.toBe(true);
    expect(() => long.conn.readLineOr(inMs(5000), () => undefined, () => undefined)).toThrow(/line longer than/);
  });

  it('calls back with a timeout at the deadline, with the partial line, and with `aborted` on interrupt', async () => {
    const { conn } = await scripted([send('250 partial'), hold()]);
    const timedOut = await failure(readLineOr(conn, inMs(200)).later);
    expect(timedOut.kind).toBe('timeout');
    expect(text(timedOut.partial ?? Buffer.alloc(0))).toBe('250 partial');
    const controller = new AbortController();
    const other = await scripted([hold()], { signal: controller.signal });
    const pending = readLineOr(other.conn, inMs(60_000));
    controller.abort();
    expect((await failure(pending.later)).kind).toBe('aborted');
    expect(() => other.conn.readLineOr(inMs(60_000), () => undefined, () => undefined)).toThrow(/interrupted/);
  });
});

describe('waitForData / waitForClose / close', () => {
  it('waitForData: false on silence, true on data, `closed` on EOF', async () => {
    const { conn } = await scripted([expectBytes('go\r\n'), send('x'), expectBytes('end\r\n'), close()]);
    expect(await conn.waitForData(inMs(200))).toBe(false);
    await conn.write(Buffer.from('go\r\n'), inMs(5000));
    expect(await conn.waitForData(inMs(5000))).toBe(true);
    expect(text(await conn.readBytes(1, inMs(5000)))).toBe('x');
    await conn.write(Buffer.from('end\r\n'), inMs(5000));
    await expect(conn.waitForData(inMs(5000))).rejects.toMatchObject({ kind: 'closed' });
  });

  it('waitForClose resolves on EOF and times out with what came instead', async () => {
    const closing = await scripted([close()]);
    await closing.conn.waitForClose(inMs(5000));
    const chatty = await scripted([send('still here'), hold()]);
    const error = await failure(chatty.conn.waitForClose(inMs(300)));
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe('the server sent data instead of closing the connection');
    expect(text(error.partial ?? Buffer.alloc(0))).toBe('still here');
  });

  it('close() is idempotent, fails later reads, and the server sees the close', async () => {
    const { peer, conn } = await scripted([waitClose()]);
    const pending = conn.readLine(inMs(60_000));
    conn.close();
    conn.close();
    expect((await failure(pending)).kind).toBe('closed');
    expect((await failure(conn.readLine(inMs(5000)))).kind).toBe('closed');
    expect((await failure(conn.write(Buffer.from('x'), inMs(5000)))).kind).toBe('closed');
    expect(await (await peer.session()).done).toEqual({ completed: true });
  });

  it('writes exact bytes, a pipelined batch in one write', async () => {
    const batch = 'MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n';
    const { peer, conn } = await scripted([expectBytes(batch), expectBytes(Buffer.from([0, 0xff, 0x0a])), close()]);
    await conn.write(Buffer.from(batch), inMs(5000));
    await conn.write(Buffer.from([0, 0xff, 0x0a]), inMs(5000));
    const session = await peer.session();
    expect(await session.done).toEqual({ completed: true });
    expect(session.received).toEqual(Buffer.concat([Buffer.from(batch), Buffer.from([0, 0xff, 0x0a])]));
  });
});
