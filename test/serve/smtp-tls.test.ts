/**
 * Server-side TLS in serve mode (format §9): STARTTLS and implicit TLS with the certificate
 * made at start-up (its CA written by `--ca-out`), against curl, smtplib and nodemailer;
 * AUTH PLAIN inside TLS with the password hidden in every output.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { client, python, serve, HAS, freshWorkspace, envelope } from './harness.js';

const ws = freshWorkspace();

const ALICE_TO_BOB = envelope('/^MAIL FROM:<alice@example\\.test>/i', '/^RCPT TO:<bob@example\\.test>/i');

const STARTTLS = `
name: Submission
connect: { port: 0, protocol: smtp }
vars: { user: alice, pass: s3cret-Passw0rd }
secrets: [pass]
tests:
  - name: STARTTLS, then AUTH PLAIN, then a message
    steps:
      - s: 220 mail.test ESMTP
      - c: '/^EHLO /i'
      - s: ["250-mail.test", "250-STARTTLS", "250 AUTH PLAIN"]
      - c: STARTTLS
      - s: 220 2.0.0 Ready to start TLS
      - tls: { expect: { protocol: TLSv1.3 } }
      - c: '/^EHLO /i'
      - s: ["250-mail.test", "250 AUTH PLAIN"]
      - c: AUTH PLAIN
      - s: 334
      - c: \${sasl_plain(user, pass)}
      - s: 235
${ALICE_TO_BOB}      - data: { any: true }
      - s: 250
      - c: QUIT
      - s: 221
`;

describe('serve: TLS', () => {
  it.skipIf(!(HAS.curl))('curl --ssl-reqd upgrades with STARTTLS, trusts the CA written by --ca-out, and logs in; the password shows as *** only', async () => {
    await ws.write('submission.yaml', STARTTLS);
    const served = await serve(ws, ['submission.yaml', '--ca-out', 'ca.pem', '--accept-timeout', '10s', '--verbose', '--junit', 'junit.xml']);
    const mail = await ws.write('mail.txt', 'Subject: hi\r\n\r\nhello\r\n');
    const curl = await client('curl', ['-sS', '--ssl-reqd', '--cacert', join(ws.dir, 'ca.pem'), `smtp://localhost:${served.ports[0]}`,
      '--user', 'alice:s3cret-Passw0rd', '--login-options', 'AUTH=PLAIN', '--mail-from', 'alice@example.test', '--mail-rcpt', 'bob@example.test', '-T', mail]);
    const result = await served.done;
    expect(curl.stderr).toBe('');
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain('c: ***');
    const junit = await readFile(join(ws.dir, 'junit.xml'), 'utf8');
    for (const out of [result.stdout, junit]) {
      expect(out).not.toContain('s3cret-Passw0rd');
      expect(out).not.toContain(Buffer.from('\0alice\0s3cret-Passw0rd').toString('base64'));
    }
  });

  it.skipIf(!(HAS.python3))('a client that skips STARTTLS fails at the STARTTLS step, with what it sent instead', async () => {
    await ws.write('submission.yaml', STARTTLS);
    const served = await serve(ws, ['submission.yaml', '--ca-out', 'ca.pem', '--accept-timeout', '10s']);
    await python(`import smtplib
s = smtplib.SMTP('127.0.0.1', PORT)
try:
    s.login('alice', 's3cret-Passw0rd')
except Exception as e:
    print(e)`, served.ports[0]!);
    const result = await served.done;
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('submission.yaml:12:12: expected the client to send "STARTTLS", got "AUTH PLAIN ***"');
    expect(result.stdout).not.toContain('s3cret-Passw0rd');
  });

  it.skipIf(!(HAS.curl))('a client that does not trust the certificate fails the handshake, named at the tls step', async () => {
    await ws.write('submission.yaml', STARTTLS);
    const served = await serve(ws, ['submission.yaml', '--accept-timeout', '10s']);
    const mail = await ws.write('mail.txt', 'Subject: hi\r\n\r\nhello\r\n');
    const curl = await client('curl', ['-sS', '--ssl-reqd', `smtp://localhost:${served.ports[0]}`, '--mail-from', 'alice@example.test', '--mail-rcpt', 'bob@example.test', '-T', mail]);
    const result = await served.done;
    expect(curl.code).not.toBe(0);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/submission\.yaml:14:9: the TLS handshake with the client failed: the client refused the handshake: unknown ca/i);
  });

  it.skipIf(!(HAS.python3))('implicit TLS (connect.tls) with python smtplib SMTP_SSL and nodemailer secure: true', async () => {
    await ws.write('smtps.yaml', `
name: SMTPS
connect: { port: 0, protocol: smtp, tls: true }
tests:
  - name: python
    steps: &steps
      - s: 220 mail.test ESMTP
      - c: '/^EHLO /i'
      - s: 250 mail.test
${ALICE_TO_BOB}      - data: { headers: { Subject: hi } }
      - s: 250
  - name: nodemailer
    steps: *steps
`);
    const served = await serve(ws, ['smtps.yaml', '--ca-out', 'ca.pem', '--accept-timeout', '10s']);
    const ca = join(ws.dir, 'ca.pem');
    const py = await python(`import smtplib, ssl
ctx = ssl.create_default_context(cafile='${ca}')
s = smtplib.SMTP_SSL('localhost', PORT, context=ctx)
s.sendmail('alice@example.test', ['bob@example.test'], 'Subject: hi\\r\\n\\r\\nhello\\r\\n')
s.close()`, served.ports[0]!);
    expect(py.stderr).toBe('');
    const transport = nodemailer.createTransport({ host: 'localhost', port: served.ports[0], secure: true, tls: { ca: await readFile(ca) } });
    await transport.sendMail({ from: 'alice@example.test', to: 'bob@example.test', subject: 'hi', text: 'hello' });
    const result = await served.done;
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain('2 passed');
  });
});
