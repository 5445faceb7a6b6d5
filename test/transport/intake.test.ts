/** SocketIntake: a socket's bytes through Node's `onread` (one scratch buffer), over real sockets. */
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SocketIntake } from '../../src/transport/intake.js';

const servers: net.Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A server that runs `serve` on its one connection; a client socket reading through `intake`. */
async function pair(serve: (socket: Socket) => void, intake: SocketIntake): Promise<Socket> {
  const server = net.createServer((socket) => {
    sockets.push(socket);
    serve(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = net.connect({ host: '127.0.0.1', port, onread: intake.onread });
  sockets.push(client);
  await new Promise((resolve) => client.once('connect', resolve));
  return client;
}

const ended = (socket: Socket): Promise<void> => new Promise((resolve) => socket.once('end', () => resolve()));

describe('SocketIntake', () => {
  it('hands each read over as a copy of its own, bytes exact, and the socket still ends', async () => {
    const intake = new SocketIntake();
    const bytes = Buffer.from([0x32, 0x35, 0x30, 0x00, 0xff, 0x0d, 0x0a]);
    const client = await pair((socket) => socket.end(bytes), intake);
    const chunks: Buffer[] = [];
    const end = ended(client);
    intake.connect((chunk) => chunks.push(chunk));
    await end;
    expect(Buffer.concat(chunks)).toEqual(bytes);
    // Copies: a later read into the shared scratch buffer does not change what was handed over.
    const other = new SocketIntake();
    const second = await pair((socket) => socket.end('x'.repeat(bytes.length)), other);
    const otherEnd = ended(second);
    other.connect(() => undefined);
    await otherEnd;
    expect(Buffer.concat(chunks)).toEqual(bytes);
  });

  it('keeps what came before a reader connected, and drops what comes after it let go', async () => {
    const intake = new SocketIntake();
    let server: Socket | undefined;
    const client = await pair((socket) => {
      server = socket;
      socket.write('early\r\n');
    }, intake);
    // Let the early bytes arrive before anyone reads.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const chunks: string[] = [];
    intake.connect((chunk) => chunks.push(chunk.toString('latin1')));
    expect(chunks.join('')).toBe('early\r\n');
    intake.disconnect();
    const end = ended(client);
    server?.end('in the clear, after the reader let go\r\n');
    await end;
    expect(chunks.join('')).toBe('early\r\n');
  });
});
