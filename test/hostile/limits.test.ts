/**
 * Limits at the edge of what Node can hold: a spec asking for more than one string can hold
 * fails its connection with a message saying what to set, never with an internal error.
 */
import { describe, expect, it } from 'vitest';
import { endlessLinePeer } from './peers.js';
import { expectFailure, hostileSetup, jsonTest, keyAt, runWithReports } from './harness.js';

const { ws: workspaceOf, good: goodOf, start } = hostileSetup();

describe('limits.line: 1GiB against an endless line', () => {
  it('fails at the connection with what to set instead', async () => {
    const peer = await start(endlessLinePeer());
    const text = `name: huge limits
timeout: 2s
tests:
  - name: hostile
    connect: { host: 127.0.0.1, port: ${peer.port}, protocol: smtp, limits: { line: 1GiB } } #here
    steps:
      - s: 220
  - name: good
    connect: { host: 127.0.0.1, port: ${goodOf().port}, protocol: smtp }
    steps:
      - s: 220
`;
    const file = await workspaceOf().write('huge.yaml', text);
    const reports = await runWithReports(workspaceOf(), file);
    const { line } = keyAt('huge.yaml', text, '#here', 'connect');
    expectFailure(reports, { file: 'huge.yaml', line }, /limits\.line of 1 GiB is more than Node can hold as one string \(\d+ bytes\): set it to 511MiB or less/);
    expect(jsonTest(reports, 'hostile').failure?.message).not.toMatch(/internal error/);
  });
});
