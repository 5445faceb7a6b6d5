import { readFile } from 'node:fs/promises';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from '../../src/demo/index.js';
import type { Demo } from '../../src/demo/index.js';
import { RawClient } from './client.js';

let demo: Demo;
let ca: string;

beforeAll(async () => {
  demo = await startDemo();
  ca = await readFile(demo.env.MAIL_CA, 'utf8');
});

afterAll(async () => {
  await demo.close();
});

const trust = () => ({ ca, servername: demo.env.MAIL_SERVERNAME });
const port = (name: keyof Demo['env']) => Number(demo.env[name]);
const inbox = () => demo.mailbox.inbox(demo.env.MAIL_USER)!;
const subjects = () => inbox().messages().map((m) => /^Subject: (.*)$/m.exec(m.raw.toString())?.[1]);

/** An SMTP reply: lines up to `ddd ` (RFC 5321 §4.2). */
async function reply(client: RawClient): Promise<string> {
  return client.until(/(?:^|\r\n)\d{3} [^\r]*\r\n/);
}

async function session(name: keyof Demo['env']): Promise<RawClient> {
  const client = await RawClient.connect(port(name));
  expect(await reply(client)).toMatch(/^220 mail\.convospec\.test (?:ESMTP|LMTP) /);
  return client;
}

describe('submission with nodemailer', () => {
  it.each(['PLAIN', 'LOGIN', 'CRAM-MD5'])('STARTTLS verified against the demo CA, then AUTH %s, delivers', async (method) => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: port('SUBMISSION_PORT'),
      secure: false,
      requireTLS: true,
      tls: { ca, servername: demo.env.MAIL_SERVERNAME, rejectUnauthorized: true },
      auth: { user: demo.env.MAIL_USER, pass: demo.env.MAIL_PASS },
      authMethod: method,
    });
    const subject = `submitted with ${method}`;
    const info = await transport.sendMail({ from: demo.env.MAIL_FROM, to: demo.env.MAIL_USER, subject, text: 'hello\n.dot line\n' });
    transport.close();
    expect(info.accepted).toEqual([demo.env.MAIL_USER]);
    expect(info.response).toMatch(/^250 2\.6\.0 OK: queued as \d+$/);
    const stored = inbox().messages().find((m) => m.raw.includes(`Subject: ${subject}`));
    expect(stored?.raw.toString()).toMatch(/^Return-Path: <sender@example\.net>\r\nReceived: from /);
    expect(stored?.raw.toString()).toContain('with ESMTPSA');
    expect(stored?.raw.toString()).toContain('\r\n.dot line\r\n');
  });

  it('implicit TLS on SMTPS_PORT', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: port('SMTPS_PORT'),
      secure: true,
      tls: { ca, servername: demo.env.MAIL_SERVERNAME, rejectUnauthorized: true },
      auth: { user: demo.env.MAIL_USER, pass: demo.env.MAIL_PASS },
    });
    await transport.sendMail({ from: demo.env.MAIL_FROM, to: demo.env.MAIL_USER, subject: 'over smtps', text: 'x' });
    transport.close();
    expect(subjects()).toContain('over smtps');
  });

  it('a wrong password is refused with 535 5.7.8', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: port('SUBMISSION_PORT'),
      requireTLS: true,
      tls: { ca, servername: demo.env.MAIL_SERVERNAME },
      auth: { user: demo.env.MAIL_USER, pass: 'wrong' },
    });
    await expect(transport.verify()).rejects.toMatchObject({
      responseCode: 535,
      response: '535 5.7.8 Error: Authentication credentials invalid',
    });
    transport.close();
  });
});

