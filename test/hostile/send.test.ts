/**
 * A server that stops reading while convospec sends (spec §3: sending steps wait until the
 * bytes are handed to the socket, bounded by the step's timeout). A 16 MiB `data:` body is
 * more than the loopback kernel buffers hold once the peer stops reading.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace, type Workspace } from '../helpers/cli.js';
import { goodPeer, stopReadingPeer, type Peer } from './peers.js';
import { expectFailure, keyAt, runWithReports } from './harness.js';

const HANG_GUARD_MS = 15_000;
const BODY_BYTES = 16 * 1024 * 1024;

let ws: Workspace;
let good: Peer;
let hostile: Peer;

beforeAll(async () => {
  ws = await workspace();
  good = await goodPeer();
  hostile = await stopReadingPeer();
  // Lines of 998 characters (RFC 5322 §2.1.1's most) until the body is 16 MiB.
  const line = `${'x'.repeat(998)}\n`;
  await ws.write('body.txt', line.repeat(Math.ceil(BODY_BYTES / line.length)));
});

afterAll(async () => {
  await Promise.all([good.close(), hostile.close()]);
  await ws.dispose();
});

describe('a server that stops reading', () => {
  it('a large data: body fails the data step at its timeout, "the server stopped reading"', async () => {
    const text = `name: stop reading
timeout: 1s
tests:
  - name: hostile
    connect: { host: 127.0.0.1, port: ${hostile.port}, protocol: smtp }
    steps:
      - s: 220
      - c: EHLO client.test
      - s: 250
      - c: MAIL FROM:<a@convospec.test>
      - s: 250
      - c: RCPT TO:<b@convospec.test>
      - s: 250
      - c: DATA
      - s: 354
      - data: { file: body.txt } #fails
      - s: 250
  - name: good
    connect: { host: 127.0.0.1, port: ${good.port}, protocol: smtp }
    steps:
      - s: 220
      - c: EHLO client.test
      - s: { code: 250, contains: [PIPELINING] }
      - c: QUIT
      - s: 221
`;
    const file = await ws.write('stop-reading.yaml', text);
    const reports = await runWithReports(ws, file);
    expectFailure(reports, keyAt('stop-reading.yaml', text, '#fails'), /the server stopped reading: could not send within 1s/);
    expect(reports.elapsedMs).toBeLessThan(HANG_GUARD_MS);
    // The peer reads again after 3s and must then see our close.
    await hostile.waitAllClosed(1, 20_000);
  });
});
