/**
 * Where and how a spec fails (spec-format §8): every failing test of one file names its
 * step's file:line:col and says what was expected and what came, in the console and the
 * JSON report; the passing test of the same file passes; invalid specs stop the run (exit 2)
 * with the location, also inside a fragment (its line and the including line).
 */
import { describe, expect, it } from 'vitest';
import { close, expectBytes, hold, reset, send, waitClose, type PeerAction } from '../helpers/peer.js';
import { expectFailed, lineOf, positionOf, runSpec, setup } from './harness.js';

const { ws, peer, relay } = setup();

interface Case {
  readonly name: string;
  readonly protocol?: string;
  /** More keys for the test's `connect`. */
  readonly connect?: string;
  readonly script: readonly PeerAction[];
  /** Steps, one per line; the failing one carries `#fails`. */
  readonly steps: readonly string[];
  /** Where on the `#fails` line the failure points. */
  readonly at: string;
  readonly message: string | RegExp;
  readonly kind: string;
}

const CASES: readonly Case[] = [
  {
    name: 'exact reply',
    script: [send('220 mx\r\n'), expectBytes('NOOP\r\n'), send('250 fine\r\n'), waitClose()],
    steps: ['s: 220', 'c: NOOP', 's: 250 ok #fails'],
    at: '250 ok',
    message: 'expected the reply "250 ok", got "250 fine"',
    kind: 'mismatch',
  },
  {
    name: 'regex',
    script: [send('220 mx\r\n'), waitClose()],
    steps: ["s: '/ESMTP/' #fails"],
    at: "'/ESMTP/'",
    message: 'expected the reply to match /ESMTP/, got "220 mx"',
    kind: 'mismatch',
  },
  {
    name: 'contains, pointing at the item',
    script: [send('220 mx\r\n'), expectBytes('EHLO c\r\n'), send('250-mx\r\n250 SIZE 10\r\n'), waitClose()],
    steps: ['s: 220', 'c: EHLO c', 's: { code: 250, contains: [SIZE, STARTTLS] } #fails'],
    at: 'STARTTLS',
    message: /^expected a line containing "STARTTLS"/,
    kind: 'mismatch',
  },
  {
    name: 'lines, pointing at the item',
    script: [send('220 mx\r\n'), expectBytes('EHLO c\r\n'), send('250-mx\r\n250 SIZE 10\r\n'), waitClose()],
    steps: ['s: 220', 'c: EHLO c', 's: [250-mx, 250 PIPELINING] #fails'],
    at: '250 PIPELINING',
    message: /^expected line 2 .*"250 PIPELINING".*, got "250 SIZE 10"$/,
    kind: 'mismatch',
  },
  {
    name: 'enhanced code',
    script: [send('220 mx\r\n'), expectBytes('RCPT TO:<x>\r\n'), send('550 5.1.1 unknown\r\n'), waitClose()],
    steps: ['s: 220', 'c: RCPT TO:<x>', 's: { code: 550, enhanced: 5.7.1 } #fails'],
    at: '5.7.1',
    message: 'expected enhanced code 5.7.1, got 5.1.1',
    kind: 'mismatch',
  },
  {
    name: 'timeout',
    script: [send('220 mx\r\n'), expectBytes('NOOP\r\n'), send('250-half'), hold()],
    steps: ['s: 220', 'c: NOOP', 's: { code: 250, timeout: 300ms } #fails'],
    at: '{ code',
    message: 'no reply within 300ms; received so far: "250-half"',
    kind: 'timeout',
  },
  {
    name: 'reset',
    script: [send('220 mx\r\n'), expectBytes('NOOP\r\n'), reset()],
    steps: ['s: 220', 'c: NOOP', 's: 250 #fails'],
    at: '250',
    message: 'connection reset by the server while reading the reply',
    kind: 'reset',
  },
  {
    name: 'closed before the reply',
    script: [send('220 mx\r\n'), expectBytes('NOOP\r\n'), close()],
    steps: ['s: 220', 'c: NOOP', 's: 250 #fails'],
    at: '250',
    message: 'expected reply code 250, but the server closed the connection',
    kind: 'mismatch',
  },
  {
    name: 'line limit',
    connect: 'limits: { line: 64 }',
    script: [send('220 mx\r\n'), expectBytes('EHLO c\r\n'), send(`250-${'x'.repeat(100)}\r\n250 ok\r\n`), waitClose()],
    steps: ['s: 220', 'c: EHLO c', 's: 250 #fails'],
    at: '250',
    message: /^line longer than 64 bytes; received so far: "250-x{60}/,
    kind: 'limit',
  },
  {
    name: 'imap status',
    protocol: 'imap',
    script: [send('* OK ready\r\n'), expectBytes('a1 LOGIN a b\r\n'), send('a1 NO [AUTHENTICATIONFAILED] no\r\n'), waitClose()],
    steps: ['s: { status: OK }', 'c: a1 LOGIN a b', 's: { status: OK, text: "/Logged in/" } #fails'],
    at: 'OK,',
    message: 'expected status OK, got NO',
    kind: 'mismatch',
  },
  {
    name: 'pop3 text',
    protocol: 'pop3',
    script: [send('+OK ready\r\n'), expectBytes('STAT\r\n'), send('+OK 2 320\r\n'), waitClose()],
    steps: ['s: +OK ready', 'c: STAT', 's: { status: +OK, text: "/^0 /" } #fails'],
    at: '"/^0 /"',
    message: 'expected text matching /^0 /, got "2 320"',
    kind: 'mismatch',
  },
];

