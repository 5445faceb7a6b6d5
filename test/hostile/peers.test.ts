/**
 * The hostile kit itself, checked with raw Node sockets: each peer misbehaves exactly as it
 * claims, so a passing convospec test against it means something.
 */
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCert, createPki, type Pki } from '../../src/pki/index.js';
import {
  closingPeer,
  dripPeer,
  endlessLinePeer,
  endlessReplyPeer,
  GARBAGE,
  garbagePeer,
  goodPeer,
  injectingStartTlsPeer,
  resetPeer,
  silentPeer,
  stalledStartTlsPeer,
  stalledTlsPeer,
  stopReadingPeer,
  tlsPeer,
  type Peer,
} from './peers.js';

let pki: Pki;
const peers: Peer[] = [];
const clients: net.Socket[] = [];

beforeAll(async () => {
  pki = await createPki();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

async function use(peer: Promise<Peer>): Promise<Peer> {
  const p = await peer;
  peers.push(p);
  return p;
}

async function connect(peer: Peer): Promise<{ socket: net.Socket; data: () => Buffer; until: (test: (b: Buffer) => boolean, ms?: number) => Promise<Buffer> }> {
  const socket = net.connect(peer.port, '127.0.0.1');
  clients.push(socket);
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return reader(socket);
}

function reader(socket: net.Socket): { socket: net.Socket; data: () => Buffer; until: (test: (b: Buffer) => boolean, ms?: number) => Promise<Buffer> } {
  let chunks: Buffer[] = [];
  let size = 0;
  const onData = (c: Buffer): void => {
    // Keep at most 2 MiB: the endless peers must not make this test the memory hog.
    if (size < 2 * 1024 * 1024) chunks.push(c);
    size += c.length;
  };
  socket.on('data', onData);
  const data = (): Buffer => {
    chunks = [Buffer.concat(chunks)];
    return chunks[0]!;
  };
  const until = async (test: (b: Buffer) => boolean, ms = 5000): Promise<Buffer> => {
    // Bounded: polls every 10ms for at most `ms`.
    for (let waited = 0; waited <= ms; waited += 10) {
      if (test(data())) return data();
      await delay(10);
    }
    throw new Error(`not seen within ${ms}ms; got ${JSON.stringify(data().subarray(0, 200).toString('latin1'))}`);
  };
  return { socket, data, until };
}

const has = (text: string) => (b: Buffer) => b.toString('latin1').includes(text);

describe('hostile peers (checked with raw sockets)', () => {
  it('good: greets and answers EHLO and QUIT, then closes', async () => {
    const peer = await use(goodPeer());
    const c = await connect(peer);
    await c.until(has('220 '));
    c.socket.write('EHLO x\r\nQUIT\r\n');
    await c.until(has('221 '));
    await peer.waitAllClosed();
    expect(peer.received()).toBe('EHLO x\r\nQUIT\r\n');
  });

  it('silent: never sends a byte; sees the client close', async () => {
    const peer = await use(silentPeer());
    const c = await connect(peer);
    await delay(300);
    expect(c.data().length).toBe(0);
    c.socket.destroy();
    await peer.waitAllClosed();
  });

  it('drip: one byte at a time, so the greeting is unfinished long after it began', async () => {
    const peer = await use(dripPeer('220 slow\r\n', 200));
    const c = await connect(peer);
    await c.until((b) => b.length >= 1);
    await delay(500);
    expect(c.data().length).toBeLessThan(10);
    expect('220 slow\r\n'.startsWith(c.data().toString('latin1'))).toBe(true);
  });

  it('endless line: megabytes without a line end, stopping when the client leaves', async () => {
    const peer = await use(endlessLinePeer());
    const c = await connect(peer);
    const got = await c.until((b) => b.length >= 1024 * 1024);
    expect(got.includes(0x0a)).toBe(false);
    c.socket.destroy();
    await peer.waitAllClosed();
  });

  it('endless reply: 250- lines and never a last line', async () => {
    const peer = await use(endlessReplyPeer());
    const c = await connect(peer);
    const got = await c.until((b) => b.length >= 256 * 1024);
    expect(got.toString('latin1')).not.toMatch(/^250 /m);
    expect(got.toString('latin1')).toMatch(/^250-/);
    c.socket.destroy();
    await peer.waitAllClosed();
  });

  it('reset: part of the EHLO reply, then ECONNRESET', async () => {
    const peer = await use(resetPeer());
    const c = await connect(peer);
    await c.until(has('220 '));
    const failed = new Promise<NodeJS.ErrnoException>((resolve) => c.socket.once('error', resolve));
    c.socket.write('EHLO x\r\n');
    expect((await failed).code).toBe('ECONNRESET');
    expect(c.data().toString('latin1')).toContain('250-PIPEL');
  });

  it('garbage: NUL, invalid UTF-8 and C1 bytes exactly as declared', async () => {
    const peer = await use(garbagePeer());
    const c = await connect(peer);
    await c.until(has('220 '));
    c.socket.write('EHLO x\r\n');
    const got = await c.until((b) => b.includes(GARBAGE));
    expect(got.includes(Buffer.from([0x00]))).toBe(true);
    expect(got.includes(Buffer.from([0xff]))).toBe(true);
  });

  it('closing: EOF before any byte', async () => {
    const peer = await use(closingPeer());
    const c = await connect(peer);
    await once(c.socket, 'end');
    expect(c.data().length).toBe(0);
  });

  it('STARTTLS injection: 220 and 250 INJECTED in one chunk, then a real TLS session', async () => {
    const peer = await use(injectingStartTlsPeer(pki.server));
    const c = await connect(peer);
    await c.until(has('220 '));
    c.socket.write('EHLO x\r\n');
    await c.until(has('250 STARTTLS'));
    const chunk = new Promise<Buffer>((resolve) => c.socket.once('data', resolve));
    c.socket.write('STARTTLS\r\n');
    expect((await chunk).toString('latin1')).toBe('220 go\r\n250 INJECTED\r\n');
    c.socket.removeAllListeners('data');
    const secure = tls.connect({ socket: c.socket, ca: pki.ca.cert, servername: 'mail.convospec.test' });
    secure.on('error', () => undefined);
    clients.push(secure);
    await once(secure, 'secureConnect');
    const s = reader(secure);
    secure.write('EHLO x\r\n');
    await s.until(has('250 AUTH PLAIN'));
    expect(s.data().toString('latin1')).toBe('250-AFTER TLS peer.convospec.test\r\n250 AUTH PLAIN\r\n');
  });

  it('stop reading: after DATA a 16 MiB body never finishes writing', async () => {
    const peer = await use(stopReadingPeer());
    const c = await connect(peer);
    await c.until(has('220 '));
    c.socket.write('DATA\r\n');
    await c.until(has('354 '));
    let flushed = false;
    c.socket.write(Buffer.alloc(16 * 1024 * 1024, 'x'), () => {
      flushed = true;
    });
    await delay(1000);
    expect(flushed).toBe(false);
    expect(c.socket.writableLength).toBeGreaterThan(0);
  });

  it('stalled STARTTLS: 220, then the ClientHello goes unanswered', async () => {
    const peer = await use(stalledStartTlsPeer());
    const c = await connect(peer);
    await c.until(has('220 '));
    c.socket.write('STARTTLS\r\n');
    await c.until(has('220 go ahead'));
    c.socket.removeAllListeners('data');
    const secure = tls.connect({ socket: c.socket, ca: pki.ca.cert, servername: 'mail.convospec.test' });
    secure.on('error', () => undefined);
    clients.push(secure);
    let done = false;
    secure.once('secureConnect', () => (done = true));
    await delay(500);
    expect(done).toBe(false);
  });

  it('stalled implicit TLS: TCP accepted, no ServerHello', async () => {
    const peer = await use(stalledTlsPeer());
    const secure = tls.connect({ host: '127.0.0.1', port: peer.port, ca: pki.ca.cert, servername: 'mail.convospec.test' });
    secure.on('error', () => undefined);
    clients.push(secure);
    let done = false;
    secure.once('secureConnect', () => (done = true));
    await delay(500);
    expect(done).toBe(false);
    expect(peer.accepted).toBe(1);
  });

  it.each([
    ['expired', 'CERT_HAS_EXPIRED'],
    ['wrongName', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['selfSigned', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  ] as const)('TLS peer with a %s certificate fails verification with %s', async (kind, code) => {
    const peer = await use(tlsPeer(await createCert(kind, { ca: pki.ca })));
    const secure = tls.connect({ host: '127.0.0.1', port: peer.port, ca: pki.ca.cert, servername: 'mail.convospec.test' });
    clients.push(secure);
    const [error] = (await once(secure, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe(code);
    await peer.waitAllClosed();
  });
});
