/**
 * What an `include` leaves behind, and where its relative paths point: parameters restored,
 * captures kept (the loader's variable checks assume so), a `data: {file}` written in a
 * fragment read from the fragment's folder.
 */
import { describe, it } from 'vitest';
import { expectBytes, send, waitClose } from '../helpers/peer.js';
import { expectPassed, expectReceived, runSpec, setup } from './harness.js';

const { ws, peer } = setup();

describe('include scope', () => {
  it("keeps the fragment's captures, restores its parameters, and reads its data files from its own folder", async () => {
    await ws().write(
      'lib/submit.yaml',
      `fragment: send the body kept beside this fragment, capture the queue id
vars: { domain: lib.test }
steps:
  - c: MAIL FROM:<x@\${domain}>
  - s: 250
  - c: DATA
  - s: 354
  - data: { file: body.txt }
  - s: { code: 250, capture: { queue: '/queued as (\\w+)/' } }
`,
    );
    await ws().write('lib/body.txt', 'Subject: from lib\n.dot\n');
    const p = await peer([
      send('220 mx\r\n'),
      expectBytes('MAIL FROM:<x@given.test>\r\n'),
      send('250 ok\r\n'),
      expectBytes('DATA\r\n'),
      send('354 go\r\n'),
      expectBytes('Subject: from lib\r\n..dot\r\n.\r\n'),
      send('250 queued as ABC123\r\n'),
      expectBytes('NOOP ABC123 outer.test\r\n'),
      send('250 ok\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'include-scope.yaml',
      `name: include scope
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
vars: { domain: outer.test }
steps:
  - s: 220
  - include: lib/submit.yaml
    with: { domain: given.test }
  - c: NOOP \${queue} \${domain}
  - s: 250
`,
    );
    expectPassed(run);
    await expectReceived(p, 'MAIL FROM:<x@given.test>\r\nDATA\r\nSubject: from lib\r\n..dot\r\n.\r\nNOOP ABC123 outer.test\r\n');
  });
});
