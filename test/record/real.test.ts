/**
 * The built `convospec record`, as a user runs it, between real clients and the CI's real
 * Postfix and Dovecot (test/servers/, coordinates in the environment; skipped without them):
 * swaks with STARTTLS and AUTH to the submission port, curl over IMAP with STARTTLS, Python's
 * poplib with TLS at connect to POP3S, Python's smtplib over LMTP and to a Postfix that refuses
 * STARTTLS. Each recorded spec holds no password and passes when run against the same server
 * with the secret from the environment.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from '../helpers/build.js';
import { workspace, type Workspace } from '../helpers/cli.js';
import { spawnRecorder } from './helpers.js';
import { client, serve } from '../serve/harness.js';

const env = process.env;
const HOST = env.MAIL_HOST;
const ready = HOST !== undefined && env.MAIL_CA !== undefined && env.SUBMISSION_PORT !== undefined;
/**
 * bob: these sessions deliver to the user's INBOX, which the tests beside this one in CI's
 * real-server run must find unchanged (dave's: the s_client pastes, `--update`; carol's:
 * imaptest; alice's: html-real). The specs/ and examples/ runs that use bob run before.
 */
const USER = 'bob@convospec.test';
const PASS = env.MAIL_PASS ?? 'demo-password';
const SERVERNAME = env.MAIL_SERVERNAME ?? 'mail.convospec.test';

const has = (tool: string): boolean => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;

let MAIN: string;
let ws: Workspace;

beforeAll(async () => {
  if (!ready) return;
  MAIN = builtCli();
  ws = await workspace();
}, 200_000);

afterAll(async () => {
  await ws?.dispose();
});

interface Recorded {
  readonly yaml: string;
  readonly stderr: string;
  readonly code: number;
}

/**
 * Starts `convospec record … -o NAME.yaml --ca-out NAME-ca.pem`, runs `client(port, caFile)`
 * once it says `listening on`, and returns the spec and messages once it exits.
 */
async function recordWith(name: string, args: readonly string[], client: (port: number, caFile: string) => string[]): Promise<Recorded> {
  const caOut = join(ws.dir, `${name}-ca.pem`);
  const recorder = await spawnRecorder(MAIN, ws.dir, ['-o', `${name}.yaml`, '--ca-out', caOut, ...args]);
  const { port, exited } = recorder;
  const [tool, ...toolArgs] = client(port, caOut);
  const run = spawnSync(tool!, toolArgs, { cwd: ws.dir, encoding: 'utf8', timeout: 30_000 });
  const timer = setTimeout(() => recorder.child.kill('SIGTERM'), 15_000);
  const code = await exited;
  clearTimeout(timer);
  expect(run.status, `${tool} failed:\n${run.stdout}\n${run.stderr}\nrecord said:\n${recorder.stderr()}`).toBe(0);
  return { yaml: await readFile(join(ws.dir, `${name}.yaml`), 'utf8'), stderr: recorder.stderr(), code };
}

/** The spec passes against the real server, the password coming from MAIL_PASS. */
async function expectPasses(name: string): Promise<void> {
  const run = await ws.run(['run', `${name}.yaml`], { env: { MAIL_PASS: PASS } });
  expect(run.stdout + run.stderr).toMatch(/\d+ passed/);
  expect(run.code, run.stdout + run.stderr).toBe(0);
}

function expectNoPassword(yaml: string): void {
  expect(yaml).not.toContain(PASS);
  expect(yaml).not.toContain(Buffer.from(PASS).toString('base64'));
  expect(yaml).not.toContain(Buffer.from(`\0${USER}\0${PASS}`).toString('base64'));
  expect(yaml).toContain('pass: "${env.MAIL_PASS}"');
}

const trust = (): string[] => ['--ca', env.MAIL_CA!, '--servername', SERVERNAME];

/**
 * swaks with STARTTLS and AUTH. The message is given whole, so its body is the same each time
 * (swaks's own would carry a new Date and Message-Id): serve compares the body it reads.
 */
const swaksArgs = (port: number, mech: string): string[] => [
  'swaks', '--server', `127.0.0.1:${port}`, '--tls', '--auth', mech, '--auth-user', USER, '--auth-password', PASS, '--from', USER, '--to', USER,
  '--data', 'Subject: recorded\nMessage-Id: <recorded@convospec.test>\n\nA message recorded, then served.\n', '--hide-all',
];

