/**
 * `convospec record` as a command: usage errors (exit 2), and the built CLI as a real process
 * between a raw client and a scripted SMTP server: `listening on` on stderr, the spec alone on
 * stdout, and Ctrl-C (SIGINT) or SIGTERM writing what passed to -o, with exit 130 or 143.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../demo/client.js';
import { builtCli } from '../helpers/build.js';
import { workspace, type Workspace } from '../helpers/cli.js';
import { createPki } from '../../src/pki/index.js';
import { close, expectBytes, hold, send, startPeer, upgradeTls, type Peer } from '../helpers/peer.js';
import { spawnRecorder } from './helpers.js';

let MAIN: string;
let ws: Workspace;

beforeAll(async () => {
  MAIN = builtCli();
  ws = await workspace();
}, 200_000);

afterAll(async () => {
  await ws.dispose();
});

const crlf = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');

describe('usage', () => {
  it.each([
    [['record', '--to', '127.0.0.1:25'], 'record needs --listen HOST:PORT'],
    [['record', '--listen', '127.0.0.1:0'], 'record needs --to HOST:PORT'],
    [['record', '--listen', 'nowhere', '--to', '127.0.0.1:25'], '--listen takes HOST:PORT (e.g. 127.0.0.1:2525), got "nowhere"'],
    [['record', '--listen', '0', '--to', '127.0.0.1:70000'], '--to takes HOST:PORT'],
    [['record', '--listen', '0', '--to', '127.0.0.1:25', '--protocol', 'http'], '--protocol must be one of smtp'],
    [['record', '--listen', '0', '--to', '127.0.0.1:25', '--cert', 'c.pem'], '--cert and --key go together'],
    [['record', '--listen', '0', '--to', '127.0.0.1:25', '--connections', '0'], '--connections takes a whole number from 1 up'],
    [['record', '--listen', '0', '--to', '127.0.0.1:25', '--ca', 'missing.pem'], '--ca: cannot read missing.pem'],
  ])('%j: exit 2, said', async (args, message) => {
    const run = await ws.run(args);
    expect(run.stderr).toContain(message);
    expect(run.code).toBe(2);
  });
});

const GREETING = '220 peer.test ESMTP';

it('a --listen port in use: exit 2, said', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as net.AddressInfo).port;
  const run = await ws.run(['record', '--listen', `127.0.0.1:${port}`, '--to', '127.0.0.1:25']);
  await new Promise((resolve) => taken.close(resolve));
  expect(run.stderr).toContain(`convospec: cannot listen on 127.0.0.1:${port}: the port is in use`);
  expect(run.code).toBe(2);
});

describe('the built command', () => {
  let peer: Peer;
  beforeAll(async () => {
    peer = await startPeer([send(crlf(GREETING)), expectBytes(crlf('EHLO client.test')), send(crlf('250-peer.test', '250 8BITMIME')), expectBytes(crlf('QUIT')), send(crlf('221 Bye')), close()]);
  });
  afterAll(async () => {
    await peer.stop();
  });

  it('without -o: "listening on" on stderr, the spec alone on stdout, exit 0', async () => {
    const cli = await spawnRecorder(MAIN, ws.dir, ['--to', `127.0.0.1:${peer.port}`]);
    const client = await RawClient.connect(cli.port);
    await client.readLine();
    client.line('EHLO client.test');
    await client.until(/^250 .*\r\n/m);
    client.line('QUIT');
    await client.readLine();
    await client.closed();
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(/^# Recorded by convospec record, a proxy to 127\.0\.0\.1:\d+/);
    expect(cli.stdout()).toContain(`connect: { host: 127.0.0.1, port: ${peer.port}, protocol: smtp }`);
    expect(cli.stdout()).toMatch(/- c: QUIT\n {6}- s: 221 Bye\n {6}- s: \{ closed: true \}\n$/);
    expect(cli.stdout()).not.toContain('listening on');
    expect(cli.stderr()).toContain('record: connection 1: over (6 lines)');
  });

  it.each([
    [['--ca', 'server-ca.pem', '--servername', 'localhost', '-o', 'specs/tls.yaml'], 'specs/tls.yaml', '{ ca: ../server-ca.pem, servername: localhost }'],
    [['--insecure', '-o', 'insecure.yaml'], 'insecure.yaml', '{ verify: false }'],
  ])('the TLS flags go into the spec\'s tls step: %j', async (flags, file, written) => {
    const pki = await createPki();
    await ws.write('server-ca.pem', pki.ca.cert);
    await ws.write('specs/.keep', '');
    const tlsPeer = await startPeer([send(crlf(GREETING)), expectBytes(crlf('STARTTLS')), send(crlf('220 go ahead')), upgradeTls(pki.server), expectBytes(crlf('QUIT')), send(crlf('221 Bye')), close()]);
    const cli = await spawnRecorder(MAIN, ws.dir, ['--to', `127.0.0.1:${tlsPeer.port}`, '--ca-out', 'rec-ca.pem', ...flags]);
    const client = await RawClient.connect(cli.port);
    await client.readLine();
    client.line('STARTTLS');
    await client.readLine();
    await client.upgrade({ ca: await readFile(join(ws.dir, 'rec-ca.pem'), 'utf8'), servername: 'localhost' });
    client.line('QUIT');
    await client.readLine();
    await client.closed();
    expect(await cli.exited, cli.stderr()).toBe(0);
    expect(await readFile(join(ws.dir, file), 'utf8')).toContain(`- s: 220 go ahead\n      - tls: ${written}\n      - c: QUIT\n`);
    await tlsPeer.stop();
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} in the middle of a conversation: what passed goes to -o, exit ${code}`, async () => {
      const silent = await startPeer([send(crlf(GREETING)), expectBytes(crlf('EHLO client.test')), send(crlf('250 peer.test')), hold()]);
      const file = `${signal}.yaml`;
      const cli = await spawnRecorder(MAIN, ws.dir, ['--to', `127.0.0.1:${silent.port}`, '-o', file]);
      const client = await RawClient.connect(cli.port);
      await client.readLine();
      client.line('EHLO client.test');
      await client.readLine();
      cli.child.kill(signal);
      expect(await cli.exited).toBe(code);
      client.close();
      const yaml = await readFile(join(ws.dir, file), 'utf8');
      expect(yaml).toMatch(/steps:\n {6}- s: 220 peer\.test ESMTP\n {6}- c: EHLO client\.test\n {6}- s: 250 peer\.test\n$/);
      expect(cli.stderr()).toContain(`wrote ${file}`);
      await silent.stop();
    });
  }
});
