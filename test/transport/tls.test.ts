/** Implicit TLS, STARTTLS, and hostile certificates against scripted peers. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TransportError } from '../../src/transport/index.js';
import type { SocketConnection } from '../../src/transport/index.js';
import type { ConnectOptions, ResolvedTls } from '../../src/transport/types.js';
import type { KeyPairPem } from '../../src/pki/index.js';
import { close, expectBytes, hold, send, startPeer, upgradeTls, waitClose } from '../helpers/peer.js';
import type { Peer, PeerAction, UpgradeOptions } from '../helpers/peer.js';
import { connectTo, failure, createTestCerts, inMs } from '../helpers/transport.js';
import type { TestCerts } from '../helpers/transport.js';

let certs: TestCerts;
beforeAll(async () => {
  certs = await createTestCerts();
});

const peers: Peer[] = [];
const connections: SocketConnection[] = [];
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  await Promise.all(peers.splice(0).map((peer) => peer.stop()));
});

async function peerWith(script: PeerAction[]): Promise<Peer> {
  const peer = await startPeer(script);
  peers.push(peer);
  return peer;
}

async function open(peer: Peer, overrides: Partial<ConnectOptions> = {}): Promise<SocketConnection> {
  const conn = await connectTo(peer, overrides);
  connections.push(conn);
  return conn;
}

const trusting = (extra: Partial<ResolvedTls> = {}): ResolvedTls => ({
  verify: true,
  ca: [Buffer.from(certs.pki.ca.cert)],
  servername: 'mail.convospec.test',
  ...extra,
});

/** The message an implicit-TLS connect fails with when the server presents `pair`. */
async function handshakeFailure(pair: KeyPairPem, tls: ResolvedTls, options: UpgradeOptions = {}): Promise<TransportError> {
  const peer = await peerWith([upgradeTls(pair, options), hold()]);
  const error = await failure(open(peer, { tls }));
  expect(error.kind).toBe('tls');
  return error;
}

