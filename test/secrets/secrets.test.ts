/**
 * Spec §7: a secret's value, and every string derived from it that was sent, never appears
 * in any output — console, JUnit, JSON, HTML, TAP, GitHub annotations and step summary,
 * transcripts, error output — also when the server
 * echoes it, when a step times out right after it was sent, and when a spec fails to load
 * on a line that holds it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace, type CliRun, type Workspace } from '../helpers/cli.js';
import { listen, smtpScript, type Peer, type PeerConnection } from '../hostile/peers.js';
import { findLeaks, forms, jsonStrings, xmlStrings, type Secret } from './leaks.js';
import { htmlStrings } from '../report/html-dom.js';

/** Distinctive values, so a 10-character piece of one cannot occur by chance. */
const PASS = 'Zq7.hunter2+SQRT-xyzzy-42';
const TOKEN = 'env-Tok3n-Qw8-Rt5-Yu1-Io0-Pa9';
const SPECIAL = 'p&ss<w>"rd\'-Sp3c1al-\\-Vx4';
const LONG = 'L0ng-Fz9-Wq2-Xy7-Ab3-Cd4-Ef5-Gh6-Ij7-Kl8-Mn6-Bv2';
const CLI = 'cli-Gh7-Zx3-Cv5-Bn9-Kl3';
const USER = 'alice';

const SECRETS: readonly Secret[] = [
  { name: 'pass', value: PASS },
  { name: 'token', value: TOKEN },
  { name: 'special', value: SPECIAL },
  { name: 'long', value: LONG },
  { name: 'cli_pass', value: CLI },
];

const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('latin1');

/**
 * An SMTP server that repeats what it is told back, in every way a careless server does:
 * the base64 as sent, decoded, and plain; and one that goes quiet after a secret.
 */
function echoScript(): Record<string, string | ((conn: PeerConnection, line: string) => void)> {
  const rest = (line: string): string => line.slice(line.indexOf(' ') + 1);
  return {
    EHLO: '250-echo.convospec.test\r\n250 AUTH PLAIN LOGIN\r\n',
    // The SASL blob echoed as the client sent it, then decoded (NULs and all).
    AUTH: (conn, line) => {
      const [, mech, initial] = line.split(' ');
      if (mech?.toUpperCase() === 'LOGIN') {
        conn.socket.write('334 VXNlcm5hbWU6\r\n');
        loginFlow(conn);
        return;
      }
      conn.socket.write(`535-5.7.8 you sent ${initial ?? ''}\r\n535 5.7.8 which is ${unb64(initial ?? '')}\r\n`);
    },
    DATA: '354 go ahead\r\n',
    'X-PASS': (conn, line) => conn.socket.write(`550 5.7.1 you said ${rest(line)}\r\n`),
    // Goes quiet: the step after times out with the secret as the last thing sent.
    'X-STALL': () => undefined,
    // Echoes the secret, then enough bytes that the shown tail (last 400 bytes) of the
    // unfinished reply starts in the middle of it.
    'X-TAIL': (conn, line) => conn.socket.write(`250-echo ${rest(line)}\r\n250-${'q'.repeat(381)}\r\n`),
    '*': (conn, line) => conn.socket.write(`500 5.5.2 unknown: ${line}\r\n`),
  };
}

/** AUTH LOGIN: username, then password, each base64; the password is echoed both ways. */
function loginFlow(conn: PeerConnection): void {
  conn.socket.removeAllListeners('data');
  let step = 0;
  const detach = conn.lines((line) => {
    step += 1;
    if (step === 1) conn.socket.write('334 UGFzc3dvcmQ6\r\n');
    else {
      detach();
      conn.socket.write(`535-5.7.8 bad password ${line}\r\n535 5.7.8 decoded ${unb64(line)}\r\n`);
      // Back to the plain script for whatever comes next.
      conn.lines((next) => conn.socket.write(`500 5.5.2 unknown: ${next}\r\n`));
    }
  });
}

let ws: Workspace;
let peer: Peer;

beforeAll(async () => {
  ws = await workspace();
  peer = await listen(smtpScript(echoScript()));
});

afterAll(async () => {
  await peer.close();
  await ws.dispose();
});

/** A spec string with YAML-safe quoting of a value. */
const q = (value: string): string => JSON.stringify(value);

