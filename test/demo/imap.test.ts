import { readFile } from 'node:fs/promises';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from '../../src/demo/index.js';
import type { Demo } from '../../src/demo/index.js';
import { RawClient } from './client.js';

let demo: Demo;
let ca: string;

beforeAll(async () => {
  demo = await startDemo({ limits: { line: 4096, literal: 1024 } });
  ca = await readFile(demo.env.MAIL_CA, 'utf8');
});

afterAll(async () => {
  await demo.close();
});

const trust = () => ({ ca, servername: demo.env.MAIL_SERVERNAME });
const plain = (user: string, pass: string) => Buffer.from(`\0${user}\0${pass}`).toString('base64');

/** A logged-in IMAPS session. */
async function imaps(): Promise<RawClient> {
  const client = await RawClient.connect(Number(demo.env.IMAPS_PORT), trust());
  await client.readLine();
  const login = await client.imap('l1', `LOGIN ${demo.env.MAIL_USER} ${demo.env.MAIL_PASS}`);
  expect(login).toMatch(/^l1 OK /);
  return client;
}

async function submit(subject: string, text: string): Promise<void> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: Number(demo.env.SMTP_PORT),
    secure: false,
    ignoreTLS: true,
  });
  await transport.sendMail({ from: demo.env.MAIL_FROM, to: demo.env.MAIL_USER, subject, text });
  transport.close();
}

describe('IMAP_PORT: the seed session (a001 CAPABILITY … a004 LOGIN)', () => {
  it('offers STARTTLS with LOGINDISABLED, upgrades, then logs in', async () => {
    const client = await RawClient.connect(Number(demo.env.IMAP_PORT));
    expect(await client.readLine()).toMatch(/^\* OK \[CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED [^\]]*\] /);
    expect(await client.imap('a001', 'CAPABILITY')).toMatch(
      /^\* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED .*\r\na001 OK CAPABILITY completed\r\n$/,
    );
    expect(await client.imap('a1', `LOGIN ${demo.env.MAIL_USER} ${demo.env.MAIL_PASS}`)).toBe(
      'a1 NO [PRIVACYREQUIRED] LOGIN is disabled until STARTTLS\r\n',
    );
    expect(await client.imap('a2', 'SELECT INBOX')).toBe('a2 BAD Log in first\r\n');
    // Bytes sent before the handshake must not run as commands inside TLS (RFC 3501 §6.2.1).
    client.line('a002 STARTTLS');
    expect(await client.readLine()).toBe('a002 OK Begin TLS negotiation now');
    const secure = await client.upgrade(trust());
    expect(secure.authorized).toBe(true);
    expect(secure.getProtocol()).toMatch(/^TLSv1\.[23]$/);
    const caps = await client.imap('a003', 'CAPABILITY');
    expect(caps).toMatch(/^\* CAPABILITY IMAP4rev1 .*AUTH=PLAIN\r\na003 OK CAPABILITY completed\r\n$/);
    expect(caps).not.toContain('LOGINDISABLED');
    expect(caps).not.toContain('STARTTLS');
    expect(await client.imap('a004', `LOGIN ${demo.env.MAIL_USER} ${demo.env.MAIL_PASS}`)).toMatch(
      /^a004 OK \[CAPABILITY IMAP4rev1 [^\]]*\] LOGIN completed\r\n$/,
    );
    client.line('a005 LOGOUT');
    expect(await client.until(/a005 OK [^\r]*\r\n/)).toBe('* BYE convospec demo IMAP server logging out\r\na005 OK LOGOUT completed\r\n');
    await client.closed();
  });

  it('discards a command injected before the TLS handshake', async () => {
    const client = await RawClient.connect(Number(demo.env.IMAP_PORT));
    await client.readLine();
    client.write('b1 STARTTLS\r\nb2 LOGOUT\r\n');
    expect(await client.readLine()).toBe('b1 OK Begin TLS negotiation now');
    await client.upgrade(trust());
    expect(await client.imap('b3', 'NOOP')).toBe('b3 OK NOOP completed\r\n');
    client.close();
  });
});

