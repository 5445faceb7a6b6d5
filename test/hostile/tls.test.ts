/**
 * Hostile TLS peers and the STARTTLS injection (RFC 3207 §6), through the CLI. Verification
 * stays on (the CA of this run is trusted): each broken certificate fails in its own words,
 * a stalled handshake ends at its timeout, and plaintext injected before the handshake is
 * never read as a reply.
 */
import { describe, expect, it } from 'vitest';
import { createCert, createPki, type Pki } from '../../src/pki/index.js';
import { injectingStartTlsPeer, stalledStartTlsPeer, stalledTlsPeer, startTlsPeer, tlsPeer } from './peers.js';
import { expectFailure, hostileSetup, jsonTest, keyAt, lineOf, runWithReports, type Location } from './harness.js';

const HANG_GUARD_MS = 15_000;

let pki: Pki;
const { ws: workspaceOf, good: goodOf, start } = hostileSetup(async (w) => {
  pki = await createPki();
  await w.write('ca.pem', pki.ca.cert);
});

function spec(port: number, steps: string, connectExtra = ''): string {
  return `name: hostile tls
timeout: 1s
tls: { ca: ca.pem, servername: mail.convospec.test }
tests:
  - name: hostile
    connect: { host: 127.0.0.1, port: ${port}, protocol: smtp${connectExtra} } #connect
    steps:
${steps}
  - name: good
    connect: { host: 127.0.0.1, port: ${goodOf().port}, protocol: smtp }
    steps:
      - s: 220
      - c: EHLO client.test
      - s: { code: 250, contains: [PIPELINING] }
      - c: QUIT
      - s: 221
`;
}

const STARTTLS = ['      - s: 220', '      - c: EHLO client.test', '      - s: { code: 250, contains: [STARTTLS] }', '      - c: STARTTLS', '      - s: 220'];

/** Failures at connect point at the test's `connect:` key. */
const connectAt = (file: string, text: string): Location => keyAt(file, text, '#connect', 'connect');

/** Each broken certificate, and the words its failure must use. */
const CERT_FAILURES = [
  ['expired', /certificate has expired/],
  ['wrongName', /host name mail\.convospec\.test does not match the certificate \(DNS:wrong\.example\)/],
  ['selfSigned', /self-signed certificate/],
  ['unknownCa', /unknown CA/],
  ['notYetValid', /certificate is not yet valid/],
] as const;

describe('hostile TLS peers', () => {
  it.each(CERT_FAILURES)('implicit TLS with the %s certificate: the connect step fails and says why', async (kind, message) => {
    const peer = await start(tlsPeer(await createCert(kind, { ca: pki.ca })));
    const text = spec(peer.port, '      - s: 220', ', tls: true');
    const file = await workspaceOf().write(`implicit-${kind}.yaml`, text);
    const reports = await runWithReports(workspaceOf(), file);
    expectFailure(reports, connectAt(`implicit-${kind}.yaml`, text), message);
    expect(jsonTest(reports, 'hostile').failure?.kind).toBe('tls');
    expect(reports.elapsedMs).toBeLessThan(HANG_GUARD_MS);
    await peer.waitAllClosed();
  });

  it.each(CERT_FAILURES)('STARTTLS with the %s certificate: the tls step fails and says why', async (kind, message) => {
    const peer = await start(startTlsPeer(await createCert(kind, { ca: pki.ca })));
    const text = spec(peer.port, [...STARTTLS, '      - tls: {} #fails', '      - c: EHLO client.test'].join('\n'));
    const file = await workspaceOf().write(`starttls-${kind}.yaml`, text);
    const reports = await runWithReports(workspaceOf(), file);
    expectFailure(reports, keyAt(`starttls-${kind}.yaml`, text, '#fails'), message);
    expect(reports.elapsedMs).toBeLessThan(HANG_GUARD_MS);
    await peer.waitAllClosed();
  });

  it('implicit TLS, handshake never answered: fails within the connect timeout and says it was the handshake', async () => {
    const peer = await start(stalledTlsPeer());
    const text = spec(peer.port, '      - s: 220', ', tls: true, timeout: 1s');
    const file = await workspaceOf().write('implicit-stalled.yaml', text);
    const reports = await runWithReports(workspaceOf(), file);
    expectFailure(reports, connectAt('implicit-stalled.yaml', text), /TLS handshake did not finish within 1s/);
    expect(reports.elapsedMs).toBeLessThan(HANG_GUARD_MS);
    await peer.waitAllClosed();
  });

  it('STARTTLS, handshake never answered: "the TLS handshake did not finish within 1s" at the tls step', async () => {
    const peer = await start(stalledStartTlsPeer());
    const text = spec(peer.port, [...STARTTLS, '      - tls: {} #fails'].join('\n'));
    const file = await workspaceOf().write('starttls-stalled.yaml', text);
    const reports = await runWithReports(workspaceOf(), file);
    expectFailure(reports, keyAt('starttls-stalled.yaml', text, '#fails'), /the TLS handshake did not finish within 1s/);
    expect(reports.elapsedMs).toBeLessThan(HANG_GUARD_MS);
    await peer.waitAllClosed();
  });

  it('plaintext injected after "220 go" is discarded: the next s: sees the real post-TLS reply', async () => {
    const peer = await start(injectingStartTlsPeer(pki.server));
    const steps = [
      ...STARTTLS,
      "      - tls: { expect: { authorized: true } }",
      '      - c: EHLO client.test',
      '      - s: { code: 250, contains: [AFTER TLS], excludes: [INJECTED] }',
      '      - c: QUIT',
      '      - s: 221',
    ].join('\n');
    const file = await workspaceOf().write('injection.yaml', spec(peer.port, steps));
    const reports = await runWithReports(workspaceOf(), file);
    expect(reports.cli.code, reports.cli.stdout).toBe(0);
    expect(jsonTest(reports, 'hostile').status).toBe('passed');
    const lines = jsonTest(reports, 'hostile').transcript;
    expect(lines.filter((e) => e.dir === 's' && e.text.includes('INJECTED'))).toEqual([]);
    expect(lines.some((e) => e.dir === 's' && e.text.includes('AFTER TLS'))).toBe(true);
    // The server saw its EHLO over TLS: the client did not answer the injection.
    expect(peer.received()).not.toMatch(/INJECTED/);
  });

  it('plaintext injected after "220 go" is discarded even when the spec reads a bare s: 250 next', async () => {
    // A client that kept the injected bytes would take "250 INJECTED" as the EHLO reply and
    // pass a bare `s: 250`; the real reply is multi-line, so `lines` tells them apart.
    const peer = await start(injectingStartTlsPeer(pki.server));
    const steps = [...STARTTLS, '      - tls: {}', '      - c: EHLO client.test', '      - s: 250', '      - s: { closed: true, timeout: 1s } #fails'].join('\n');
    const text = spec(peer.port, steps);
    const file = await workspaceOf().write('injection-bare.yaml', text);
    const reports = await runWithReports(workspaceOf(), file);
    const hostile = jsonTest(reports, 'hostile');
    // The 250 read was the real multi-line one, so the stream is empty after it and the
    // server (which keeps the connection) never closes: the last step times out.
    expect(hostile.transcript.filter((e) => e.dir === 's' && e.text.includes('INJECTED'))).toEqual([]);
    expect(hostile.failure?.line).toBe(lineOf(text, '#fails'));
    expect(hostile.failure?.message).toMatch(/did not close the connection within 1s|no reply within 1s/);
  });
});