describe('SMTP replies on the wire', () => {
  it('EHLO on SMTP_PORT lists the extensions, STARTTLS but no AUTH', async () => {
    const client = await session('SMTP_PORT');
    client.line('EHLO client.test');
    const ehlo = await reply(client);
    expect(ehlo.split('\r\n')).toEqual([
      '250-mail.convospec.test Nice to meet you, [127.0.0.1]',
      '250-PIPELINING',
      '250-8BITMIME',
      '250-SMTPUTF8',
      '250-ENHANCEDSTATUSCODES',
      '250-STARTTLS',
      '250 SIZE 10485760',
      '',
    ]);
    client.close();
  });

  it('SMTP_PORT: unknown local user 550 5.1.1, relay 554 5.7.1, bad sequence 503 5.5.1, a real delivery', async () => {
    const client = await session('SMTP_PORT');
    client.line('HELO client.test');
    expect(await reply(client)).toMatch(/^250 /);
    client.line('RCPT TO:<alice@convospec.test>');
    expect(await reply(client)).toBe('503 5.5.1 Error: need MAIL command\r\n');
    client.line('MAIL FROM:<test@test.com>');
    expect(await reply(client)).toBe('250 2.1.0 Accepted\r\n');
    client.line('DATA');
    expect(await reply(client)).toBe('503 5.5.1 Error: need RCPT command\r\n');
    client.line('RCPT TO:<nobody@convospec.test>');
    expect(await reply(client)).toBe('550 5.1.1 <nobody@convospec.test>: Recipient address rejected: User unknown\r\n');
    client.line('RCPT TO:<user@other.com>');
    expect(await reply(client)).toBe('554 5.7.1 <user@other.com>: Relay access denied\r\n');
    client.line('RCPT TO:<alice@convospec.test>');
    expect(await reply(client)).toBe('250 2.1.5 Accepted\r\n');
    client.line('DATA');
    expect(await reply(client)).toBe('354 End data with <CR><LF>.<CR><LF>\r\n');
    client.write('subject: TESTING SMTP\r\n\r\nThis is line one.\r\n..leading dot\r\n.\r\n');
    expect(await reply(client)).toMatch(/^250 2\.6\.0 OK: queued as \d+\r\n$/);
    client.line('QUIT');
    expect(await reply(client)).toBe('221 2.0.0 Bye\r\n');
    await client.closed();
    const stored = inbox().messages().find((m) => m.raw.includes('subject: TESTING SMTP'));
    expect(stored?.raw.toString()).toMatch(/\r\n\r\nThis is line one\.\r\n\.leading dot\r\n$/);
  });

  it('MAIL FROM with SIZE over the limit gets 552 5.3.4; a syntax error 501', async () => {
    const client = await session('SMTP_PORT');
    client.line('EHLO');
    expect(await reply(client)).toBe('501 Error: syntax: EHLO hostname\r\n');
    client.line('EHLO client.test');
    await reply(client);
    client.line('MAIL FROM:<a@example.net> SIZE=20000000');
    expect(await reply(client)).toBe('552 5.3.4 Error: message exceeds fixed maximum message size 10485760\r\n');
    client.line('MAIL FROM:a@example.net');
    expect(await reply(client)).toBe('501 5.1.7 Error: Bad sender address syntax\r\n');
    client.close();
  });

  it('a message over SIZE is refused after DATA with 552 5.3.4', async () => {
    const client = await session('SMTP_PORT');
    client.line('EHLO client.test');
    await reply(client);
    client.line('MAIL FROM:<a@example.net>');
    await reply(client);
    client.line('RCPT TO:<alice@convospec.test>');
    await reply(client);
    client.line('DATA');
    await reply(client);
    const line = `${'x'.repeat(998)}\r\n`;
    const big = line.repeat(Math.ceil(10_485_760 / line.length) + 10);
    client.write(`Subject: too big\r\n\r\n${big}.\r\n`);
    expect(await reply(client)).toBe('552 5.3.4 Error: message exceeds fixed maximum message size 10485760\r\n');
    client.close();
    expect(subjects()).not.toContain('too big');
  });

  it('SUBMISSION_PORT: AUTH before STARTTLS 530 5.7.0, MAIL before AUTH 530 5.7.0', async () => {
    const client = await session('SUBMISSION_PORT');
    client.line('EHLO client.test');
    const ehlo = await reply(client);
    expect(ehlo).toContain('250-AUTH PLAIN LOGIN CRAM-MD5\r\n');
    expect(ehlo).toContain('250-STARTTLS\r\n');
    client.line('AUTH PLAIN AGFsaWNlQGNvbnZvc3BlYy50ZXN0AGRlbW8tcGFzc3dvcmQ=');
    expect(await reply(client)).toBe('530 5.7.0 Error: Must issue a STARTTLS command first\r\n');
    client.line('MAIL FROM:<alice@convospec.test>');
    expect(await reply(client)).toBe('530 5.7.0 Error: authentication Required\r\n');
    client.line('STARTTLS');
    expect(await reply(client)).toBe('220 2.0.0 Ready to start TLS\r\n');
    const secure = await client.upgrade(trust());
    expect(secure.authorized).toBe(true);
    client.line('EHLO client.test');
    expect(await reply(client)).not.toContain('STARTTLS');
    client.line('AUTH PLAIN AGFsaWNlQGNvbnZvc3BlYy50ZXN0AHdyb25n');
    expect(await reply(client)).toBe('535 5.7.8 Error: Authentication credentials invalid\r\n');
    client.line('AUTH LOGIN');
    expect(await reply(client)).toBe('334 VXNlcm5hbWU6\r\n');
    client.line(Buffer.from(demo.env.MAIL_USER).toString('base64'));
    expect(await reply(client)).toBe('334 UGFzc3dvcmQ6\r\n');
    client.line(Buffer.from(demo.env.MAIL_PASS).toString('base64'));
    expect(await reply(client)).toBe('235 2.7.0 Authentication successful\r\n');
    client.line('MAIL FROM:<alice@convospec.test>');
    expect(await reply(client)).toBe('250 2.1.0 Accepted\r\n');
    client.line('RCPT TO:<someone@example.org>');
    expect(await reply(client)).toBe('250 2.1.5 Accepted\r\n');
    client.close();
  });

  it('closes the session after too many failed logins', async () => {
    const client = await RawClient.connect(port('SMTPS_PORT'), trust());
    await reply(client);
    client.line('EHLO client.test');
    await reply(client);
    const wrong = Buffer.from(`\0${demo.env.MAIL_USER}\0wrong`).toString('base64');
    for (let i = 0; i < 4; i++) {
      client.line(`AUTH PLAIN ${wrong}`);
      expect(await reply(client)).toMatch(/^535 5\.7\.8 /);
    }
    client.line(`AUTH PLAIN ${wrong}`);
    expect(await reply(client)).toBe('421 4.7.0 Too many authentication failures\r\n');
    await client.closed();
  });

  it('PLAIN_SMTP_PORT refuses STARTTLS (500 5.5.2) and offers neither STARTTLS nor AUTH', async () => {
    const client = await session('PLAIN_SMTP_PORT');
    client.line('EHLO client.test');
    const ehlo = await reply(client);
    expect(ehlo).not.toContain('STARTTLS');
    expect(ehlo).not.toContain('AUTH');
    client.line('STARTTLS');
    expect(await reply(client)).toBe('500 5.5.2 Error: command not recognized\r\n');
    client.line('QUIT');
    expect(await reply(client)).toBe('221 2.0.0 Bye\r\n');
    client.close();
  });

  it('LMTP_PORT answers one reply per recipient after DATA (RFC 2033 §4.2)', async () => {
    const client = await session('LMTP_PORT');
    client.line('LHLO client.test');
    await reply(client);
    client.line('MAIL FROM:<a@example.net>');
    await reply(client);
    client.line('RCPT TO:<alice@convospec.test>');
    await reply(client);
    client.line('RCPT TO:<nobody@convospec.test>');
    expect(await reply(client)).toMatch(/^550 5\.1\.1 /);
    client.line('DATA');
    await reply(client);
    client.write('Subject: via lmtp\r\n\r\nbody\r\n.\r\n');
    expect(await reply(client)).toMatch(/^250 2\.6\.0 OK: delivered as \d+\r\n$/);
    client.line('QUIT');
    expect(await reply(client)).toBe('221 2.0.0 Bye\r\n');
    client.close();
    expect(subjects()).toContain('via lmtp');
  });
});