describe('IMAPS_PORT: logins', () => {
  it('refuses a wrong password with [AUTHENTICATIONFAILED]', async () => {
    const client = await RawClient.connect(Number(demo.env.IMAPS_PORT), trust());
    expect(await client.readLine()).toMatch(/AUTH=PLAIN/);
    expect(await client.imap('c1', `LOGIN ${demo.env.MAIL_USER} wrong`)).toBe('c1 NO [AUTHENTICATIONFAILED] Authentication failed\r\n');
    expect(await client.imap('c2', `LOGIN nobody@convospec.test ${demo.env.MAIL_PASS}`)).toBe(
      'c2 NO [AUTHENTICATIONFAILED] Authentication failed\r\n',
    );
    client.close();
  });

  it('LOGIN with quoted strings, and with a synchronising literal', async () => {
    const a = await RawClient.connect(Number(demo.env.IMAPS_PORT), trust());
    await a.readLine();
    expect(await a.imap('d1', `LOGIN "${demo.env.MAIL_USER}" "${demo.env.MAIL_PASS}"`)).toMatch(/^d1 OK /);
    a.close();
    const b = await RawClient.connect(Number(demo.env.IMAPS_PORT), trust());
    await b.readLine();
    b.line(`d2 LOGIN ${demo.env.MAIL_USER} {${demo.env.MAIL_PASS.length}}`);
    expect(await b.readLine()).toBe('+ Ready for literal data');
    b.line(demo.env.MAIL_PASS);
    expect(await b.until(/d2 [^\r]*\r\n/)).toMatch(/^d2 OK /);
    b.close();
  });

  it('AUTHENTICATE PLAIN with a continuation, and with SASL-IR', async () => {
    const a = await RawClient.connect(Number(demo.env.IMAPS_PORT), trust());
    await a.readLine();
    a.line('e1 AUTHENTICATE PLAIN');
    expect(await a.readLine()).toBe('+ ');
    a.line(plain(demo.env.MAIL_USER, 'wrong'));
    expect(await a.readLine()).toBe('e1 NO [AUTHENTICATIONFAILED] Authentication failed');
    a.line('e2 AUTHENTICATE PLAIN');
    await a.readLine();
    a.line('*');
    expect(await a.readLine()).toBe('e2 BAD AUTHENTICATE cancelled');
    expect(await a.imap('e3', `AUTHENTICATE PLAIN ${plain(demo.env.MAIL_USER, demo.env.MAIL_PASS)}`)).toMatch(
      /^e3 OK \[CAPABILITY [^\]]+\] AUTHENTICATE completed\r\n$/,
    );
    expect(await a.imap('e4', 'LOGIN x y')).toBe('e4 BAD Already authenticated\r\n');
    a.close();
  });
});

