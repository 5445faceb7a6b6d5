/**
 * One busy connection must not starve the others of a run: a reader of a flood lets the event
 * loop run every so many lines, and a deadline that passed while the loop was stalled is
 * judged after the sockets are read, so a reply that came in time is not a timeout.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { SocketConnection } from '../../src/transport/index.js';
import { connectTo, inMs } from '../helpers/transport.js';

const servers: net.Server[] = [];
const sockets: net.Socket[] = [];
const connections: SocketConnection[] = [];
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A server whose accepted socket the test drives by hand, and a connection to it. */
async function pair(): Promise<{ server: net.Socket; conn: SocketConnection }> {
  const listener = net.createServer();
  servers.push(listener);
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const accepted = once(listener, 'connection') as Promise<[net.Socket]>;
  const conn = await connectTo({ host: '127.0.0.1', port: (listener.address() as AddressInfo).port });
  connections.push(conn);
  const [server] = await accepted;
  server.setNoDelay(true);
  sockets.push(server);
  return { server, conn };
}

/** Blocks this thread (timers, sockets, everything) for `ms`. */
function stall(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('a deadline that passed while the event loop was stalled', () => {
  it('a line that was already there when the deadline came is read, not a timeout', async () => {
    const { server, conn } = await pair();
    const read = conn.readLine(inMs(50));
    // The reply goes to the kernel now; then the loop stalls past the deadline before it can
    // read it. When the loop runs again, the deadline's timer is due before the socket is read.
    server.write('250 in time\r\n');
    stall(300);
    expect((await read).toString()).toBe('250 in time');
  });

  it('with nothing there, the wait still ends at its deadline', async () => {
    const { conn } = await pair();
    const read = conn.readLine(inMs(50));
    stall(300);
    await expect(read).rejects.toMatchObject({ kind: 'timeout' });
  });
});

describe('a reader of many buffered lines', () => {
  it('lets the event loop run before it has handed them all out', async () => {
    const { server, conn } = await pair();
    const count = 5000;
    const reply = '250-x\r\n'.repeat(count - 1) + '250 end\r\n';
    server.write(reply);
    // Everything buffered: the reads below find their lines without waiting for the socket.
    for (let turn = 0; turn < 1000 && conn.buffered < reply.length; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(conn.buffered).toBe(reply.length);
    let immediateRan = false;
    setImmediate(() => (immediateRan = true));
    let atOnce = 0;
    let later = 0;
    let sawLoopRun = false;
    await new Promise<void>((resolve, reject) => {
      const next = (): void => {
        for (let i = atOnce + later; i < count; i++) {
          const line = conn.readLineOr!(inMs(5000), onLine, reject);
          if (line === undefined) return;
          atOnce++;
        }
        resolve();
      };
      const onLine = (): void => {
        later++;
        sawLoopRun ||= immediateRan;
        if (atOnce + later === count) resolve();
        else next();
      };
      next();
    });
    expect(atOnce + later).toBe(count);
    expect(atOnce).toBeLessThan(count);
    expect(sawLoopRun).toBe(true);
  });
});
