import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCert, createPki } from '../../src/pki/index.js';
import type { KeyPairPem, Pki } from '../../src/pki/index.js';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

const servers: tls.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(pair: KeyPairPem): Promise<number> {
  const server = tls.createServer({ cert: pair.cert, key: pair.key }, (socket) => socket.end());
  server.on('tlsClientError', () => undefined);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Handshake with the test CA trusted; resolves with Node's verdict either way. */
async function verdict(port: number, servername?: string): Promise<{ authorized: boolean; code?: string }> {
  const socket = tls.connect({ host: '127.0.0.1', port, ca: pki.ca.cert, servername, rejectUnauthorized: true });
  try {
    await once(socket, 'secureConnect');
    return { authorized: socket.authorized };
  } catch (error) {
    return { authorized: false, code: (error as NodeJS.ErrnoException).code };
  } finally {
    socket.destroy();
  }
}

describe('createPki', () => {
  it('makes a CA and a server certificate it signs, with the default names', () => {
    const ca = new X509Certificate(pki.ca.cert);
    const server = new X509Certificate(pki.server.cert);
    expect(ca.subject).toContain('CN=convospec test CA');
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.subjectAltName).toBe(
      'DNS:localhost, DNS:mail.convospec.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
  });

  it('honours hosts, ips, days and now', async () => {
    const now = new Date('2030-06-01T00:00:00Z');
    const other = await createPki({ hosts: ['a.test'], ips: ['10.0.0.1'], days: 2, now });
    const cert = new X509Certificate(other.server.cert);
    expect(cert.subjectAltName).toBe('DNS:a.test, IP Address:10.0.0.1');
    expect(new Date(cert.validTo).getTime()).toBe(now.getTime() + 2 * 86_400_000);
  });

  it('verifies in a real handshake by name and by IP address', async () => {
    const port = await serve(pki.server);
    expect(await verdict(port, 'mail.convospec.test')).toEqual({ authorized: true });
    expect(await verdict(port)).toEqual({ authorized: true });
  });
});

describe('createCert', () => {
  const cases = [
    ['expired', 'CERT_HAS_EXPIRED'],
    ['notYetValid', 'CERT_NOT_YET_VALID'],
    ['wrongName', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['selfSigned', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['unknownCa', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ] as const;
  for (const [kind, code] of cases) {
    it(`${kind} fails with ${code}`, async () => {
      const port = await serve(await createCert(kind, { ca: pki.ca }));
      expect(await verdict(port, 'mail.convospec.test')).toEqual({ authorized: false, code });
    });
  }

  it('wrongName names only wrong.example', async () => {
    const cert = new X509Certificate((await createCert('wrongName', { ca: pki.ca })).cert);
    expect(cert.subjectAltName).toBe('DNS:wrong.example');
  });
});