function suite(port: number): string {
  return `name: secrets everywhere
timeout: 1s
connect: { host: 127.0.0.1, port: ${port}, protocol: smtp }
vars:
  user: ${USER}
  pass: ${q(PASS)}
  token: "\${env.SECRET_TOKEN}"
  special: ${q(SPECIAL)}
  long: ${q(LONG)}
  cli_pass: placeholder-overridden-by-var
secrets: [pass, token, special, long, cli_pass]
tests:
  - name: AUTH PLAIN, echoed as sent and decoded
    steps:
      - s: 220
      - c: EHLO client.test
      - s: 250
      - c: AUTH PLAIN \${sasl_plain(user, pass)}
      - s: 235
  - name: AUTH LOGIN, password echoed as sent and decoded
    steps:
      - s: 220
      - c: EHLO client.test
      - s: 250
      - c: AUTH LOGIN
      - s: 334
      - c: \${base64(user)}
      - s: 334
      - c: \${base64(token)}
      - s: 235
  - name: plain secrets echoed
    steps:
      - s: 220
      - c: X-PASS \${pass}
      - s: 250
  - name: special characters echoed
    steps:
      - s: 220
      - c: X-PASS \${special}
      - s: { contains: ["\${special}", "not there"] }
  - name: a secret the matcher expects
    steps:
      - s: 220
      - c: X-PASS \${pass}
      - s: { text: "5.7.1 you said \${pass}!" }
  - name: command-line secret echoed
    steps:
      - s: 220
      - c: X-PASS \${cli_pass}
      - s: '/^250 \${cli_pass}$/'
  - name: timeout right after a secret
    steps:
      - s: 220
      - c: X-STALL \${token} \${base64(pass)}
      - s: 250
  - name: timeout right after AUTH PLAIN
    steps:
      - s: 220
      - c: X-STALL \${sasl_plain(user, long)}
      - s: 235
  - name: a secret in a DATA body
    steps:
      - s: 220
      - c: DATA
      - s: 354
      - data: "Subject: x\\n\\npassword: \${pass}\\n"
      - s: 500
      - s: 500
      - s: 250
  - name: a template error about a long secret
    steps:
      - s: 220
      - c: X-PASS \${unbase64(long)}
      - s: 250
`;
}

/** Everything a run wrote: console, reports, transcripts. */
async function outputs(run: CliRun, out: string): Promise<Map<string, string>> {
  const all = new Map<string, string>([
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ]);
  const junit = await readFile(join(ws.dir, out, 'junit.xml'), 'utf8');
  const json = await readFile(join(ws.dir, out, 'report.json'), 'utf8');
  all.set('junit.xml', junit).set('junit.xml (decoded)', xmlStrings(junit));
  all.set('report.json', json).set('report.json (decoded)', jsonStrings(json));
  const html = await readFile(join(ws.dir, out, 'report.html'), 'utf8');
  all.set('report.html', html).set('report.html (decoded)', htmlStrings(html));
  for (const name of ['run.tap', 'summary.md']) {
    const text = await readFile(join(ws.dir, out, name), 'utf8').catch(() => undefined);
    if (text !== undefined) all.set(name, text);
  }
  const dir = join(ws.dir, out, 'transcripts');
  for (const name of await readdir(dir, { recursive: true }).catch(() => [] as string[])) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
    if (text !== undefined) all.set(`transcripts/${name}`, text);
  }
  return all;
}

describe('secrets never reach any output', () => {
  let run: CliRun;
  let all: Map<string, string>;

  beforeAll(async () => {
    const file = await ws.write('secrets.yaml', suite(peer.port));
    run = await ws.run(
      ['run', file, '--var', `cli_pass=${CLI}`, '--junit', 'out/junit.xml', '--json', 'out/report.json', '--html', 'out/report.html', '--tap', 'out/run.tap', '--transcripts', 'out/transcripts', '--verbose'],
      { env: { SECRET_TOKEN: TOKEN, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: 'out/summary.md' } },
    );
    all = await outputs(run, 'out');
  });

  it('the run happened: every test failed at the server, with the echo in its transcript', () => {
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/0 passed, 9 failed, 1 errored/);
    // The server's echo reached the transcript (and was redacted there).
    expect(run.stdout).toMatch(/535-5\.7\.8 you sent \*\*\*/);
    expect(run.stdout).toMatch(/550 5\.7\.1 you said \*\*\*/);
    expect(run.stdout).toContain('AUTH PLAIN ***');
    expect(run.stdout).toContain('c: X-STALL *** ***');
    // Every output was written: TAP, the GitHub annotations and summary among them.
    expect(all.get('run.tap')).toMatch(/^not ok 1 /m);
    expect(run.stdout.match(/^::error /gm)).toHaveLength(10);
    expect(all.get('summary.md')).toMatch(/^### convospec: 10 failed/);
  });

  it('no secret, no base64 or SASL form of one, and no 10-character piece of one, anywhere', () => {
    expect(findLeaks(all, SECRETS)).toEqual([]);
  });

  it('not even the parts that are not cut: every whole form is absent', () => {
    for (const [where, text] of all) {
      for (const s of SECRETS) for (const form of forms(s.value, USER)) expect(text.includes(form), `${where} holds ${s.name} (${form})`).toBe(false);
    }
  });
});

/** One more run, of one spec with one test, and everything it wrote. */
async function runOne(name: string, text: string, args: readonly string[] = []): Promise<{ run: CliRun; all: Map<string, string> }> {
  const file = await ws.write(`${name}.yaml`, text);
  const out = `${name}-out`;
  const result = await ws.run(['run', file, '--junit', `${out}/junit.xml`, '--json', `${out}/report.json`, '--html', `${out}/report.html`, '--tap', `${out}/run.tap`, '--transcripts', `${out}/transcripts`, ...args], {
    env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: `${out}/summary.md` },
  });
  return { run: result, all: await outputs(result, out) };
}

