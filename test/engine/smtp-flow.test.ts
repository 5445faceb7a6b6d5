/**
 * Matchers and flow steps end to end over SMTP: code patterns, `oneOf`, captures feeding
 * later lines, `silent`, `retry` (also across connections), `deadline`, `repeat`, `include`
 * with `with:`, and `serial` files (spec-format §1, §3, §5).
 */
import { describe, expect, it } from 'vitest';
import { close, expectBytes, hold, send, waitClose } from '../helpers/peer.js';
import { expectFailed, expectPassed, expectReceived, lineOf, positionOf, runSpec, setup } from './harness.js';

const { ws, peer, relay } = setup();

describe('matchers', () => {
  it('matches code patterns, code lists and oneOf, failing a pattern that does not hold', async () => {
    const p = await peer([
      send('220 mx\r\n'),
      expectBytes('RCPT TO:<a>\r\n'),
      send('251 2.1.5 forwarded\r\n'),
      expectBytes('RCPT TO:<b>\r\n'),
      send('452 4.5.3 too many\r\n'),
      expectBytes('RCPT TO:<c>\r\n'),
      send('553 5.1.3 bad address\r\n'),
      waitClose(),
    ]);
    const text = `name: codes
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
tests:
  - name: patterns
    steps:
      - s: 2xx
      - c: RCPT TO:<a>
      - s: { code: [250, 251] }
      - c: RCPT TO:<b>
      - s: { oneOf: [250, { code: 4xx, enhanced: 4.5.x }] }
      - c: RCPT TO:<c>
      - s: 54x #fails
`;
    const run = await runSpec(ws(), 'codes.yaml', text);
    const t = expectFailed(run, 'patterns', 'expected reply code 54x, got 553');
    expect(t.failure).toMatchObject(positionOf(text, '54x', '#fails'));
    await expectReceived(p, 'RCPT TO:<a>\r\nRCPT TO:<b>\r\nRCPT TO:<c>\r\n');
  });

  it('oneOf takes its captures from the first alternative that holds', async () => {
    const p = await peer([
      send('220 mx\r\n'),
      expectBytes('DATA\r\n'),
      send('354 go\r\n'),
      expectBytes('x\r\n.\r\n'),
      send('250 2.0.0 Ok: queued as 4Xy7Z\r\n'),
      expectBytes('VRFY 4Xy7Z\r\n'),
      send('252 ok\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'oneof.yaml',
      `name: oneOf
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
steps:
  - s: 220
  - c: DATA
  - s: 354
  - data: "x\\n"
  - s:
      oneOf:
        - { code: 250, capture: { id: '/id=(\\w+)/' } }
        - { code: 250, capture: { id: '/queued as (\\w+)/' } }
  - c: VRFY \${id}
  - s: 252
`,
    );
    expectPassed(run);
    await expectReceived(p, 'DATA\r\nx\r\n.\r\nVRFY 4Xy7Z\r\n');
  });

  it('feeds captures into later c: lines, pipelined lists and data bodies', async () => {
    const p = await peer([
      send('220 mx.example.org ESMTP ready\r\n'),
      expectBytes('EHLO mx.example.org\r\n'),
      send('250-mx.example.org greets 127.0.0.1\r\n250 SIZE 52428800\r\n'),
      expectBytes('MAIL FROM:<a> SIZE=52428800\r\nRCPT TO:<postmaster@mx.example.org>\r\n'),
      send('250 ok\r\n250 ok\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'captures.yaml',
      `name: captures
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
steps:
  - s: { code: 220, capture: { host: '/^220 (\\S+)/' } }
  - c: EHLO \${host}
  - s: { code: 250, capture: { size: '/SIZE (\\d+)/', peer: '/greets \\S+/' } }
  - c: ["MAIL FROM:<a> SIZE=\${size}", "RCPT TO:<postmaster@\${host}>"]
  - s: 250
  - s: { code: 250, excludes: ["\${peer}"] }
`,
    );
    expectPassed(run);
    await expectReceived(p, 'EHLO mx.example.org\r\nMAIL FROM:<a> SIZE=52428800\r\nRCPT TO:<postmaster@mx.example.org>\r\n');
  });

  it('fails a capture that does not match, at the capture', async () => {
    const p = await peer([send('220 mx\r\n'), waitClose()]);
    const text = `name: capture fails
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
tests:
  - name: no id
    steps:
      - s: { code: 220, capture: { id: '/queued as (\\w+)/' } } #fails
`;
    const run = await runSpec(ws(), 'capture-fails.yaml', text);
    const t = expectFailed(run, 'no id', 'expected /queued as (\\w+)/ in the reply, to capture id');
    expect(t.failure?.line).toBe(lineOf(text, '#fails'));
  });
});

describe('silent', () => {
  it('passes when the server says nothing for that long, and fails when it speaks', async () => {
    const p = await peer([send('220 mx\r\n'), expectBytes('NOOP\r\n'), send('250 ok\r\n'), expectBytes('NOOP\r\n'), send('250 ok\r\n250 unasked\r\n'), waitClose()]);
    const text = `name: silence
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
tests:
  - name: quiet then chatty
    steps:
      - s: 220
      - silent: 300ms
      - c: NOOP
      - s: 250
      - silent: 200ms
      - c: NOOP
      - s: 250 ok
      - silent: 2s #fails
`;
    const run = await runSpec(ws(), 'silent.yaml', text);
    const t = expectFailed(run, 'quiet then chatty', /^expected no data for 2s, but the server sent: "250 unasked"/);
    expect(t.failure?.line).toBe(lineOf(text, '#fails'));
    await expectReceived(p, 'NOOP\r\nNOOP\r\n');
  });
});

describe('retry', () => {
  it('retries steps on one connection until the server says yes', async () => {
    const p = await peer([
      send('220 mx\r\n'),
      expectBytes('VRFY bob\r\n'),
      send('450 4.2.0 try later\r\n'),
      expectBytes('VRFY bob\r\n'),
      send('450 4.2.0 try later\r\n'),
      expectBytes('VRFY bob\r\n'),
      send('250 bob@x\r\n'),
      expectBytes('QUIT\r\n'),
      send('221 bye\r\n'),
      close(),
    ]);
    const run = await runSpec(
      ws(),
      'retry.yaml',
      `name: retry
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
steps:
  - s: 220
  - retry:
      times: 5
      delay: 20ms
      steps:
        - c: VRFY bob
        - s: 250
  - c: QUIT
  - s: 221
`,
    );
    expectPassed(run);
    await expectReceived(p, 'VRFY bob\r\n'.repeat(3) + 'QUIT\r\n');
  });

  it("fails with the last try's failure when every try fails", async () => {
    const p = await peer([
      send('220 mx\r\n'),
      expectBytes('VRFY bob\r\n'),
      send('450 first\r\n'),
      expectBytes('VRFY bob\r\n'),
      send('451 second\r\n'),
      waitClose(),
    ]);
    const text = `name: retry fails
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
tests:
  - name: never
    steps:
      - s: 220
      - retry:
          times: 2
          delay: 10ms
          steps:
            - c: VRFY bob
            - s: 250 #fails
`;
    const run = await runSpec(ws(), 'retry-fails.yaml', text);
    const t = expectFailed(run, 'never', 'expected reply code 250, got 451');
    expect(t.failure).toMatchObject(positionOf(text, '250', '#fails'));
    await expectReceived(p, 'VRFY bob\r\nVRFY bob\r\n');
  });

  it('reconnects inside retry: the first connection is turned away, the second served', async () => {
    const busy = await peer([send('421 4.3.2 busy, try later\r\n'), close()]);
    const ready = await peer([send('220 mx ready\r\n'), expectBytes('NOOP\r\n'), send('250 ok\r\n'), waitClose()]);
    const front = await relay([busy, ready]);
    const run = await runSpec(
      ws(),
      'retry-connect.yaml',
      `name: reconnect
timeout: 3s
tests:
  - name: poll until the server takes us
    steps:
      - retry:
          times: 3
          delay: 20ms
          steps:
            - connect: { port: ${front.port}, protocol: smtp, as: mx }
            - s: 220
      - c: NOOP
      - s: 250
`,
    );
    expectPassed(run);
    expect(run.test('poll until the server takes us').transcript.map((e) => e.text)).toEqual(
      expect.arrayContaining(['421 4.3.2 busy, try later', '220 mx ready']),
    );
    await expectReceived(busy, '');
    await expectReceived(ready, 'NOOP\r\n');
  });
});

describe('deadline', () => {
  it("a test's deadline cuts a long reply timeout short, and the other test is unaffected", async () => {
    const p = await peer([send('220 mx\r\n'), expectBytes('NOOP\r\n'), hold()]);
    const text = `name: deadline
connect: { port: ${p.port}, protocol: smtp }
timeout: 20s
tests:
  - name: stuck
    deadline: 400ms
    steps:
      - s: 220
      - c: NOOP
      - s: 250 #fails
  - name: fine
    steps:
      - s: 220
`;
    const run = await runSpec(ws(), 'deadline.yaml', text);
    // Either the step's own wait or the test's timer may notice first: both name the deadline.
    const t = expectFailed(run, 'stuck', /^the test's deadline of 400ms was reached/);
    expect(t.failure?.kind).toBe('deadline');
    // The column is the step's (`s:`) when the test's timer wins the race, the matcher's when
    // the read's own deadline does (reported: the two should agree).
    expect(t.failure?.line).toBe(lineOf(text, '#fails'));
    expect([positionOf(text, 's:', '#fails').col, positionOf(text, '250', '#fails').col]).toContain(t.failure?.col);
    expect(run.test('fine').status).toBe('passed');
  });
});

describe('repeat', () => {
  it('runs its steps n times with the 0-based counter in c: lines', async () => {
    const p = await peer([
      send('220 mx\r\n'),
      ...[0, 1, 2].flatMap((i) => [expectBytes(`RCPT TO:<user${i}@x>\r\n`), send(`250 2.1.5 user${i} ok\r\n`)]),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'repeat.yaml',
      `name: repeat
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
steps:
  - s: 220
  - repeat:
      times: 3
      as: i
      steps:
        - c: RCPT TO:<user\${i}@x>
        - s: { code: 250, match: '/user\${i} ok/' }
`,
    );
    expectPassed(run);
    await expectReceived(p, 'RCPT TO:<user0@x>\r\nRCPT TO:<user1@x>\r\nRCPT TO:<user2@x>\r\n');
  });
});

describe('include', () => {
  const fragment = `fragment: say hello and send one recipient
vars: { domain: default.test }
steps:
  - c: EHLO client.\${domain}
  - s: 250
  - c: RCPT TO:<\${rcpt}@\${domain}>
  - s: { code: 250, text: accepted } #fragment-fails
`;

  it('runs a fragment with `with:` on top of the test vars, and its defaults', async () => {
    await ws().write('fragments/hello.yaml', fragment);
    const p = await peer([
      send('220 mx\r\n'),
      expectBytes('EHLO client.default.test\r\n'),
      send('250 hi\r\n'),
      expectBytes('RCPT TO:<alice@default.test>\r\n'),
      send('250 accepted\r\n'),
      expectBytes('EHLO client.other.test\r\n'),
      send('250 hi\r\n'),
      expectBytes('RCPT TO:<bob@other.test>\r\n'),
      send('250 accepted\r\n'),
      expectBytes('NOOP alice\r\n'),
      send('250 ok\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'include.yaml',
      `name: include
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
vars: { rcpt: alice }
steps:
  - s: 220
  - include: fragments/hello.yaml
  - include: fragments/hello.yaml
    with: { rcpt: bob, domain: other.test }
  - c: NOOP \${rcpt}
  - s: 250
`,
    );
    expectPassed(run);
    await expectReceived(
      p,
      'EHLO client.default.test\r\nRCPT TO:<alice@default.test>\r\nEHLO client.other.test\r\nRCPT TO:<bob@other.test>\r\nNOOP alice\r\n',
    );
  });

  it("names the fragment's line and the including line when a step inside the fragment fails", async () => {
    await ws().write('fragments/hello.yaml', fragment);
    const p = await peer([
      send('220 mx\r\n'),
      expectBytes('EHLO client.x.test\r\n'),
      send('250 hi\r\n'),
      expectBytes('RCPT TO:<carol@x.test>\r\n'),
      send('550 5.1.1 unknown\r\n'),
      waitClose(),
    ]);
    const text = `name: include fails
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
tests:
  - name: unknown user
    steps:
      - s: 220
      - include: fragments/hello.yaml #includes
        with: { rcpt: carol, domain: x.test }
`;
    const run = await runSpec(ws(), 'include-fails.yaml', text);
    const t = expectFailed(run, 'unknown user', 'expected reply code 250, got 550');
    expect(t.failure).toMatchObject({ file: 'fragments/hello.yaml', ...positionOf(fragment, '250', '#fragment-fails') });
    expect(t.failure?.includedFrom).toEqual([{ file: 'include-fails.yaml', ...positionOf(text, 'include', '#includes') }]);
    const where = `fragments/hello.yaml:${t.failure!.line}:${t.failure!.col}`;
    expect(run.cli.stdout).toContain(where);
    const site = positionOf(text, 'include', '#includes');
    expect(run.cli.stdout).toContain(`${where}: expected reply code 250, got 550\n  included from include-fails.yaml:${site.line}:${site.col}\n`);
    await expectReceived(p, 'EHLO client.x.test\r\nRCPT TO:<carol@x.test>\r\n');
  });
});

describe('serial', () => {
  const twoTests = (port: number, serial: boolean): string => `name: ${serial ? 'serial' : 'concurrent'}
connect: { port: ${port}, protocol: smtp }
timeout: 2s
serial: ${serial}
tests:
  - name: first
    steps:
      - s: 220
      - c: QUIT
      - s: 221
      - s: { closed: true }
  - name: second
    steps:
      - s: 220
      - c: QUIT
      - s: 221
      - s: { closed: true }
`;
  const script = [send('220 mx\r\n'), expectBytes('QUIT\r\n'), send('221 bye\r\n'), close()];

  it('runs the tests of a serial file one after another', async () => {
    const p = await peer(script);
    const front = await relay([p]);
    const run = await runSpec(ws(), 'serial.yaml', twoTests(front.port, true));
    expectPassed(run);
    expect(run.json.summary.passed).toBe(2);
    expect(front.maxOpen()).toBe(1);
    await expectReceived(p, 'QUIT\r\n', 0);
    await expectReceived(p, 'QUIT\r\n', 1);
  });

  it('runs the tests of other files at the same time (both must be connected for either to be served)', async () => {
    const p = await peer(script);
    const front = await relay([p], { barrier: 2 });
    const run = await runSpec(ws(), 'concurrent.yaml', twoTests(front.port, false));
    expectPassed(run);
    expect(front.maxOpen()).toBe(2);
  });

  it('a serial file cannot pass a server that serves only two connections at once', async () => {
    const p = await peer(script);
    const front = await relay([p], { barrier: 2 });
    const run = await runSpec(ws(), 'serial-barrier.yaml', twoTests(front.port, true));
    expect(run.cli.code).toBe(1);
    expectFailed(run, 'first', 'no reply within 2s');
  });
});
