/**
 * `as` on the file's or a test's own `connect` (spec-format §2): it names the test's own
 * connection for `use`, end to end against scripted peers.
 */
import { describe, expect, it } from 'vitest';
import { close, expectBytes, send, waitClose } from '../helpers/peer.js';
import { expectPassed, expectReceived, runSpec, setup } from '../engine/harness.js';
import { load } from './helpers.js';

const { ws, peer } = setup();
const one = (text: string) => load(['f.yaml'], { readFile: () => text, fs: { kind: () => 'file', list: () => [] } });

describe('connect.as on a test', () => {
  it('names the test\'s own connection, which `use` switches back to', async () => {
    const imap = await peer([send('* OK imap\r\n'), expectBytes('a1 NOOP\r\n'), send('a1 OK done\r\n'), close()]);
    const smtp = await peer([send('220 smtp\r\n'), expectBytes('QUIT\r\n'), send('221 bye\r\n'), close()]);
    const run = await runSpec(
      ws(),
      'as.yaml',
      `name: as
timeout: 3s
tests:
  - name: named
    connect: { port: ${imap.port}, protocol: imap, as: c1 }
    steps:
      - s: { status: OK }
      - connect: { port: ${smtp.port}, protocol: smtp, as: c2 }
      - s: 220
      - use: c1
      - c: a1 NOOP
      - s: { status: OK, text: done }
      - use: c2
      - c: QUIT
      - s: 221
`,
    );
    expectPassed(run);
    await expectReceived(imap, 'a1 NOOP\r\n');
    await expectReceived(smtp, 'QUIT\r\n');
    expect(run.test('named').transcript).toContainEqual(expect.objectContaining({ dir: 'c', text: 'a1 NOOP', connection: 'c1' }));
  });

  it('on the file\'s connect, names every test\'s own connection', async () => {
    const main = await peer([send('220 a\r\n'), waitClose()]);
    const r = await one(`name: f\nconnect: { port: ${main.port}, protocol: smtp, as: mx }\nsteps: [{ s: 220 }, { use: mx }]\n`);
    expect(r.diagnostics).toEqual([]);
    expect(r.suites[0]?.tests[0]?.connect?.as).toBe('mx');
  });

  it('replaces the name `main`: `use: main` is then an unknown connection', async () => {
    const r = await one('name: f\nconnect: { port: 25, as: mx }\nsteps: [{ s: 220 }, { use: main }]\n');
    expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([expect.stringMatching(/^unknown-connection .*`main`/)]);
  });
});
