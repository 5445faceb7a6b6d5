/**
 * `record()` (format §10) between real clients and real servers on loopback: nodemailer and
 * a raw IMAP/POP3 client through the recorder to the demo's SMTP submission (STARTTLS, AUTH),
 * IMAP (STARTTLS) and POP3S (TLS at connect). Each recorded spec then runs with the real CLI
 * against the same demo and passes, and holds no password. Then bad input, with scripted
 * servers and clients: each ends with a clear message and a spec of what passed, never a hang.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASS, DEMO_USER, startDemo, type Demo } from '../../src/demo/index.js';
import { createPki, type Pki } from '../../src/pki/index.js';
import { RawClient, type TlsTrust } from '../demo/client.js';
import { workspace, type Workspace } from '../helpers/cli.js';
import { close, expectBytes, hold, reset, send, sendSplit, startPeer, upgradeTls, waitClose, type Peer, type PeerAction } from '../helpers/peer.js';
import { startRecording, within, type Recording, type RecordingOptions } from './helpers.js';
import { serve } from '../serve/harness.js';

let demo: Demo;
let ws: Workspace;
let demoCa: Buffer;
let pki: Pki;
const SERVERNAME = 'mail.convospec.test';

beforeAll(async () => {
  demo = await startDemo();
  ws = await workspace();
  demoCa = await readFile(demo.env.MAIL_CA);
  pki = await createPki();
}, 60_000);

afterAll(async () => {
  await demo?.close();
  await ws?.dispose();
});

const crlf = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');

/** A recorder to a demo port, verifying the demo's certificate; the spec names the same CA. */
function toDemo(portVar: 'SUBMISSION_PORT' | 'IMAP_PORT' | 'POP3S_PORT' | 'SMTP_PORT', extra: { tls?: boolean; connections?: number } = {}): Promise<Recording> {
  return startRecording({
    to: { host: '127.0.0.1', port: Number(demo.env[portVar]) },
    servername: SERVERNAME,
    ca: [demoCa],
    spec: { tls: { ca: demo.env.MAIL_CA, servername: SERVERNAME } },
    ...extra,
  });
}

const trustOf = (rec: Recording): TlsTrust => ({ ca: rec.ca, servername: SERVERNAME });

/** The recorded spec: it holds no password, and passes against the demo with the secret from the environment. */
async function recordedSpec(rec: Recording, name: string): Promise<string> {
  const yaml = (await within(rec.result, 10_000, 'record')).yaml ?? '';
  expect(yaml).not.toContain(DEMO_PASS);
  expect(yaml).not.toContain(Buffer.from(DEMO_PASS).toString('base64'));
  const run = await runSpec(yaml, name);
  expect(run.stdout).toContain('1 passed');
  expect(run.code).toBe(0);
  return yaml;
}

/** Runs the spec with the real CLI against the demo, with the secret from the environment. */
async function runSpec(yaml: string, name: string): Promise<{ code: number; stdout: string }> {
  await ws.write(name, yaml);
  const run = await ws.run(['run', name], { env: { MAIL_PASS: DEMO_PASS } });
  return { code: run.code, stdout: run.stdout + run.stderr };
}

/** nodemailer to the recorder: STARTTLS required, trusting the recorder's certificate, and AUTH. */
function submitThrough(rec: Recording, authMethod?: string): ReturnType<typeof nodemailer.createTransport> {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port: rec.port,
    secure: false,
    requireTLS: true,
    ...(authMethod ? { authMethod } : {}),
    tls: { ca: rec.ca, servername: SERVERNAME },
    auth: { user: DEMO_USER, pass: DEMO_PASS },
  });
}

