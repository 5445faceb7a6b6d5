/** Connection-level faults: refused ports, servers that stop reading, writes after a close. */
import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openConnection } from '../../src/transport/index.js';
import type { SocketConnection } from '../../src/transport/index.js';
import { close, hold, startPeer, stopReading } from '../helpers/peer.js';
import type { Peer } from '../helpers/peer.js';
import { connectTo, failure, defaultLimits, inMs, realClock } from '../helpers/transport.js';

const peers: Peer[] = [];
const connections: SocketConnection[] = [];
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  await Promise.all(peers.splice(0).map((peer) => peer.stop()));
});

/** A port on 127.0.0.1 that nothing listens on: bound, noted, closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('connect', () => {
  it('a refused port is `refused`, naming where', async () => {
    const port = await closedPort();
    const error = await failure(
      openConnection({ host: '127.0.0.1', port, limits: defaultLimits, clock: realClock, deadline: inMs(5000) }),
    );
    expect(error.kind).toBe('refused');
    expect(error.message).toBe(`connection refused by 127.0.0.1:${port}`);
  });

  it('a refused port with implicit TLS is still `refused`, never `tls`', async () => {
    const port = await closedPort();
    const error = await failure(
      openConnection({
        host: '127.0.0.1',
        port,
        limits: defaultLimits,
        clock: realClock,
        deadline: inMs(5000),
        tls: { verify: true },
      }),
    );
    expect(error.kind).toBe('refused');
  });

  it('an already aborted run does not connect', async () => {
    const peer = await startPeer([hold()]);
    peers.push(peer);
    const controller = new AbortController();
    controller.abort();
    const error = await failure(connectTo(peer, { signal: controller.signal }));
    expect(error.kind).toBe('aborted');
  });
});

describe('write', () => {
  it('fails at its deadline when the server stops reading', async () => {
    const peer = await startPeer([stopReading(), hold()]);
    peers.push(peer);
    const conn = await connectTo(peer);
    connections.push(conn);
    // 64 MiB: far more than the loopback socket buffers on both sides can take.
    const big = Buffer.alloc(64 * 1024 * 1024, 0x41);
    const error = await failure(conn.write(big, inMs(500)));
    expect(error.kind).toBe('timeout');
    // The wait is measured from when the write began, a hair after the deadline was set.
    expect(error.message).toMatch(/^the server stopped reading: could not send within (4[5-9]\d|500)ms$/);
    // Still usable for reading and closing afterwards.
    expect(await conn.waitForData(inMs(50))).toBe(false);
  });

  it('fails with `closed` once the server has closed the connection', async () => {
    const peer = await startPeer([close()]);
    peers.push(peer);
    const conn = await connectTo(peer);
    connections.push(conn);
    await conn.waitForClose(inMs(5000));
    const error = await failure(conn.write(Buffer.from('QUIT\r\n'), inMs(5000)));
    expect(['closed', 'reset']).toContain(error.kind);
  });
});