describe('implicit TLS', () => {
  it('verifies the server against the test CA and reports the handshake', async () => {
    const peer = await peerWith([upgradeTls(certs.pki.server), send('220 hi\r\n'), expectBytes('QUIT\r\n'), close()]);
    const conn = await open(peer, { tls: trusting() });
    expect(conn.tls).toMatchObject({
      protocol: 'TLSv1.3',
      authorized: true,
      subject: 'CN=localhost, O=convospec',
      issuer: 'CN=convospec test CA, O=convospec',
      altNames: 'DNS:localhost, DNS:mail.convospec.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    });
    expect(conn.tls?.authorizationError).toBeUndefined();
    expect(conn.tls?.cipher).toMatch(/^TLS_/);
    expect(conn.tls?.validTo?.getTime()).toBeGreaterThan(Date.now());
    expect((await conn.readLine(inMs(5000))).toString()).toBe('220 hi');
    await conn.write(Buffer.from('QUIT\r\n'), inMs(5000));
    const session = await peer.session();
    expect(await session.done).toEqual({ completed: true });
  });

  it('checks an IP address host against the IP SANs when no servername is given', async () => {
    const peer = await peerWith([upgradeTls(certs.pki.server), hold()]);
    const conn = await open(peer, { tls: { verify: true, ca: [Buffer.from(certs.pki.ca.cert)] } });
    expect(conn.tls?.authorized).toBe(true);
  });

  it('does not trust the test CA unless it is given', async () => {
    const error = await handshakeFailure(certs.pki.server, { verify: true, servername: 'mail.convospec.test' });
    expect(error.message).toMatch(/^unable to verify the certificate: unknown CA \(.*issuer CN=convospec test CA, O=convospec\)$/);
  });

  it('fails a stalled handshake (TCP accepted, ClientHello never answered) at the deadline', async () => {
    const peer = await peerWith([hold()]);
    const error = await failure(open(peer, { tls: trusting(), deadline: inMs(400) }));
    expect(error.kind).toBe('timeout');
    expect(error.message).toMatch(/^the TLS handshake did not finish within \d/);
    // The ClientHello did go out: this was the handshake stalling, not the connect.
    expect((await peer.session()).received[0]).toBe(0x16);
  });

  it('says so when the server does not speak TLS', async () => {
    const peer = await peerWith([send('220 plain text greeting\r\n'), hold()]);
    const error = await failure(open(peer, { tls: trusting() }));
    expect(error.kind).toBe('tls');
    expect(error.message).toBe('the server did not answer with TLS (wrong version number)');
  });
});

describe('hostile certificates', () => {
  it('wrong name: names the host and the certificate\'s names', async () => {
    const error = await handshakeFailure(certs.wrongName, trusting());
    expect(error.message).toBe('host name mail.convospec.test does not match the certificate (DNS:wrong.example)');
  });

  it('wrong name, checked by IP address', async () => {
    const error = await handshakeFailure(certs.wrongName, trusting({ servername: undefined }));
    expect(error.message).toBe('IP address 127.0.0.1 does not match the certificate (DNS:wrong.example)');
  });

  it('expired', async () => {
    const error = await handshakeFailure(certs.expired, trusting());
    expect(error.message).toMatch(/^certificate has expired \(valid until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)$/);
  });

  it('not yet valid', async () => {
    const error = await handshakeFailure(certs.notYetValid, trusting());
    expect(error.message).toMatch(/^certificate is not yet valid \(valid from \d{4}-/);
  });

  it('self-signed', async () => {
    const error = await handshakeFailure(certs.selfSigned, trusting());
    expect(error.message).toBe('self-signed certificate (CN=mail.convospec.test, O=convospec)');
  });

  it('signed by an unknown CA', async () => {
    const error = await handshakeFailure(certs.unknownCa, trusting());
    expect(error.message).toBe(
      'unable to verify the certificate: unknown CA (unable to verify the first certificate; issuer CN=convospec untrusted CA, O=convospec)',
    );
  });

  it('verify: false lets the handshake go on and reports why it would have failed', async () => {
    const peer = await peerWith([upgradeTls(certs.wrongName), send('220 hi\r\n'), hold()]);
    const conn = await open(peer, { tls: trusting({ verify: false }) });
    expect(conn.tls).toMatchObject({
      authorized: false,
      authorizationError: 'host name mail.convospec.test does not match the certificate (DNS:wrong.example)',
      subject: 'CN=wrong.example, O=convospec',
    });
    expect((await conn.readLine(inMs(5000))).toString()).toBe('220 hi');
  });

  it('verify: false with a good certificate reports authorized', async () => {
    const peer = await peerWith([upgradeTls(certs.pki.server), hold()]);
    const conn = await open(peer, { tls: trusting({ verify: false }) });
    expect(conn.tls?.authorized).toBe(true);
  });
});

describe('which side refused', () => {
  it('the server, with a TLS alert', async () => {
    const error = await handshakeFailure(certs.pki.server, trusting({ minVersion: 'TLSv1.3' }), { maxVersion: 'TLSv1.2' });
    expect(error.message).toBe('the server refused the handshake: protocol version (TLS alert 70)');
  });

  it('our own OpenSSL, before asking the server', async () => {
    const error = await handshakeFailure(certs.pki.server, trusting({ maxVersion: 'TLSv1.1' }));
    expect(error.message).toMatch(/^refused locally: /);
  });

  it('the server, refusing a missing client certificate after a TLS 1.3 handshake', async () => {
    const options: UpgradeOptions = { requestCert: true, ca: certs.pki.ca.cert };
    const peer = await peerWith([upgradeTls(certs.pki.server, options), send('220 hello client\r\n'), hold()]);
    const conn = await open(peer, { tls: trusting() });
    const error = await failure(conn.readLine(inMs(5000)));
    expect(error.kind).toBe('tls');
    expect(error.message).toBe('the server refused the handshake: certificate required (TLS alert 116)');
  });

  it('presents a client certificate when asked to', async () => {
    const options: UpgradeOptions = { requestCert: true, ca: certs.pki.ca.cert };
    const peer = await peerWith([upgradeTls(certs.pki.server, options), send('220 hello client\r\n'), hold()]);
    const tls = trusting({ cert: Buffer.from(certs.pki.server.cert), key: Buffer.from(certs.pki.server.key) });
    const conn = await open(peer, { tls });
    expect((await conn.readLine(inMs(5000))).toString()).toBe('220 hello client');
  });
});

describe('STARTTLS', () => {
  it('discards bytes injected before the handshake (RFC 3207 §6)', async () => {
    const peer = await peerWith([
      send('220 ready\r\n'),
      expectBytes('STARTTLS\r\n'),
      // One packet: the real reply and an attacker's line, both in the clear.
      send('220 go\r\nINJECTED\r\n'),
      upgradeTls(certs.pki.server),
      expectBytes('EHLO x\r\n'),
      send('250 after\r\n'),
      waitClose(),
    ]);
    const conn = await open(peer);
    expect((await conn.readLine(inMs(5000))).toString()).toBe('220 ready');
    await conn.write(Buffer.from('STARTTLS\r\n'), inMs(5000));
    expect((await conn.readLine(inMs(5000))).toString()).toBe('220 go');
    // The injected line really was buffered when the handshake began.
    expect(await conn.waitForData(inMs(5000))).toBe(true);
    expect(conn.buffered).toBe('INJECTED\r\n'.length);
    const info = await conn.startTls(trusting(), inMs(5000));
    expect(info.authorized).toBe(true);
    expect(conn.tls).toBe(info);
    await conn.write(Buffer.from('EHLO x\r\n'), inMs(5000));
    expect((await conn.readLine(inMs(5000))).toString()).toBe('250 after');
    conn.close();
    const session = await peer.session();
    expect(await session.done).toEqual({ completed: true });
    expect(session.received.toString('latin1')).toBe('STARTTLS\r\nEHLO x\r\n');
  });

  it('fails a hostile certificate after STARTTLS and closes the connection', async () => {
    const peer = await peerWith([send('220 go\r\n'), upgradeTls(certs.expired), hold()]);
    const conn = await open(peer);
    await conn.readLine(inMs(5000));
    const error = await failure(conn.startTls(trusting(), inMs(5000)));
    expect(error.kind).toBe('tls');
    expect(error.message).toMatch(/^certificate has expired/);
    expect((await failure(conn.readLine(inMs(5000)))).kind).toBe('closed');
  });

  it('fails a stalled STARTTLS handshake at the deadline', async () => {
    const peer = await peerWith([send('220 go\r\n'), hold()]);
    const conn = await open(peer);
    await conn.readLine(inMs(5000));
    const error = await failure(conn.startTls(trusting(), inMs(400)));
    expect(error.kind).toBe('timeout');
    expect(error.message).toMatch(/^the TLS handshake did not finish within /);
  });
});