describe('recording real clients and servers', () => {
  it('nodemailer over submission with STARTTLS and AUTH: the spec passes against the server and holds no password', async () => {
    const rec = await toDemo('SUBMISSION_PORT');
    const transport = submitThrough(rec);
    await transport.sendMail({ from: DEMO_USER, to: DEMO_USER, subject: 'recorded', text: 'Hello through the recorder.' });
    transport.close();
    const result = await within(rec.result, 10_000, 'record');
    const yaml = result.yaml ?? '';
    expect(yaml).toMatch(/^ {6}- c: STARTTLS$/m);
    expect(yaml).toContain(`- tls: { ca: ${demo.env.MAIL_CA}, servername: ${SERVERNAME} }`);
    expect(yaml).toMatch(/- c: AUTH (?:PLAIN \$\{sasl_plain\(user, pass\)\}|LOGIN)/);
    expect(yaml).toContain('pass: "${env.MAIL_PASS}"');
    expect(yaml).not.toContain(DEMO_PASS);
    expect(yaml).not.toContain(Buffer.from(DEMO_PASS).toString('base64'));
    expect(yaml).toContain('connect: { host: 127.0.0.1, port: ' + demo.env.SUBMISSION_PORT);
    expect(result).toMatchObject({ connections: 1, failed: false, interrupted: false });
    const run = await runSpec(yaml, 'submission.yaml');
    expect(run.stdout).toContain('1 passed');
    expect(run.code).toBe(0);
  });

  it('CRAM-MD5: the challenge is captured and the answer computed from MAIL_PASS, so the spec passes with a new challenge', async () => {
    const rec = await toDemo('SUBMISSION_PORT');
    const transport = submitThrough(rec, 'CRAM-MD5');
    await transport.verify();
    transport.close();
    const yaml = await recordedSpec(rec, 'cram.yaml');
    expect(yaml).toContain('- c: AUTH CRAM-MD5');
    expect(yaml).toMatch(/capture: \{ challenge: .+ \}/);
    expect(yaml).toContain('${cram_md5(user, pass, challenge)}');
  });

  it('IMAP STARTTLS, LOGIN, SELECT, LOGOUT: a tls step, ${user} ${pass}, and a spec that passes', async () => {
    const rec = await toDemo('IMAP_PORT');
    const client = await RawClient.connect(rec.port);
    await client.readLine();
    await client.imap('a1', 'STARTTLS');
    await client.upgrade(trustOf(rec));
    await client.imap('a2', `LOGIN ${DEMO_USER} ${DEMO_PASS}`);
    await client.imap('a3', 'SELECT INBOX');
    await client.imap('a4', 'LOGOUT');
    await client.closed();
    const yaml = await recordedSpec(rec, 'imap.yaml');
    expect(yaml).toContain('- c: a1 STARTTLS');
    expect(yaml).toMatch(/- tls: \{ ca: .+, servername: mail\.convospec\.test \}/);
    expect(yaml).toContain('- c: a2 LOGIN ${user} ${pass}');
  });

  it('POP3 with TLS at connect (--tls): connect.tls holds the TLS options, and the spec passes', async () => {
    const rec = await toDemo('POP3S_PORT', { tls: true });
    const client = await RawClient.connect(rec.port, trustOf(rec));
    await client.readLine();
    client.line(`USER ${DEMO_USER}`);
    await client.readLine();
    client.line(`PASS ${DEMO_PASS}`);
    await client.readLine();
    client.line('STAT');
    await client.readLine();
    client.line('QUIT');
    await client.readLine();
    await client.closed();
    const yaml = await recordedSpec(rec, 'pop3s.yaml');
    expect(yaml).toMatch(/connect: \{ host: 127\.0\.0\.1, port: \d+, protocol: pop3, tls: \{ ca: .+, servername: mail\.convospec\.test \} \}/);
    expect(yaml).toContain('- c: PASS ${pass}');
  });

  it('--connections 2: one test per client connection, in the order they came', async () => {
    const rec = await toDemo('SMTP_PORT', { connections: 2 });
    for (const hello of ['first.example', 'second.example']) {
      const client = await RawClient.connect(rec.port);
      await client.readLine();
      client.line(`EHLO ${hello}`);
      await client.until(/^250 .*\r\n/m);
      client.line('QUIT');
      await client.readLine();
      await client.closed();
    }
    const result = await within(rec.result, 10_000, 'record');
    expect(result.connections).toBe(2);
    const yaml = result.yaml ?? '';
    expect(yaml.match(/^ {2}- name: "connection \d: SMTP port \d+"$/gm)).toHaveLength(2);
    expect(yaml.indexOf('EHLO first.example')).toBeLessThan(yaml.indexOf('EHLO second.example'));
    const run = await runSpec(yaml, 'two.yaml');
    expect(run.stdout).toContain('2 passed');
  });

  it('a value that varies is a regex for run, with the reply as recorded in serve: beside it: the spec runs both ways', async () => {
    const rec = await startRecording({ to: { host: '127.0.0.1', port: Number(demo.env.SMTP_PORT) } });
    const conversation = async (port: number): Promise<string> => {
      const client = await RawClient.connect(port);
      const greeting = await client.readLine();
      client.line('EHLO both.example');
      const ehlo = await client.until(/^250 .*\r\n/m);
      client.line('QUIT');
      const bye = await client.readLine();
      // As swaks and smtplib do: the client hangs up once QUIT is answered.
      client.close();
      return `${greeting}\n${ehlo}${bye}`;
    };
    const recorded = await conversation(rec.port);
    const yaml = (await within(rec.result, 10_000, 'record')).yaml ?? '';
    // The client's address in the EHLO reply varies between runs.
    expect(yaml).toContain("- '/^250-mail\\.convospec\\.test Nice to meet you, \\[");
    expect(yaml).toContain('- 250-mail.convospec.test Nice to meet you, [127.0.0.1]');
    const run = await runSpec(yaml, 'both.yaml');
    expect(run.stdout).toContain('1 passed');
    // serve plays the same spec to the same client, on a free port: the client reads what it read from the server.
    await ws.write('serve.yaml', yaml.replace(/port: \d+/, 'port: 0'));
    const served = await serve(ws, ['serve.yaml', '--accept-timeout', '10s']);
    expect(served.ports).toHaveLength(1);
    const replayed = await conversation(served.ports[0]!);
    const result = await served.done;
    expect(result.code, result.stdout).toBe(0);
    expect(replayed).toBe(recorded);
  });

  it('two clients at the same time: each conversation its own test', async () => {
    const rec = await toDemo('SMTP_PORT', { connections: 2 });
    const a = await RawClient.connect(rec.port);
    await a.readLine();
    const b = await RawClient.connect(rec.port);
    await b.readLine();
    a.line('EHLO a.example');
    b.line('EHLO b.example');
    await a.until(/^250 .*\r\n/m);
    await b.until(/^250 .*\r\n/m);
    b.line('QUIT');
    await b.readLine();
    await b.closed();
    // The client leaves before the answer to its last command.
    a.line('NOOP');
    a.close();
    const result = await within(rec.result, 10_000, 'record');
    const yaml = result.yaml ?? '';
    const [first, second] = yaml.split(/^ {2}- name: /m).slice(1);
    expect(first).toContain('- c: EHLO a.example');
    expect(first).not.toContain('b.example');
    // The answer to NOOP was on its way when the client left: it comes before the close.
    expect(first).toMatch(/- c: NOOP\n {6}- s: 250 2\.0\.0 OK\n {6}- close: true\n/);
    expect(second).toContain('- c: EHLO b.example');
    expect(second).not.toContain('a.example');
  });
});

