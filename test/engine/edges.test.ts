/**
 * Corners of the format end to end against scripted peers: commands sent before the
 * greeting, refused and repeated IMAP literals, STARTTLS in IMAP forgetting what was
 * pending, nested fragments, captures inside `retry` and `repeat`, `--timeout`, `--var`,
 * secrets echoed by the server.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../src/pki/index.js';
import { close, expectBytes, send, upgradeTls, waitClose } from '../helpers/peer.js';
import { expectFailed, expectPassed, expectReceived, lineOf, positionOf, runSpec, setup } from './harness.js';

const { ws, peer } = setup();

describe('imap corners', () => {
  it('a command sent before the greeting was read: the greeting answers nothing', async () => {
    const p = await peer([
      expectBytes('a1 CAPABILITY\r\n'),
      send('* OK ready\r\n* CAPABILITY IMAP4rev1 IDLE\r\na1 OK done\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'before-greeting.yaml',
      `name: before greeting
connect: { port: ${p.port}, protocol: imap }
timeout: 3s
steps:
  - c: a1 CAPABILITY
  - s: { status: OK, lines: ["* OK ready"] }
  - s: { status: OK, lines: ["* CAPABILITY IMAP4rev1 IDLE", a1 OK done] }
`,
    );
    expectPassed(run);
    await expectReceived(p, 'a1 CAPABILITY\r\n');
  });

  it('a literal refused with NO instead of +: the next line is a new command', async () => {
    const p = await peer([
      send('* OK ready\r\n'),
      expectBytes('a1 APPEND Nope {5}\r\n'),
      send('a1 NO [TRYCREATE] no such mailbox\r\n'),
      expectBytes('a2 NOOP\r\n'),
      send('a2 OK noop\r\n'),
      send('* 1 EXISTS\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'refused-literal.yaml',
      `name: refused literal
connect: { port: ${p.port}, protocol: imap }
timeout: 3s
steps:
  - s: { status: OK }
  - c: 'a1 APPEND Nope {5}'
  - s: { status: NO, text: '/^\\[TRYCREATE\\]/' }
  - c: a2 NOOP
  - s: a2 OK noop
  - s: { lines: ["* 1 EXISTS"], timeout: 1s }
`,
    );
    expectPassed(run);
    await expectReceived(p, 'a1 APPEND Nope {5}\r\na2 NOOP\r\n');
  });

  it('two synchronising literals in one command, each after its own +', async () => {
    const p = await peer([
      send('* OK ready\r\n'),
      expectBytes('a1 LOGIN {5}\r\n'),
      send('+ go\r\n'),
      expectBytes('alice {6}\r\n'),
      send('+ go\r\n'),
      expectBytes('s3cret\r\n'),
      send('a1 OK logged in\r\n'),
      send('* 1 EXISTS\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'two-literals.yaml',
      `name: two literals
connect: { port: ${p.port}, protocol: imap }
timeout: 3s
steps:
  - s: { status: OK }
  - c: 'a1 LOGIN {5}'
  - s: { status: "+" }
  - c: 'alice {6}'
  - s: { status: "+" }
  - c: s3cret
  - s: { status: OK, lines: [a1 OK logged in] }
  - s: { lines: ["* 1 EXISTS"], timeout: 1s }
`,
    );
    expectPassed(run);
    await expectReceived(p, 'a1 LOGIN {5}\r\nalice {6}\r\ns3cret\r\n');
  });

  describe('STARTTLS', () => {
    let pki: Pki;
    beforeAll(async () => {
      pki = await createPki();
      await ws().write('ca.pem', pki.ca.cert);
    });

    it('upgrades, then reads replies to commands sent over TLS', async () => {
      const p = await peer([
        send('* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n'),
        expectBytes('a1 STARTTLS\r\n'),
        send('a1 OK Begin TLS negotiation now\r\n'),
        upgradeTls(pki.server),
        expectBytes('a2 CAPABILITY\r\n'),
        send('* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na2 OK done\r\n'),
        send('* 2 EXISTS\r\n'),
        waitClose(),
      ]);
      const run = await runSpec(
        ws(),
        'imap-starttls.yaml',
        `name: imap starttls
connect: { port: ${p.port}, protocol: imap }
tls: { ca: ca.pem, servername: mail.convospec.test }
timeout: 3s
steps:
  - s: { status: OK, contains: [LOGINDISABLED] }
  - c: a1 STARTTLS
  - s: { status: OK }
  - tls: { expect: { authorized: true } }
  - c: a2 CAPABILITY
  - s: { status: OK, contains: [AUTH=PLAIN], excludes: [LOGINDISABLED] }
  - s: { lines: ["* 2 EXISTS"], timeout: 1s }
`,
      );
      expectPassed(run);
      await expectReceived(p, 'a1 STARTTLS\r\na2 CAPABILITY\r\n');
    });
  });
});

describe('flow corners', () => {
  it('nested fragments: a failure names both include sites, innermost first', async () => {
    const inner = `fragment: noop
steps:
  - c: NOOP \${who}
  - s: 250 #inner-fails
`;
    const outer = `fragment: greet then noop
steps:
  - c: EHLO x
  - s: 250
  - include: inner.yaml #outer-includes
    with: { who: outer }
`;
    await ws().write('nested/inner.yaml', inner);
    await ws().write('nested/outer.yaml', outer);
    const p = await peer([send('220 mx\r\n'), expectBytes('EHLO x\r\n'), send('250 hi\r\n'), expectBytes('NOOP outer\r\n'), send('502 no\r\n'), waitClose()]);
    const text = `name: nested
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
tests:
  - name: nested
    steps:
      - s: 220
      - include: nested/outer.yaml #test-includes
`;
    const run = await runSpec(ws(), 'nested.yaml', text);
    const t = expectFailed(run, 'nested', 'expected reply code 250, got 502');
    expect(t.failure).toMatchObject({ file: 'nested/inner.yaml', ...positionOf(inner, '250', '#inner-fails') });
    expect(t.failure?.includedFrom).toEqual([
      { file: 'nested/outer.yaml', ...positionOf(outer, 'include', '#outer-includes') },
      { file: 'nested.yaml', ...positionOf(text, 'include', '#test-includes') },
    ]);
    await expectReceived(p, 'EHLO x\r\nNOOP outer\r\n');
  });

  it('a variable a fragment sets is known after it (docs/format.md, include)', async () => {
    await ws().write('scoped.yaml', `fragment: sets a var\nsteps:\n  - set: { leaked: inside }\n  - c: NOOP \${leaked}\n  - s: 250\n`);
    const p = await peer([send('220 mx\r\n'), expectBytes('NOOP inside\r\n'), send('250 ok\r\n'), expectBytes('NOOP inside\r\n'), send('250 ok\r\n'), waitClose()]);
    const run = await runSpec(
      ws(),
      'scope.yaml',
      `name: scope
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
vars: { leaked: outside }
steps:
  - s: 220
  - include: scoped.yaml
  - c: NOOP \${leaked}
  - s: 250
`,
    );
    expectPassed(run);
    await expectReceived(p, 'NOOP inside\r\nNOOP inside\r\n');
  });

  it('a capture inside retry is known after it; repeat sends a pipelined list each time', async () => {
    const p = await peer([
      send('220 mx\r\n'),
      expectBytes('VRFY a\r\n'),
      send('450 later\r\n'),
      expectBytes('VRFY a\r\n'),
      send('250 id=77\r\n'),
      expectBytes('NOOP 77-0\r\nNOOP 77-0b\r\nNOOP 77-1\r\nNOOP 77-1b\r\n'),
      send('250 a\r\n250 b\r\n250 c\r\n250 d\r\n'),
      waitClose(),
    ]);
    const run = await runSpec(
      ws(),
      'retry-capture.yaml',
      `name: retry capture
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
steps:
  - s: 220
  - retry:
      times: 3
      delay: 10ms
      steps:
        - c: VRFY a
        - s: { code: 250, capture: { id: '/id=(\\d+)/' } }
  - repeat:
      times: 2
      as: n
      steps:
        - c: ["NOOP \${id}-\${n}", "NOOP \${id}-\${n}b"]
  - s: 250 a
  - s: 250 b
  - s: 250 c
  - s: 250 d
`,
    );
    expectPassed(run);
    await expectReceived(p, 'VRFY a\r\nVRFY a\r\nNOOP 77-0\r\nNOOP 77-0b\r\nNOOP 77-1\r\nNOOP 77-1b\r\n');
  });

  it('--var beats the file vars; --timeout applies where the step sets none', async () => {
    const p = await peer([send('220 mx\r\n'), expectBytes('HELO from-cli\r\n'), waitClose()]);
    const text = `name: cli
connect: { port: ${p.port}, protocol: smtp }
timeout: 20s
vars: { name: from-file }
tests:
  - name: cli
    steps:
      - s: 220
      - c: HELO \${name}
      - s: 250 #fails
`;
    const run = await runSpec(ws(), 'cli.yaml', text, ['--var', 'name=from-cli', '--timeout', '300ms']);
    const t = expectFailed(run, 'cli', 'no reply within 300ms');
    expect(t.failure?.line).toBe(lineOf(text, '#fails'));
    await expectReceived(p, 'HELO from-cli\r\n');
  });

  it('a secret echoed back by the server is *** in every output', async () => {
    const p = await peer([send('220 mx\r\n'), expectBytes('NOOP hunter2-secret\r\n'), send('500 unknown: NOOP hunter2-secret\r\n'), waitClose()]);
    const text = `name: echo
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
vars: { pw: hunter2-secret }
secrets: [pw]
tests:
  - name: echo
    steps:
      - s: 220
      - c: NOOP \${pw}
      - s: 250
`;
    const run = await runSpec(ws(), 'echo.yaml', text);
    const t = expectFailed(run, 'echo', 'expected reply code 250, got 500');
    expect(JSON.stringify(run.json)).not.toContain('hunter2');
    expect(run.console).not.toContain('hunter2');
    expect(t.transcript.map((e) => e.text)).toEqual(expect.arrayContaining(['NOOP ***', '500 unknown: NOOP ***']));
    await expectReceived(p, 'NOOP hunter2-secret\r\n');
  });

  it('a server that closes after the greeting: closed: true passes before any command', async () => {
    const p = await peer([send('421 4.3.2 shutting down\r\n'), close()]);
    const run = await runSpec(ws(), 'goodbye.yaml', `name: goodbye\nconnect: { port: ${p.port}, protocol: smtp }\ntimeout: 3s\nsteps:\n  - s: { code: 421, enhanced: 4.3.x }\n  - s: { closed: true }\n`);
    expectPassed(run);
  });
});

describe('step labels and where a deadline lands', () => {
  it("a failing step's `name:` is in the failure (JSON stepName, console `step:`)", async () => {
    const p = await peer([send('220 mx\r\n'), expectBytes('EHLO x\r\n'), send('502 no\r\n'), waitClose()]);
    const text = `name: labels
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
tests:
  - name: labelled
    steps:
      - s: 220
      - c: EHLO x
      - name: EHLO is accepted
        s: 250
`;
    const run = await runSpec(ws(), 'labels.yaml', text);
    const t = expectFailed(run, 'labelled', 'expected reply code 250, got 502');
    expect(t.failure?.stepName).toBe('EHLO is accepted');
    expect(run.cli.stdout).toContain('step: EHLO is accepted');
  });

  it('a `use` step with a `name:` label still switches to the connection it names', async () => {
    const main = await peer([send('220 main\r\n'), expectBytes('NOOP\r\n'), send('250 main\r\n'), waitClose()]);
    const other = await peer([send('220 other\r\n'), waitClose()]);
    const run = await runSpec(
      ws(),
      'use-label.yaml',
      `name: use label
connect: { port: ${main.port}, protocol: smtp }
timeout: 3s
steps:
  - s: 220 main
  - connect: { port: ${other.port}, protocol: smtp, as: other }
  - s: 220 other
  - name: back to the first connection
    use: main
  - c: NOOP
  - s: 250 main
`,
    );
    expectPassed(run);
    await expectReceived(main, 'NOOP\r\n');
  });

  it("a deadline reached during retry's delay points at the retry, not at the step that was retried", async () => {
    const p = await peer([send('220 mx\r\n'), expectBytes('VRFY a\r\n'), send('450 later\r\n'), waitClose()]);
    const text = `name: retry deadline
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
tests:
  - name: slow poll
    deadline: 300ms
    steps:
      - s: 220
      - retry: #retry
          times: 3
          delay: 60s
          steps:
            - c: VRFY a
            - s: 250
`;
    const run = await runSpec(ws(), 'retry-deadline.yaml', text);
    const t = expectFailed(run, 'slow poll', "the test's deadline of 300ms was reached");
    expect(t.failure).toMatchObject(positionOf(text, 'retry', '#retry'));
  });

  it('a deadline reached during a `sleep` ends the sleep and points at it', async () => {
    const p = await peer([send('220 mx\r\n'), waitClose()]);
    const text = `name: sleep deadline
connect: { port: ${p.port}, protocol: smtp }
timeout: 3s
tests:
  - name: long nap
    deadline: 300ms
    steps:
      - s: 220
      - sleep: 60s #sleep
`;
    const run = await runSpec(ws(), 'sleep-deadline.yaml', text);
    const t = expectFailed(run, 'long nap', "the test's deadline of 300ms was reached");
    expect(t.failure).toMatchObject(positionOf(text, 'sleep', '#sleep'));
  });
});