describe('IMAP mailbox access', () => {
  it('finds a message delivered over SMTP and fetches it as literals', async () => {
    await submit('imap fetch test', 'first line\nsecond line\n');
    const client = await imaps();
    const select = await client.imap('f1', 'SELECT INBOX');
    expect(select).toMatch(/\* \d+ EXISTS\r\n/);
    expect(select).toMatch(/\* OK \[UIDVALIDITY \d+\]/);
    expect(select).toMatch(/f1 OK \[READ-WRITE\] SELECT completed\r\n$/);
    const search = await client.imap('f2', 'SEARCH SUBJECT "imap fetch test"');
    const seq = /^\* SEARCH (\d+)\r\n/.exec(search)?.[1];
    expect(seq).toBeDefined();
    expect(await client.imap('f3', 'SEARCH HEADER Subject "no such subject"')).toBe('* SEARCH\r\nf3 OK SEARCH completed\r\n');
    expect(await client.imap('f4', `SEARCH UNSEEN FROM "${demo.env.MAIL_FROM}" TEXT "second line"`)).toContain(`* SEARCH ${seq}\r\n`);

    const stored = demo.mailbox.inbox(demo.env.MAIL_USER)!.messages()[Number(seq) - 1]!;
    const fetched = await client.imap('f5', `FETCH ${seq} (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])`);
    expect(fetched).toBe(
      `* ${seq} FETCH (UID ${stored.uid} RFC822.SIZE ${stored.raw.length} FLAGS () BODY[HEADER.FIELDS (SUBJECT)] {28}\r\n` +
        'Subject: imap fetch test\r\n\r\n)\r\nf5 OK FETCH completed\r\n',
    );
    const body = await client.imap('f6', `UID FETCH ${stored.uid} BODY[TEXT]`);
    expect(body).toBe(
      `* ${seq} FETCH (UID ${stored.uid} BODY[TEXT] {25}\r\nfirst line\r\nsecond line\r\n FLAGS (\\Seen))\r\nf6 OK UID FETCH completed\r\n`,
    );
    const full = await client.imap('f7', `FETCH ${seq} BODY[]`);
    expect(full).toContain(`BODY[] {${stored.raw.length}}\r\n${stored.raw.toString('latin1')})\r\n`);
    expect(await client.imap('f8', `SEARCH UNSEEN SUBJECT "imap fetch test"`)).toBe('* SEARCH\r\nf8 OK SEARCH completed\r\n');
    expect(await client.imap('f9', `STORE ${seq} +FLAGS (\\Deleted)`)).toBe(
      `* ${seq} FETCH (FLAGS (\\Seen \\Deleted))\r\nf9 OK STORE completed\r\n`,
    );
    expect(await client.imap('f10', 'EXPUNGE')).toBe(`* ${seq} EXPUNGE\r\nf10 OK EXPUNGE completed\r\n`);
    expect(stored.expunged).toBe(true);
    client.close();
  });

  it('APPEND with a synchronising literal and with LITERAL+, whose text holds a fake completion', async () => {
    const client = await imaps();
    const message = 'Subject: appended\r\n\r\nf1 OK not the end\r\n* 9 EXISTS\r\n';
    client.line(`g1 APPEND INBOX (\\Flagged) {${message.length}}`);
    expect(await client.readLine()).toBe('+ Ready for literal data');
    client.write(`${message}\r\n`);
    const appended = await client.until(/g1 [^\r]*\r\n/);
    const uid = /^g1 OK \[APPENDUID \d+ (\d+)\] APPEND completed\r\n$/.exec(appended)?.[1];
    expect(uid).toBeDefined();
    client.write(`g2 APPEND INBOX {${message.length}+}\r\n${message}\r\n`);
    expect(await client.until(/g2 [^\r]*\r\n/)).toMatch(/^g2 OK \[APPENDUID \d+ \d+\] APPEND completed\r\n$/);
    await client.imap('g3', 'EXAMINE INBOX');
    const fetched = await client.imap('g4', `UID FETCH ${uid} (FLAGS BODY[])`);
    expect(fetched).toContain(`FLAGS (\\Flagged) BODY[] {${message.length}}\r\n${message})\r\n`);
    expect(fetched).not.toContain('\\Seen');
    expect(await client.imap('g5', `STORE 1 +FLAGS (\\Seen)`)).toBe('g5 NO [READ-ONLY] Mailbox is read-only\r\n');
    client.close();
  });

  it('IDLE pushes EXISTS when SMTP delivers, and ends with DONE', async () => {
    const client = await imaps();
    const select = await client.imap('h1', 'SELECT INBOX');
    const exists = Number(/\* (\d+) EXISTS/.exec(select)?.[1]);
    client.line('h2 IDLE');
    expect(await client.readLine()).toBe('+ idling');
    await submit('while idling', 'x');
    expect(await client.readLine()).toBe(`* ${exists + 1} EXISTS`);
    client.line('DONE');
    expect(await client.readLine()).toBe('h2 OK IDLE terminated');
    client.close();
  });

  it('LIST, STATUS, and commands in the wrong state', async () => {
    const client = await imaps();
    expect(await client.imap('i1', 'LIST "" "*"')).toBe('* LIST (\\HasNoChildren) "/" INBOX\r\ni1 OK LIST completed\r\n');
    expect(await client.imap('i2', 'STATUS INBOX (MESSAGES UIDNEXT)')).toMatch(/^\* STATUS INBOX \(MESSAGES \d+ UIDNEXT \d+\)\r\n/);
    expect(await client.imap('i3', 'FETCH 1 FLAGS')).toBe('i3 BAD No mailbox selected\r\n');
    expect(await client.imap('i4', 'SELECT Archive')).toMatch(/^i4 NO \[NONEXISTENT\] /);
    expect(await client.imap('i5', 'FROB')).toBe('i5 BAD Unknown command FROB\r\n');
    await client.imap('i6', 'SELECT INBOX');
    expect(await client.imap('i7', 'FETCH 99999 FLAGS')).toBe('i7 BAD Syntax error: invalid message sequence number\r\n');
    expect(await client.imap('i8', 'SEARCH CHARSET KOI8-R ALL')).toBe('i8 NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset\r\n');
    expect(await client.imap('i9', 'FETCH 1 (FLAGS')).toMatch(/^i9 BAD Syntax error: /);
    client.close();
  });
});

describe('IMAP bounds', () => {
  it('refuses a synchronising literal over the limit before the client sends it', async () => {
    const client = await imaps();
    expect(await client.imap('j1', 'LOGIN {5000}')).toBe('j1 NO [TOOBIG] Literal too big (at most 1024 bytes)\r\n');
    expect(await client.imap('j2', 'NOOP')).toBe('j2 OK NOOP completed\r\n');
    client.close();
  });

  it('ends the session on an over-long line', async () => {
    const client = await imaps();
    client.line(`k1 NOOP ${'x'.repeat(5000)}`);
    expect(await client.readLine()).toBe('* BYE Line too long (at most 4096 bytes)');
    await client.closed();
  });
});