/** A scripted server, a recorder in front of it, and a raw client that has read the greeting. */
async function through(script: readonly PeerAction[], options: Omit<RecordingOptions, 'to'> = {}): Promise<{ peer: Peer; rec: Recording; client: RawClient }> {
  const peer = await startPeer(script);
  const rec = await startRecording({ to: { host: peer.host, port: peer.port }, ...options });
  const client = await RawClient.connect(rec.port);
  await client.readLine();
  return { peer, rec, client };
}

/** The spec passes against a new server playing `script` (the spec's port written `${port}`). */
async function passesAgainst(script: readonly PeerAction[], yaml: string, name: string): Promise<void> {
  const again = await startPeer(script);
  const run = await runSpec(yaml.replace('${port}', String(again.port)), name);
  await again.stop();
  expect(run.stdout).toContain('1 passed');
}

describe('bad input: a clear message and a spec of what passed', () => {
  const GREETING = '220 peer.test ESMTP';
  const EHLO_REPLY = crlf('250-peer.test', '250 STARTTLS');

  it('an unreachable server: said, nothing recorded, and the recorder ends', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const rec = await startRecording({ to: { host: '127.0.0.1', port } });
    const client = await RawClient.connect(rec.port);
    await client.closed();
    const result = await within(rec.result, 10_000, 'record');
    expect(result).toMatchObject({ connections: 1, failed: true });
    expect(result.yaml).toBeUndefined();
    expect(rec.notes.join('\n')).toContain(`cannot reach the server: connection refused by 127.0.0.1:${port}`);
  });

  it('a client speaking TLS to a plain listener: said (record with --tls), and no binary junk in the spec', async () => {
    const peer = await startPeer([send(crlf(GREETING)), hold()]);
    const rec = await startRecording({ to: { host: peer.host, port: peer.port } });
    const client = tls.connect({ host: '127.0.0.1', port: rec.port, rejectUnauthorized: false });
    const failed = await new Promise<string>((resolve) => {
      client.once('error', (error) => resolve(error.message));
      client.once('secureConnect', () => resolve('connected'));
    });
    client.destroy();
    expect(failed).not.toBe('connected');
    const result = await within(rec.result, 10_000, 'record');
    expect(result.failed).toBe(true);
    expect(rec.notes.join('\n')).toContain('the client started a TLS handshake on a plain listener: record with --tls');
    // The greeting may or may not have come before the client's handshake: nothing else is kept.
    if (result.yaml !== undefined) expect(result.yaml).toMatch(/steps:\n {6}- s: 220 peer\.test ESMTP\n$/);
    await peer.stop();
  });

  it('a server refusing STARTTLS: said, the refusal recorded, and the spec passes against it', async () => {
    const script: PeerAction[] = [
      send(crlf(GREETING)),
      expectBytes(crlf('EHLO client.test')),
      send(EHLO_REPLY),
      expectBytes(crlf('STARTTLS')),
      send(crlf('454 4.7.0 TLS not available due to local problem')),
      expectBytes(crlf('QUIT')),
      send(crlf('221 2.0.0 Bye')),
      close(),
    ];
    const { peer, rec, client } = await through(script);
    client.line('EHLO client.test');
    await client.until(/^250 .*\r\n/m);
    client.line('STARTTLS');
    expect(await client.readLine()).toMatch(/^454 /);
    client.line('QUIT');
    await client.readLine();
    await client.closed();
    const result = await within(rec.result, 10_000, 'record');
    expect(rec.notes.join('\n')).toContain('the client asked for TLS (STARTTLS) and the server did not accept it');
    const yaml = result.yaml ?? '';
    expect(yaml).toContain('- s: 454 4.7.0 TLS not available due to local problem');
    expect(yaml).not.toContain('tls:');
    await peer.stop();
    await passesAgainst(script, yaml.replace(`port: ${peer.port}`, 'port: ${port}'), 'refused.yaml');
  });

  it('a client that disconnects in the middle of the handshake: said, the spec ends with the handshake the server did', async () => {
    const peer = await startPeer([
      send(crlf(GREETING)),
      expectBytes(crlf('STARTTLS')),
      send(crlf('220 2.0.0 Ready to start TLS')),
      upgradeTls(pki.server),
      waitClose(),
    ]);
    const rec = await startRecording({ to: { host: peer.host, port: peer.port }, ca: [Buffer.from(pki.ca.cert)], servername: 'localhost' });
    const client = await RawClient.connect(rec.port);
    await client.readLine();
    client.line('STARTTLS');
    await client.readLine();
    // Half a ClientHello, then gone.
    client.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]));
    client.close();
    const result = await within(rec.result, 10_000, 'record');
    expect(result.failed).toBe(true);
    expect(rec.notes.join('\n')).toMatch(/TLS with the client failed: the client closed the connection during the TLS handshake/);
    expect(result.yaml).toMatch(/- c: STARTTLS\n {6}- s: 220 2\.0\.0 Ready to start TLS\n {6}- tls: \{\}\n$/);
    await peer.stop();
  });

  it('a server whose certificate does not verify: said, and the spec stops before the handshake', async () => {
    const { peer, rec, client } = await through([send(crlf(GREETING)), expectBytes(crlf('STARTTLS')), send(crlf('220 2.0.0 Ready to start TLS')), upgradeTls(pki.server), hold()], { servername: 'localhost' });
    client.line('STARTTLS');
    await client.readLine();
    // Both handshakes run at once: the client's may finish before the server's fails; the connection closes either way.
    await client.upgrade({ ca: rec.ca, servername: 'localhost' }).then(() => client.closed(), () => undefined);
    const result = await within(rec.result, 10_000, 'record');
    expect(rec.notes.join('\n')).toMatch(/TLS with the server failed: .*certificate.* \(--ca trusts a private CA, --servername names the server to check, --insecure checks nothing\)/);
    expect(result.yaml).toMatch(/- s: 220 2\.0\.0 Ready to start TLS\n$/);
    await peer.stop();
  });

  it('a plain client on a --tls listener: said (record without --tls)', async () => {
    const peer = await startPeer([upgradeTls(pki.server), send(crlf(GREETING)), hold()]);
    const rec = await startRecording({ to: { host: peer.host, port: peer.port }, tls: true, ca: [Buffer.from(pki.ca.cert)], servername: 'localhost' });
    const client = net.connect({ host: '127.0.0.1', port: rec.port });
    client.on('error', () => undefined);
    client.write('EHLO plain.test\r\n');
    const result = await within(rec.result, 15_000, 'record');
    client.destroy();
    expect(result).toMatchObject({ failed: true, connections: 1 });
    expect(result.yaml).toBeUndefined();
    expect(rec.notes).toContain('connection 1: TLS with the client failed: the client did not speak TLS (wrong version number): record without --tls and let it use STARTTLS');
    await peer.stop();
  });

  it('bytes pass unchanged both ways, also what is not UTF-8 and a reply split into small writes', async () => {
    const odd = Buffer.from('NOOP caf\xe9 \x00\x7f\r\n', 'latin1');
    const reply = Buffer.from('250 ok \xff\xfe\r\n', 'latin1');
    const { peer, rec, client } = await through([send(crlf(GREETING)), expectBytes(odd), sendSplit(reply, 3), expectBytes(crlf('QUIT')), send(crlf('221 Bye')), close()]);
    client.write(odd);
    expect(Buffer.from(await client.until(/\r\n/), 'latin1').equals(reply)).toBe(true);
    client.line('QUIT');
    await client.readLine();
    await client.closed();
    expect((await peer.session(0)).received.equals(Buffer.concat([odd, Buffer.from(crlf('QUIT'))]))).toBe(true);
    expect((await within(rec.result, 10_000, 'record')).yaml).toContain('- s: 221 Bye');
    await peer.stop();
  });

  it('a client line holding a CR: written as the exact bytes sent (a `c:` may not hold one), and the spec passes', async () => {
    const script: PeerAction[] = [send(crlf(GREETING)), expectBytes('NOOP\r\r\n'), send(crlf('500 5.5.2 Error: bad syntax')), expectBytes(crlf('QUIT')), send(crlf('221 Bye')), close()];
    const { peer, rec, client } = await through(script);
    client.write('NOOP\r\r\n');
    await client.readLine();
    client.line('QUIT');
    await client.readLine();
    await client.closed();
    const yaml = (await within(rec.result, 10_000, 'record')).yaml ?? '';
    expect(yaml).toContain('# holds a CR: sent as recorded, with its CRLF\n      - send: "NOOP\\r\\r\\n"');
    await peer.stop();
    await passesAgainst(script, yaml.replace(`port: ${peer.port}`, 'port: ${port}'), 'cr.yaml');
  });

  it('a server that says nothing (it waits for TLS at connect): a hint to use --tls', async () => {
    const peer = await startPeer([hold()]);
    const rec = await startRecording({ to: { host: peer.host, port: peer.port }, timeoutMs: 200 });
    const client = await RawClient.connect(rec.port);
    await expect.poll(() => rec.notes, { timeout: 10_000 }).toContain('connection 1: the server has said nothing for 0.2s: does it expect TLS at connect (--tls)?');
    client.close();
    const result = await within(rec.result, 5_000, 'record');
    expect(result.yaml).toBeUndefined();
    await peer.stop();
  });

  it('a client that resets the connection has closed it: close: true, and no failure', async () => {
    const { peer, rec, client } = await through([send(crlf(GREETING)), expectBytes(crlf('EHLO client.test')), send(crlf('250 peer.test')), hold()]);
    client.line('EHLO client.test');
    await client.readLine();
    client.socket.resetAndDestroy();
    const result = await within(rec.result, 5_000, 'record');
    expect(result.failed).toBe(false);
    expect(result.yaml).toMatch(/- s: 250 peer\.test\n {6}- close: true\n$/);
    await peer.stop();
  });

  it('a server that resets the connection: said, a failure, and the spec of what passed', async () => {
    const { peer, rec, client } = await through([send(crlf(GREETING)), expectBytes(crlf('EHLO client.test')), reset()]);
    client.line('EHLO client.test');
    await client.closed();
    const result = await within(rec.result, 5_000, 'record');
    expect(result.failed).toBe(true);
    expect(rec.notes).toContain('connection 1: connection reset by the server');
    expect(result.yaml).toMatch(/- s: 220 peer\.test ESMTP\n {6}- c: EHLO client\.test\n$/);
    await peer.stop();
  });

  it('Ctrl-C in the middle of a conversation: what passed is written', async () => {
    const { peer, rec, client } = await through([send(crlf(GREETING)), expectBytes(crlf('EHLO client.test')), send(EHLO_REPLY), hold()]);
    client.line('EHLO client.test');
    await client.until(/^250 .*\r\n/m);
    rec.stop();
    const result = await within(rec.result, 5_000, 'record');
    client.close();
    expect(result.interrupted).toBe(true);
    expect(result.yaml).toMatch(/- s: 220 peer\.test ESMTP\n {6}- c: EHLO client\.test\n {6}- s:\n {10}- 250-peer\.test\n {10}- 250 STARTTLS\n$/);
    await peer.stop();
  });

  it('a warning about a conversation names its connection, also when two overlap', async () => {
    const peer = await startPeer([send(crlf(GREETING)), expectBytes(crlf('EHLO client.test')), send(crlf('250 peer.test')), hold()]);
    const rec = await startRecording({ to: { host: peer.host, port: peer.port }, connections: 2 });
    const a = await RawClient.connect(rec.port);
    await a.readLine();
    const b = await RawClient.connect(rec.port);
    await b.readLine();
    for (const client of [a, b]) {
      client.line('EHLO client.test');
      await client.readLine();
    }
    // Unanswered when Ctrl-C comes.
    a.line('NOOP');
    const first = await peer.session(0);
    await expect.poll(() => first.received.toString('latin1'), { timeout: 10_000 }).toContain('NOOP\r\n');
    rec.stop();
    const result = await within(rec.result, 5_000, 'record');
    a.close();
    b.close();
    expect(result.yaml).toMatch(/- c: NOOP\n {2}- name: "connection 2/);
    expect(rec.notes).toContain('connection 1: the transcript ends before the server answered this; the spec ends with it too');
    await peer.stop();
  });

  it('Ctrl-C while the server has not finished its handshake: no crash, and the spec stops before the handshake', async () => {
    const { peer, rec, client } = await through([send(crlf(GREETING)), expectBytes(crlf('STARTTLS')), send(crlf('220 2.0.0 Ready to start TLS')), hold()]);
    client.line('STARTTLS');
    await client.readLine();
    const handshake = client.upgrade({ ca: rec.ca, servername: 'localhost' }).catch(() => undefined);
    const session = await peer.session(0);
    // The recorder's ClientHello reached the server, which never answers it.
    await expect.poll(() => session.received.length, { timeout: 10_000 }).toBeGreaterThan('STARTTLS\r\n'.length);
    rec.stop();
    const result = await within(rec.result, 5_000, 'record');
    client.close();
    await handshake;
    expect(result.interrupted).toBe(true);
    expect(result.yaml).toMatch(/- c: STARTTLS\n {6}- s: 220 2\.0\.0 Ready to start TLS\n$/);
    await peer.stop();
  });

  it('Ctrl-C before any client came: nothing recorded, and it ends', async () => {
    const rec = await startRecording({ to: { host: '127.0.0.1', port: 9 } });
    rec.stop();
    const result = await within(rec.result, 5_000, 'record');
    expect(result).toMatchObject({ connections: 0, interrupted: true });
    expect(result.yaml).toBeUndefined();
  });
});
