/**
 * The HTML report of a run against the real Postfix and Dovecot (test/servers/start.sh):
 * SMTP submission with STARTTLS and AUTH, IMAP with STARTTLS and LOGIN, and a test that
 * fails on purpose. Only logs in and out: no mailbox is changed. Skipped when the servers'
 * environment is absent; .ci/run runs it after it starts them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace, type Workspace } from '../helpers/cli.js';
import { all, attr, hasClass, parsePage, text } from './html-dom.js';

const env = process.env;
const real = env.MAIL_HOST !== undefined && env.MAIL_CA !== undefined && env.MAIL_USER !== undefined && env.MAIL_PASS !== undefined;
const why = real ? '' : ' (skipped: MAIL_HOST, MAIL_CA, MAIL_USER and MAIL_PASS are not set; source the env file test/servers/start.sh prints)';

const SPEC = `name: real servers
tls: { ca: "\${env.MAIL_CA}", servername: "\${env.MAIL_SERVERNAME:-mail.convospec.test}" }
vars: { user: "\${env.MAIL_USER}", pass: "\${env.MAIL_PASS}" }
secrets: [pass]
tests:
  - name: submission, STARTTLS and AUTH PLAIN
    connect: { host: "\${env.MAIL_HOST}", port: "\${env.SUBMISSION_PORT}", protocol: smtp }
    steps:
      - s: 220
      - c: EHLO client.convospec.test
      - s: { code: 250, contains: [STARTTLS] }
      - c: STARTTLS
      - s: 220
      - tls: {}
      - c: EHLO client.convospec.test
      - s: 250
      - c: AUTH PLAIN \${sasl_plain(user, pass)}
      - s: 235
      - c: QUIT
      - s: 221
  - name: IMAP, STARTTLS and LOGIN
    connect: { host: "\${env.MAIL_HOST}", port: "\${env.IMAP_PORT}", protocol: imap }
    steps:
      - s: { status: OK }
      - c: a1 STARTTLS
      - s: { status: OK }
      - tls: {}
      - c: a2 LOGIN "\${user}" "\${pass}"
      - s: { status: OK }
      - c: a3 LOGOUT
      - s: { status: OK }
  - name: a reply code the server does not give
    connect: { host: "\${env.MAIL_HOST}", port: "\${env.SMTP_PORT}", protocol: smtp }
    steps:
      - s: 220
      - c: EHLO client.convospec.test
      - s: 250
      - c: NOOP
      - s: 299
`;

let ws: Workspace;
beforeAll(async () => {
  ws = await workspace();
});
afterAll(async () => {
  await ws.dispose();
});

describe('HTML report of a run against Postfix and Dovecot', () => {
  it.skipIf(!real)(`shows both servers' conversations with TLS marked, the password hidden, the failure highlighted${why}`, async () => {
    await ws.write('real.yaml', SPEC);
    const run = await ws.run(['run', 'real.yaml', '--html', 'real.html'], { env: { ...env } });
    expect(run.stdout, run.stderr).toMatch(/2 passed, 1 failed/);
    const html = await readFile(path.join(ws.dir, 'real.html'), 'utf8');
    expect(html).not.toContain(env.MAIL_PASS);
    const { document, errors } = parsePage(html);
    expect(errors).toEqual([]);
    const tests = all(document, 'details', 'test');
    expect(tests.map((t) => attr(t, 'data-status'))).toEqual(['passed', 'passed', 'failed']);
    const [smtp, imap, failing] = tests as [typeof tests[number], typeof tests[number], typeof tests[number]];
    const rowsOf = (t: typeof smtp): string[] => all(t, 'li', 'row').map((r) => `${(attr(r, 'class') ?? '').replace('row ', '')}: ${text(r).replace(/^[\d.]+ m?s/, '')}`);
    expect(rowsOf(smtp)).toContainEqual(expect.stringMatching(/^tls: TLSv1\.[23] .*CN=mail\.convospec\.test/));
    expect(rowsOf(smtp)).toContain('c: AUTH PLAIN ***');
    expect(rowsOf(smtp)).toContainEqual(expect.stringMatching(/^s: 235 /));
    expect(rowsOf(imap)).toContainEqual(expect.stringMatching(/^tls: TLSv1\.[23] /));
    expect(rowsOf(imap)).toContain(`c: a2 LOGIN "${env.MAIL_USER}" "***"`);
    const marked = all(failing, 'li', 'row').filter((r) => hasClass(r, 'x')).map((r) => text(all(r, 'pre')[0]!));
    expect(marked[0]).toBe('NOOP');
    expect(marked[1]).toMatch(/^250 /);
    expect(text(all(failing, 'div', 'exp')[0]!)).toBe('expected299');
  });
});
