/**
 * `run --update` against the real Postfix and Dovecot of test/servers/start.sh, when their
 * coordinates are in the environment (source the env file it prints; skipped otherwise):
 * specs written for another server's banner, EHLO and IMAP texts are rewritten with what
 * these servers answer, then pass, and a second `--update` changes nothing (format §11).
 * IMAP logs in as dave and only EXAMINEs: it changes no mailbox.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace, type Workspace } from '../helpers/cli.js';

const env = process.env;
const real = env.MAIL_HOST !== undefined && env.MAIL_CA !== undefined && env.MAIL_PASS !== undefined && env.SMTP_PORT !== undefined && env.SUBMISSION_PORT !== undefined && env.IMAP_PORT !== undefined;
const why = real ? '' : ' (skipped: MAIL_HOST, MAIL_CA, MAIL_PASS and the ports are not set; source the env file test/servers/start.sh prints)';

let ws: Workspace;
beforeAll(async () => {
  ws = await workspace();
});
afterAll(async () => {
  await ws.dispose();
});

const TLS = 'tls: { ca: "${env.MAIL_CA}", servername: "${env.MAIL_SERVERNAME:-mail.convospec.test}" }\n';

const SPECS: Readonly<Record<string, string>> = {
  'postfix-mx': `name: 'MX after an upgrade'
connect: { host: "\${env.MAIL_HOST}", port: "\${env.SMTP_PORT}", protocol: smtp }
steps:
  - { s: '220 mx.example.net Microsoft ESMTP MAIL Service ready', name: banner }
  - c: EHLO client.test
  - s: { code: 250, text: '/^mx\\.example\\.net Hello/', timeout: 5s }   # the EHLO
  - c: QUIT
  - s: '221 2.0.0 Service closing transmission channel'
`,
  'postfix-submission': `# Submission, as another MTA answered.
name: Submission after an upgrade
connect: { host: "\${env.MAIL_HOST}", port: "\${env.SUBMISSION_PORT}", protocol: smtp }
${TLS}tests:
  - name: STARTTLS and EHLO
    steps:
      - s: 220 mx.example.net ESMTP Exim 4.96   # the banner
      - c: EHLO client.test
      - s:
          - 250-mx.example.net Hello client.test
          - 250-SIZE 52428800
          - 250 STARTTLS
      - c: STARTTLS
      - s: 220 TLS go ahead
      - tls: true
      - c: EHLO client.test
      - s: [250-mx.example.net Hello client.test, 250 AUTH PLAIN LOGIN]
      - c: QUIT
      - s: 221
`,
  'dovecot-imap': `name: IMAP after an upgrade
connect: { host: "\${env.MAIL_HOST}", port: "\${env.IMAP_PORT}", protocol: imap }
vars: { user: dave@convospec.test, pass: "\${env.MAIL_PASS}" }
secrets: [pass]
tests:
  - name: log in and examine
    steps:
      - s: '* OK Courier-IMAP ready.'
      - c: a1 LOGIN \${user} \${pass}
      - s: a1 OK LOGIN Ok.
      - c: a2 EXAMINE INBOX
      - s: { status: OK, contains: ['[READ-ONLY]', 'Ok.'] }
      - c: a3 LOGOUT
      - s: [ '* BYE Courier-IMAP server shutting down', a3 OK LOGOUT completed ]
`,
};

describe('against the real Postfix and Dovecot', () => {
  it.skipIf(!real).each(Object.keys(SPECS))(`%s: stale replies rewritten, then passing, then left alone${why}`, async (name) => {
    const file = `${name}.yaml`;
    const before = SPECS[name]!;
    await ws.write(file, before);
    expect((await ws.run(['run', file], { env })).code).toBe(1);

    const update = await ws.run(['run', file, '--update'], { env });
    expect(update.stderr).toBe('');
    expect(update.code).toBe(0);
    const after = await readFile(join(ws.dir, file), 'utf8');
    expect(after).not.toBe(before);
    expect(after).not.toContain(env.MAIL_PASS);
    // Comments, the header and the commands stay as written.
    for (const line of before.split('\n').filter((l) => /^(#|name|connect|tls|vars|secrets)|- c: |- tls: /.test(l.trimStart()))) expect(after).toContain(line);

    const passing = await ws.run(['run', file], { env });
    expect(passing.stdout).toMatch(/passed/);
    expect(passing.code).toBe(0);

    const again = await ws.run(['run', file, '--update'], { env });
    expect(again.code).toBe(0);
    expect(await readFile(join(ws.dir, file), 'utf8')).toBe(after);
  });
});
