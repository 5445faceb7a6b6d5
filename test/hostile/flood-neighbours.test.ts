/**
 * A server that pumps short lines as fast as it can: the test reading them fails at its
 * limit or deadline, and the tests beside it, on the same process, are still served (no
 * false "no reply within 1s" while the flood is read).
 */
import { describe, expect, it } from 'vitest';
import { ENDLESS_MAX_BYTES, listen, smtpScript } from './peers.js';
import { hostileSetup, jsonTest, runWithReports } from './harness.js';

const { ws: workspaceOf, good: goodOf, start } = hostileSetup();

/** Answers EHLO with a multi-line reply of short lines that never ends (or 256 MiB). */
const shortLinesPeer = () => {
  const chunk = Buffer.from('250-a\r\n'.repeat(8192), 'latin1');
  return listen(smtpScript({ EHLO: (conn) => conn.pump(() => chunk, ENDLESS_MAX_BYTES) }));
};

const GOOD_TESTS = 12;
const ROUNDS = 30;

describe('a flood of short lines', () => {
  it('fails its own test; the tests beside it pass', async () => {
    const flood = await start(shortLinesPeer());
    const floods = [1, 2, 3]
      .map(
        (n) => `  - name: flood ${n}
    connect: { host: 127.0.0.1, port: ${flood.port}, protocol: smtp }
    steps:
      - s: 220
      - c: EHLO client.test
      - s: { code: 250, timeout: 5s }
`,
      )
      .join('');
    const goods = Array.from(
      { length: GOOD_TESTS },
      (_, n) => `  - name: good ${n}
    connect: { host: 127.0.0.1, port: ${goodOf().port}, protocol: smtp }
    steps:
      - s: 220
      - repeat:
          times: ${ROUNDS}
          steps:
            - c: NOOP
            - s: 250
      - c: QUIT
      - s: 221
`,
    ).join('');
    const file = await workspaceOf().write('flood.yaml', `name: flood\ntimeout: 1s\ntests:\n${floods}${goods}`);
    const reports = await runWithReports(workspaceOf(), file, ['--concurrency', '16']);
    for (const n of [1, 2, 3]) {
      expect(jsonTest(reports, `flood ${n}`).failure?.message).toMatch(/reply longer than 16 MiB|no reply within 5s/);
    }
    for (let n = 0; n < GOOD_TESTS; n++) expect(jsonTest(reports, `good ${n}`).status, reports.console).toBe('passed');
  });
});
