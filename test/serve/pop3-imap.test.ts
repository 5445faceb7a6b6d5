/**
 * `convospec serve` as a POP3 and an IMAP server (format §9) for curl and Python's poplib and
 * imaplib: one test per connection, in file order; IMAP completions carry the client's own
 * tags (`A001` for curl), POP3 multi-line answers get their dot-stuffing and closing `.`.
 */
import { describe, expect, it } from 'vitest';
import { client, python, serve, HAS, freshWorkspace } from './harness.js';

const ws = freshWorkspace();

const POP3 = `
name: Mailbox
connect: { port: 0, protocol: pop3 }
vars: { pass: "pop-Secret-1" }
secrets: [pass]
tests:
  - name: curl reads message 1
    steps:
      - s: +OK POP3 ready
      - c: CAPA
      - s: ["+OK", "USER"]
      - c: USER alice
      - s: +OK
      - c: PASS \${pass}
      - s: +OK logged in
      - c: RETR 1
      - s: |
          +OK message follows
          Subject: hi

          .a line that starts with a dot
          hello
      - c: QUIT
      - s: +OK bye
  - name: poplib reads message 1
    steps:
      - s: +OK POP3 ready
      - c: USER alice
      - s: +OK
      - c: PASS \${pass}
      - s: +OK logged in
      - c: STAT
      - s: +OK 1 64
      - c: RETR 1
      - s: ["+OK message follows", "Subject: hi", "", ".a line that starts with a dot", "hello"]
      - c: QUIT
      - s: +OK bye
`;

const IMAP = `
name: IMAP mailbox
connect: { port: 0, protocol: imap }
vars: { pass: "imap-Secret-1" }
secrets: [pass]
tests:
  - name: curl fetches message 1
    steps:
      - s: "* OK ready"
      - c: a1 CAPABILITY
      - s: ["* CAPABILITY IMAP4rev1", "a1 OK done"]
      - c: a2 LOGIN alice \${pass}
      - s: a2 OK logged in
      - c: a3 SELECT INBOX
      - s: ["* 1 EXISTS", "* FLAGS (\\\\Seen)", "a3 OK [READ-WRITE] selected"]
      - c: a4 UID FETCH 1 BODY[]
      - s: ["* 1 FETCH (UID 1 BODY[] {22}", "Subject: hi", "", "hello", ")", "a4 OK done"]
  - name: imaplib fetches message 1
    steps:
      - s: "* OK ready"
      - c: a1 CAPABILITY
      - s: ["* CAPABILITY IMAP4rev1", "a1 OK done"]
      - c: a2 LOGIN alice "\${pass}"
      - s: a2 OK logged in
      - c: a3 SELECT INBOX
      - s: ["* 1 EXISTS", "* FLAGS (\\\\Seen)", "a3 OK [READ-WRITE] selected"]
      - c: a4 FETCH 1 (BODY[])
      - s: ["* 1 FETCH (BODY[] {22}", "Subject: hi", "", "hello", ")", "a4 OK done"]
      - c: a5 LOGOUT
      - s: ["* BYE logging out", "a5 OK done"]
`;

describe('serve: POP3 and IMAP clients', () => {
  it.skipIf(!(HAS.curl && HAS.python3))('curl and poplib read a message over POP3; the password is hidden', async () => {
    await ws.write('pop3.yaml', POP3);
    const served = await serve(ws, ['pop3.yaml', '--accept-timeout', '10s', '--verbose']);
    const port = served.ports[0]!;
    const curl = await client('curl', ['-sS', `pop3://127.0.0.1:${port}/1`, '-u', 'alice:pop-Secret-1']);
    const py = await python(`import poplib
p = poplib.POP3('127.0.0.1', PORT)
p.user('alice')
p.pass_('pop-Secret-1')
print(p.stat())
print(p.retr(1)[1])
p.quit()`, port);
    const result = await served.done;
    expect(curl.stdout).toBe('Subject: hi\r\n\r\n.a line that starts with a dot\r\nhello\r\n');
    expect(py.stdout).toBe("(1, 64)\n[b'Subject: hi', b'', b'.a line that starts with a dot', b'hello']\n");
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain('s: ..a line that starts with a dot');
    expect(result.stdout).toContain('c: PASS ***');
    expect(result.stdout).not.toContain('pop-Secret-1');
  });

  it.skipIf(!(HAS.curl && HAS.python3))('curl (tags A001…) and imaplib (its own tags) fetch a message over IMAP; completions carry their tags', async () => {
    await ws.write('imap.yaml', IMAP);
    const served = await serve(ws, ['imap.yaml', '--accept-timeout', '10s', '--verbose']);
    const port = served.ports[0]!;
    const curl = await client('curl', ['-sS', `imap://127.0.0.1:${port}/INBOX;UID=1`, '-u', 'alice:imap-Secret-1']);
    const py = await python(`import imaplib
m = imaplib.IMAP4('127.0.0.1', PORT)
m.login('alice', 'imap-Secret-1')
m.select('INBOX')
print(m.fetch('1', '(BODY[])')[1][0][1])
m.logout()`, port);
    const result = await served.done;
    expect(curl.stdout).toBe('Subject: hi\r\n\r\nhello\r\n');
    expect(py.stdout).toBe("b'Subject: hi\\r\\n\\r\\nhello\\r\\n'\n");
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain('s: A004 OK done');
    expect(result.stdout).not.toContain('imap-Secret-1');
  });

  it.skipIf(!(HAS.curl))('a client that fetches another message fails at that step', async () => {
    await ws.write('imap.yaml', IMAP);
    const served = await serve(ws, ['imap.yaml', '--accept-timeout', '2s', '--grep', 'curl']);
    await client('curl', ['-sS', '--max-time', '5', `imap://127.0.0.1:${served.ports[0]}/INBOX;UID=2`, '-u', 'alice:imap-Secret-1']);
    const result = await served.done;
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('imap.yaml:16:12: expected the client to send "a4 UID FETCH 1 BODY[]", got "A004 UID FETCH 2 BODY[]"');
  });

  it.skipIf(!HAS.curl)('curl --ssl-reqd upgrades POP3 with STLS (RFC 2595 §4) and reads the message inside TLS', async () => {
    await ws.write('stls.yaml', `
name: POP3 with STLS
connect: { port: 0, protocol: pop3 }
tests:
  - name: curl
    steps:
      - s: +OK POP3 ready
      - c: CAPA
      - s: ["+OK", "STLS", "USER"]
      - c: STLS
      - s: +OK begin TLS
      - tls: { expect: { protocol: '/^TLSv1\\.[23]$/' } }
      - c: CAPA
      - s: ["+OK", "USER"]
      - c: USER alice
      - s: +OK
      - c: PASS pw
      - s: +OK
      - c: RETR 1
      - s: ["+OK", "Subject: over TLS", "", "hello"]
      - c: QUIT
      - s: +OK bye
`);
    const served = await serve(ws, ['stls.yaml', '--ca-out', 'ca.pem', '--accept-timeout', '10s']);
    const curl = await client('curl', ['-sS', '--ssl-reqd', '--cacert', `${ws.dir}/ca.pem`, `pop3://localhost:${served.ports[0]}/1`, '-u', 'alice:pw']);
    const result = await served.done;
    expect(curl.stderr).toBe('');
    expect(curl.stdout).toBe('Subject: over TLS\r\n\r\nhello\r\n');
    expect(result.code, result.stdout).toBe(0);
  });
});