describe('failure locations', () => {
  it('each failing test names its step and says what came; the passing one passes', async () => {
    const peers = await Promise.all(CASES.map((c) => peer(c.script)));
    const good = await peer([send('220 mx\r\n'), expectBytes('QUIT\r\n'), send('221 bye\r\n'), close()]);
    const tests = CASES.map(
      (c, i) => `  - name: ${c.name}
    connect: { port: ${peers[i]!.port}, protocol: ${c.protocol ?? 'smtp'}${c.connect ? `, ${c.connect}` : ''} }
    steps:
${c.steps.map((s) => `      - ${s.replace('#fails', `#fails-${i}-`)}`).join('\n')}
`,
    );
    const text = `name: locations
timeout: 3s
tests:
  - name: passes
    connect: { port: ${good.port}, protocol: smtp }
    steps:
      - s: 220
      - c: QUIT
      - s: 221
      - s: { closed: true }
${tests.join('')}`;
    const run = await runSpec(ws(), 'locations.yaml', text);
    expect(run.cli.code).toBe(1);
    expect(run.test('passes').status).toBe('passed');
    expect(run.json.summary).toMatchObject({ passed: 1, failed: CASES.length, errored: 0 });
    for (const [i, c] of CASES.entries()) {
      const t = expectFailed(run, c.name, c.message);
      expect(t.failure?.kind, c.name).toBe(c.kind);
      const where = positionOf(text, c.at, `#fails-${i}-`);
      expect({ name: c.name, line: t.failure?.line, col: t.failure?.col }).toEqual({ name: c.name, ...where });
      expect(run.cli.stdout).toContain(`locations.yaml:${where.line}:${where.col}: ${t.failure!.message}`);
    }
    expect(run.cli.stdout).toMatch(/1 passed, 11 failed/);
  });

  it('a refused connection fails at the connect that named the port', async () => {
    const gone = await peer([]);
    const port = gone.port;
    await gone.stop();
    const text = `name: refused
timeout: 3s
tests:
  - name: nobody home
    steps:
      - connect: { port: ${port}, protocol: smtp, as: mx } #fails
`;
    const run = await runSpec(ws(), 'refused.yaml', text);
    const t = expectFailed(run, 'nobody home', `connection refused by 127.0.0.1:${port}`);
    expect(t.failure?.kind).toBe('refused');
    expect(t.failure?.line).toBe(lineOf(text, '#fails'));
  });
});

describe('invalid specs', () => {
  it('a reply code in an IMAP spec is an error at load time: exit 2, nothing connects', async () => {
    const front = await relay([await peer([send('* OK ready\r\n'), waitClose()])]);
    const text = `name: imap code
connect: { port: ${front.port}, protocol: imap }
steps:
  - s: 250 #fails
`;
    const run = await runSpec(ws(), 'imap-code.yaml', text);
    expect(run.cli.code).toBe(2);
    const where = positionOf(text, '250', '#fails');
    expect(run.json.invalid[0]?.diagnostics[0]).toMatchObject({ file: 'imap-code.yaml', ...where });
    expect(run.console).toContain(`imap-code.yaml:${where.line}:${where.col}:`);
    expect(front.maxOpen()).toBe(0);
  });

  it('an unknown variable names its place with a did-you-mean hint', async () => {
    const text = `name: typo
connect: { port: 2525, protocol: smtp }
vars: { sender: a@x }
steps:
  - s: 220
  - c: MAIL FROM:<\${sendr}> #fails
`;
    const run = await runSpec(ws(), 'typo.yaml', text);
    expect(run.cli.code).toBe(2);
    const d = run.json.invalid[0]?.diagnostics[0];
    expect(d).toMatchObject({ file: 'typo.yaml', line: lineOf(text, '#fails') });
    expect(d?.message).toMatch(/sendr/);
    expect(d?.hint).toMatch(/sender/);
  });

  it("an error inside a fragment names the fragment's line and the including line", async () => {
    const fragment = `fragment: log in
steps:
  - c: EHLO client.\${domain}
  - s: 250
  - c: AUTH PLAIN \${bse64(domain)} #fails
  - s: 235
`;
    await ws().write('fragments/bad.yaml', fragment);
    const text = `name: bad include
connect: { port: 2525, protocol: smtp }
vars: { domain: a.test }
steps:
  - s: 220
  - include: fragments/bad.yaml #includes
    with: { domain: b.test }
`;
    const run = await runSpec(ws(), 'bad-include.yaml', text);
    expect(run.cli.code).toBe(2);
    const inner = positionOf(fragment, 'bse64', '#fails');
    const site = positionOf(text, 'include', '#includes');
    const d = run.json.invalid.flatMap((f) => f.diagnostics).find((x) => x.file === 'fragments/bad.yaml');
    expect(d).toMatchObject({ ...inner, message: 'unknown function `bse64`', includedFrom: [{ file: 'bad-include.yaml', ...site }] });
    expect(run.cli.stderr).toContain(`fragments/bad.yaml:${inner.line}:${inner.col}: unknown function \`bse64\``);
    expect(run.cli.stderr).toContain(`included from bad-include.yaml:${site.line}:${site.col}`);
  });
});
