/**
 * Limits Node cannot hold are refused before connecting, and what a failed read keeps to show
 * is bounded whatever the limits: an endless line under `limits.line: 1GiB` once ended in an
 * internal error (the whole line made into one string for the message).
 */
import { constants } from 'node:buffer';
import { afterEach, describe, expect, it } from 'vitest';
import type { SocketConnection } from '../../src/transport/index.js';
import { hold, send, sendEndless, startPeer } from '../helpers/peer.js';
import type { Peer } from '../helpers/peer.js';
import { connectTo, failure, inMs } from '../helpers/transport.js';

const peers: Peer[] = [];
const connections: SocketConnection[] = [];
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  await Promise.all(peers.splice(0).map((peer) => peer.stop()));
});

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

describe('limits Node cannot hold', () => {
  it('limits.line: 1GiB is refused at connect, saying what to set instead', async () => {
    const peer = await startPeer([send('220 hi\r\n'), hold()]);
    peers.push(peer);
    const error = await failure(connectTo(peer, { limits: { lineBytes: GIB, replyBytes: GIB } }));
    expect(error.kind).toBe('limit');
    expect(error.message).toBe(`limits.line of 1 GiB is more than Node can hold as one string (${constants.MAX_STRING_LENGTH} bytes): set it to 511MiB or less`);
  });

  it('limits.reply past the longest string is refused too; 511MiB is accepted', async () => {
    const peer = await startPeer([send('220 hi\r\n'), hold()]);
    peers.push(peer);
    const error = await failure(connectTo(peer, { limits: { lineBytes: 64 * 1024, replyBytes: 512 * MIB } }));
    expect(error.message).toMatch(/^limits\.reply of 512 MiB is more than Node can hold/);
    const conn = await connectTo(peer, { limits: { lineBytes: 511 * MIB, replyBytes: 511 * MIB } });
    connections.push(conn);
    expect((await conn.readLine(inMs(5000))).toString()).toBe('220 hi');
  });
});

describe('what a failed read keeps', () => {
  it('an endless line past a large limit: the error keeps only the last 16 KiB', async () => {
    const peer = await startPeer([sendEndless('a'.repeat(64 * 1024), 8 * MIB), hold()]);
    peers.push(peer);
    const conn = await connectTo(peer, { limits: { lineBytes: 2 * MIB, replyBytes: 16 * MIB } });
    connections.push(conn);
    const error = await failure(conn.readLine(inMs(20_000)));
    expect(error.message).toBe('line longer than 2 MiB');
    expect(error.partial?.length).toBe(16 * 1024);
  });

  it('a timeout in the middle of a long line keeps the last 16 KiB of it', async () => {
    const line = Buffer.concat([Buffer.alloc(100 * 1024, 'x'), Buffer.from('the end')]);
    const peer = await startPeer([send(line), hold()]);
    peers.push(peer);
    const conn = await connectTo(peer, { limits: { lineBytes: MIB, replyBytes: 16 * MIB } });
    connections.push(conn);
    // Whatever came is buffered before the deadline passes: it all went out in one write.
    expect(await conn.waitForData(inMs(5000))).toBe(true);
    const error = await failure(conn.readLine(inMs(300)));
    expect(error.kind).toBe('timeout');
    expect(error.partial?.length).toBe(16 * 1024);
    expect(error.partial?.subarray(-7).toString()).toBe('the end');
  });
});