describe.skipIf(!ready)('record against the real Postfix and Dovecot', () => {
  it.skipIf(!has('swaks'))('swaks, STARTTLS and AUTH PLAIN then LOGIN, to Postfix submission', async () => {
    const rec = await recordWith('swaks', ['--to', `${HOST}:${env.SUBMISSION_PORT}`, '--connections', '2', ...trust()], (port) => {
      // Two clients, one after the other: the second starts once the first is over.
      const mechanisms = ['PLAIN', 'LOGIN'];
      const swaks = (mech: string): string[] => swaksArgs(port, mech);
      const first = spawnSync(swaks(mechanisms[0]!)[0]!, swaks(mechanisms[0]!).slice(1), { encoding: 'utf8', timeout: 30_000 });
      expect(first.status, first.stdout + first.stderr).toBe(0);
      return swaks(mechanisms[1]!);
    });
    expect(rec.code, rec.stderr).toBe(0);
    expect(rec.yaml.match(/^ {6}- c: STARTTLS$/gm)).toHaveLength(2);
    expect(rec.yaml).toContain(`servername: ${SERVERNAME}`);
    expect(rec.yaml).toContain('- c: AUTH PLAIN ${sasl_plain(user, pass)}');
    expect(rec.yaml).toContain('- c: ${base64(pass)}');
    expect(rec.yaml).toMatch(/varies between runs: queue id/);
    expectNoPassword(rec.yaml);
    await expectPasses('swaks');
    // serve plays the recorded server back to the same client (format §9), on a free port: the
    // queue ids that vary are sent as recorded (`serve:`), the client's lines matched.
    await ws.write('swaks-serve.yaml', rec.yaml.replace(/port: \d+/, 'port: 0'));
    const served = await serve(ws, ['swaks-serve.yaml', '--accept-timeout', '20s'], { MAIL_PASS: PASS });
    expect(served.ports).toHaveLength(1);
    for (const mech of ['PLAIN', 'LOGIN']) {
      // Not spawnSync: serve runs in this process.
      const [tool, ...args] = swaksArgs(served.ports[0]!, mech);
      const again = await client(tool!, args, { timeoutMs: 30_000 });
      expect(again.code, again.stdout + again.stderr).toBe(0);
    }
    const result = await served.done;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('2 passed');
  });

  it.skipIf(!has('curl'))('curl over IMAP with STARTTLS to Dovecot', async () => {
    const rec = await recordWith('curl', ['--to', `${HOST}:${env.IMAP_PORT}`, ...trust()], (port, ca) => [
      'curl', '-sS', '--ssl-reqd', '--cacert', ca, '--user', `${USER}:${PASS}`, `imap://127.0.0.1:${port}/INBOX`,
    ]);
    expect(rec.code, rec.stderr).toBe(0);
    expect(rec.yaml).toMatch(/- c: A\d+ STARTTLS\n {6}- s: A\d+ OK .*\n {6}- tls: \{ ca: .+, servername: mail\.convospec\.test \}/);
    expectNoPassword(rec.yaml);
    await expectPasses('curl');
  });

  it.skipIf(!has('python3'))('Python poplib with TLS at connect (--tls) to Dovecot POP3S', async () => {
    const script = [
      'import poplib, ssl, sys',
      'p = poplib.POP3_SSL("127.0.0.1", int(sys.argv[1]), context=ssl.create_default_context(cafile=sys.argv[2]))',
      'p.user(sys.argv[3]); p.pass_(sys.argv[4]); p.stat(); p.quit()',
    ].join('\n');
    const rec = await recordWith('poplib', ['--to', `${HOST}:${env.POP3S_PORT}`, '--tls', ...trust()], (port, ca) => ['python3', '-c', script, String(port), ca, USER, PASS]);
    expect(rec.code, rec.stderr).toBe(0);
    expect(rec.yaml).toMatch(/connect: \{ host: [\d.]+, port: \d+, protocol: pop3, tls: \{ ca: .+ \} \}/);
    expect(rec.yaml).toContain('- c: PASS ${pass}');
    expectNoPassword(rec.yaml);
    await expectPasses('poplib');
  });

  it.skipIf(!has('python3') || env.PLAIN_SMTP_PORT === undefined)('Postfix without STARTTLS refusing it: said, recorded as refused, and the spec passes', async () => {
    const script = [
      'import smtplib, sys',
      's = smtplib.SMTP("127.0.0.1", int(sys.argv[1])); s.ehlo("client.test")',
      'assert s.docmd("STARTTLS")[0] == 502; s.quit()',
    ].join('\n');
    const rec = await recordWith('refused', ['--to', `${HOST}:${env.PLAIN_SMTP_PORT}`], (port) => ['python3', '-c', script, String(port)]);
    expect(rec.code, rec.stderr).toBe(0);
    expect(rec.stderr).toContain('record: connection 1: the client asked for TLS (STARTTLS) and the server did not accept it');
    expect(rec.yaml).toContain('- c: STARTTLS\n      - s: "502 5.5.1 Error: command not implemented"\n');
    expect(rec.yaml).not.toContain('tls:');
    await expectPasses('refused');
  });

  it.skipIf(!has('python3') || env.LMTP_PORT === undefined)('Python smtplib.LMTP to Dovecot LMTP: the delivery id varies, the name says LMTP', async () => {
    const script = [
      'import smtplib, sys',
      's = smtplib.LMTP("127.0.0.1", int(sys.argv[1]))',
      's.sendmail("sender@example.net", [sys.argv[2]], "Subject: recorded over LMTP\\r\\n\\r\\nHello.\\r\\n"); s.quit()',
    ].join('\n');
    const rec = await recordWith('lmtp', ['--to', `${HOST}:${env.LMTP_PORT}`], (port) => ['python3', '-c', script, String(port), USER]);
    expect(rec.code, rec.stderr).toBe(0);
    expect(rec.yaml).toContain('name: Recorded LMTP session');
    expect(rec.yaml).toMatch(/protocol: lmtp/);
    expect(rec.yaml).toMatch(/varies between runs: delivery id/);
    await expectPasses('lmtp');
  });
});
