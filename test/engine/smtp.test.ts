/**
 * The engine against a real SMTP server: nodemailer's smtp-server, in-process on port 0,
 * STARTTLS verified against a CA made for this run (never `verify: false`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { createPki, type Pki } from '../../src/pki/index.js';
import { workspace, type Workspace } from '../helpers/cli.js';

let pki: Pki;
let server: SMTPServer;
let port: number;
let ws: Workspace;
const received: { from: string; to: string[]; body: string }[] = [];

beforeAll(async () => {
  pki = await createPki();
  server = new SMTPServer({
    secure: false,
    key: pki.server.key,
    cert: pki.server.cert,
    name: 'mx.convospec.test',
    authMethods: ['PLAIN', 'LOGIN'],
    size: 1024 * 1024,
    hideENHANCEDSTATUSCODES: false,
    authOptional: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alice' && auth.password === 's3cret-Pa55') return callback(null, { user: 'alice' });
      return callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          body: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
  ws = await workspace();
  await ws.write('ca.pem', pki.ca.cert);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await ws.dispose();
});

const header = (): string => `
name: smtp-server
connect: { host: 127.0.0.1, port: ${port}, protocol: smtp }
tls: { ca: ca.pem, servername: mail.convospec.test }
vars: { user: alice, pass: s3cret-Pa55 }
secrets: [pass]
`;

describe('engine against smtp-server', () => {
  it('runs a STARTTLS + AUTH PLAIN + DATA session, verified against the test CA', async () => {
    const file = await ws.write(
      'session.yaml',
      `${header()}
tests:
  - name: submit
    steps:
      - s: { code: 220, match: /mx.convospec.test/ }
      - c: EHLO client.test
      - s: { code: 250, contains: [STARTTLS, PIPELINING] }
      - c: STARTTLS
      - s: 220
      - tls: { expect: { authorized: true, protocol: '/^TLSv1\\.[23]$/', subject: /CN=/ } }
      - c: EHLO client.test
      - s: { code: 250, contains: ["/AUTH.*PLAIN/"] }
      - c: AUTH PLAIN \${sasl_plain(user, pass)}
      - s: { code: 235, enhanced: 2.7.0 }
      - c: MAIL FROM:<alice@convospec.test>
      - s: 250
      - c: RCPT TO:<bob@convospec.test>
      - s: 250
      - c: DATA
      - s: 354
      - data: "Subject: hi\\n\\n.leading dot\\nbody\\n"
      - s: { code: 250, capture: { word: '/message (\\w+)/' } }
      - c: RSET
      - s: 250
      - c: "VRFY \${word}"
      - s: { code: 252, match: '/\${word}|VRFY|Try/' }
      - c: QUIT
      - s: 221
`,
    );
    const before = received.length;
    const result = await ws.run(['run', file, '--junit', 'out/junit.xml', '--json', 'out/report.json']);
    expect(result.stdout + result.stderr).toMatch(/1 passed/);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/1 passed/);
    expect(received.length).toBe(before + 1);
    // Dot-stuffing went out and came back undone by the server.
    expect(received.at(-1)!.body).toBe('Subject: hi\r\n\r\n.leading dot\r\nbody\r\n');
    const junit = await readFile(`${ws.dir}/out/junit.xml`, 'utf8');
    expect(junit).toMatch(/<testsuite[^>]*name="smtp-server"[^>]*tests="1"/);
    expect(junit).toMatch(/<testcase[^>]*classname="session"[^>]*name="submit"[^>]*file="session.yaml"/);
    expect(junit).not.toContain('s3cret-Pa55');
    expect(junit).not.toContain(Buffer.from('\0alice\0s3cret-Pa55').toString('base64'));
    expect(junit).toContain('AUTH PLAIN ***');
    const json = JSON.parse(await readFile(`${ws.dir}/out/report.json`, 'utf8'));
    expect(json.summary).toMatchObject({ passed: 1, failed: 0 });
  });

  it('fails a wrong reply code at the matcher line, with what came and the transcript', async () => {
    const file = await ws.write(
      'wrong.yaml',
      `${header()}
tests:
  - name: wrong password
    vars: { pass: not-the-password }
    steps:
      - s: 220
      - c: EHLO client.test
      - s: 250
      - c: STARTTLS
      - s: 220
      - tls: {}
      - c: EHLO client.test
      - s: 250
      - c: AUTH PLAIN \${sasl_plain(user, pass)}
      - s: 235
`,
    );
    const result = await ws.run(['run', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('wrong.yaml:21:12:');
    expect(result.stdout).toMatch(/expected reply code 235, got 535/);
    expect(result.stdout).toContain('AUTH PLAIN ***');
    expect(result.stdout).not.toContain('not-the-password');
  });

  it('refuses to connect to a server whose certificate names another host', async () => {
    const file = await ws.write(
      'name.yaml',
      `${header()}
tests:
  - name: wrong servername fails the handshake
    steps:
      - s: 220
      - c: EHLO client.test
      - s: 250
      - c: STARTTLS
      - s: 220
      - tls: { servername: wrong.example, expect: { error: /wrong.example|altname|does not match/i } }
`,
    );
    const result = await ws.run(['run', file]);
    expect(result.stdout).toMatch(/1 passed/);
    expect(result.code).toBe(0);
  });

  it('pipelines a list of commands in one write and reads each reply in order', async () => {
    const file = await ws.write(
      'pipe.yaml',
      `${header()}
tests:
  - name: pipelining
    steps:
      - s: 220
      - c: EHLO client.test
      - s: { code: 250, contains: [PIPELINING] }
      - c: [ "MAIL FROM:<a@convospec.test>", "RCPT TO:<b@convospec.test>", "RSET" ]
      - s: 250
      - s: 250
      - s: 250
      - c: QUIT
      - s: 221
      - s: { closed: true }
`,
    );
    const result = await ws.run(['run', file]);
    expect(result.stdout + result.stderr).toMatch(/1 passed/);
    expect(result.code).toBe(0);
  });
});