describe('a secret that a truncated message would cut', () => {
  it('the shown tail of an unfinished reply never starts inside a secret', async () => {
    // The server echoes the secret, then 387 more bytes, then goes quiet: the last 400
    // bytes of what came (all a failure shows) begin 13 characters before the secret ends.
    const { run, all } = await runOne(
      'tail',
      `name: tail
timeout: 1s
connect: { host: 127.0.0.1, port: ${peer.port}, protocol: smtp }
vars: { pass: ${q(PASS)} }
secrets: [pass]
steps:
  - s: 220
  - c: X-TAIL \${pass}
  - s: 250
`,
    );
    expect(run.stdout).toMatch(/no reply within 1s; received so far/);
    expect(findLeaks(all, [{ name: 'pass', value: PASS }], 6)).toEqual([]);
  });
});

describe('a secret with a control character', () => {
  it('is redacted in its escaped form too (\\x7f)', async () => {
    const secret = 'del\x7f-Secret-Hj8-Value';
    const { run: result, all: found } = await runOne(
      'control',
      `name: control
timeout: 1s
connect: { host: 127.0.0.1, port: ${peer.port}, protocol: smtp }
vars: { pass: "del\\x7f-Secret-Hj8-Value" }
secrets: [pass]
steps:
  - s: 220
  - c: X-PASS \${pass}
  - s: 250
`,
    );
    expect(result.code).toBe(1);
    const escaped = 'del\\x7f-Secret-Hj8-Value';
    for (const [where, text] of found) {
      expect(text.includes(secret), `${where} holds the raw secret`).toBe(false);
      expect(text.includes(escaped) || text.includes('-Secret-Hj8-'), `${where} holds the escaped secret`).toBe(false);
    }
  });
});

describe('a spec that fails to load on a line holding a literal secret', () => {
  const LITERAL = 'hunter2-Literal-Wx5-Secret';

  /** Each file has one mistake next to (or on) the secret's line, so its code frame shows it. */
  const cases: Record<string, string> = {
    'same-line-unknown-var.yaml': `name: a
connect: { host: 127.0.0.1, port: 25, protocol: smtp }
vars: { user: alice, pass: ${LITERAL}, greeting: "\${usre}" }
secrets: [pass]
steps:
  - s: 220
`,
    'next-line-unknown-var.yaml': `name: b
connect: { host: 127.0.0.1, port: 25, protocol: smtp }
vars:
  pass: ${LITERAL}
  greeting: "\${usre}"
secrets: [pass]
steps:
  - s: 220
`,
    'env-default.yaml': `name: c
connect: { host: 127.0.0.1, port: 25, protocol: smtp }
vars:
  pass: "\${env.NOT_SET_FOR_THIS_TEST:-${LITERAL}}"
  mistake: "\${pas}"
secrets: [pass]
steps:
  - s: 220
`,
    'schema-error.yaml': `name: d
connect: { host: 127.0.0.1, port: 25, protocol: smtp }
vars: { pass: ${LITERAL} }
secrets: [pass]
steps:
  - s: 220
  - c: AUTH PLAIN \${sasl_plain(user, pass)}
  - s: { cdoe: 235 }
`,
    'yaml-syntax-error.yaml': `name: e
connect: { host: 127.0.0.1, port: 25, protocol: smtp }
vars: { pass: ${LITERAL}, other: [unclosed }
secrets: [pass]
steps:
  - s: 220
`,
    'yaml-syntax-error-next-line.yaml': `name: f
connect: { host: 127.0.0.1, port: 25, protocol: smtp }
vars:
  pass: ${LITERAL}
  other: "unclosed
secrets: [pass]
steps:
  - s: 220
`,
  };

  it.each(Object.keys(cases))('%s: run, validate, JUnit and JSON never show it', async (name) => {
    const file = await ws.write(`load/${name}`, cases[name]!);
    const out = `load-out/${name}`;
    const runResult = await ws.run(['run', file, '--junit', `${out}/junit.xml`, '--json', `${out}/report.json`]);
    const validateResult = await ws.run(['validate', file]);
    expect(runResult.code).toBe(2);
    expect(validateResult.code).toBe(2);
    // The code frame was drawn (the error is located), with the secret blanked out.
    expect(runResult.stderr + runResult.stdout).toMatch(new RegExp(`${name.replace('.', '\\.')}:\\d+:\\d+`));
    const texts = new Map<string, string>([
      ['run stdout', runResult.stdout],
      ['run stderr', runResult.stderr],
      ['validate stdout', validateResult.stdout],
      ['validate stderr', validateResult.stderr],
    ]);
    for (const report of ['junit.xml', 'report.json']) {
      const text = await readFile(join(ws.dir, out, report), 'utf8').catch(() => '');
      texts.set(report, text);
    }
    expect(findLeaks(texts, [{ name: 'literal', value: LITERAL }])).toEqual([]);
  });
});
