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
const inbox = () => demo.mailbox.inbox(demo.env.MAIL_USER)!;

/** A multi-line reply (RFC 1939 §3): through the line holding only a dot. */
async function multiline(client: RawClient): Promise<string> {
  return client.until(/(?:^|\r\n)\.\r\n/);
}

async function pop3s(): Promise<RawClient> {
  const client = await RawClient.connect(Number(demo.env.POP3S_PORT), trust());
  expect(await client.readLine()).toMatch(/^\+OK /);
  client.line(`USER ${demo.env.MAIL_USER}`);
  expect(await client.readLine()).toBe('+OK Send your password');
  client.line(`PASS ${demo.env.MAIL_PASS}`);
  expect(await client.readLine()).toMatch(/^\+OK Logged in, \d+ messages$/);
  return client;
}

describe('POP3_PORT', () => {
  it('CAPA offers STLS; logins wait for it; after STLS, USER/PASS and AUTH PLAIN', async () => {
    const client = await RawClient.connect(Number(demo.env.POP3_PORT));
    expect(await client.readLine()).toBe('+OK mail.convospec.test convospec demo POP3 server ready');
    client.line('CAPA');
    expect(await multiline(client)).toBe(
      '+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nSTLS\r\nIMPLEMENTATION convospec-demo\r\n.\r\n',
    );
    client.line(`USER ${demo.env.MAIL_USER}`);
    expect(await client.readLine()).toBe('-ERR [AUTH] Plaintext authentication disallowed before STLS');
    client.line('STAT');
    expect(await client.readLine()).toBe('-ERR Log in first');
    client.line('STLS');
    expect(await client.readLine()).toBe('+OK Begin TLS negotiation');
    const secure = await client.upgrade(trust());
    expect(secure.authorized).toBe(true);
    client.line('CAPA');
    const caps = await multiline(client);
    expect(caps).toContain('\r\nUSER\r\nSASL PLAIN\r\n');
    expect(caps).not.toContain('STLS');
    client.line(`USER ${demo.env.MAIL_USER}`);
    await client.readLine();
    client.line('PASS wrong');
    expect(await client.readLine()).toBe('-ERR [AUTH] Authentication failed');
    client.line('AUTH PLAIN');
    expect(await client.readLine()).toBe('+ ');
    client.line(Buffer.from(`\0${demo.env.MAIL_USER}\0${demo.env.MAIL_PASS}`).toString('base64'));
    expect(await client.readLine()).toMatch(/^\+OK Logged in, \d+ messages$/);
    client.line('QUIT');
    expect(await client.readLine()).toBe('+OK convospec demo POP3 server signing off');
    await client.closed();
  });

  it('AUTH PLAIN with an initial response; a wrong one is refused', async () => {
    const client = await RawClient.connect(Number(demo.env.POP3S_PORT), trust());
    await client.readLine();
    client.line(`AUTH PLAIN ${Buffer.from(`\0${demo.env.MAIL_USER}\0nope`).toString('base64')}`);
    expect(await client.readLine()).toBe('-ERR [AUTH] Authentication failed');
    client.line(`AUTH PLAIN ${Buffer.from(`\0${demo.env.MAIL_USER}\0${demo.env.MAIL_PASS}`).toString('base64')}`);
    expect(await client.readLine()).toMatch(/^\+OK Logged in/);
    client.close();
  });
});

describe('POP3S_PORT maildrop', () => {
  it('STAT, LIST, UIDL, RETR dot-stuffed, TOP', async () => {
    const client = await pop3s();
    const messages = inbox().messages();
    const total = messages.reduce((n, m) => n + m.raw.length, 0);
    client.line('STAT');
    expect(await client.readLine()).toBe(`+OK ${messages.length} ${total}`);
    client.line('LIST');
    expect(await multiline(client)).toBe(
      `+OK ${messages.length} messages\r\n${messages.map((m, i) => `${i + 1} ${m.raw.length}\r\n`).join('')}.\r\n`,
    );
    client.line('LIST 1');
    expect(await client.readLine()).toBe(`+OK 1 ${messages[0]!.raw.length}`);
    client.line('UIDL 1');
    expect(await client.readLine()).toBe(`+OK 1 ${messages[0]!.uid}`);
    client.line('LIST 999');
    expect(await client.readLine()).toBe('-ERR No such message');
    // Message 1 is the demo's welcome message, whose body has a line starting with a dot.
    client.line('RETR 1');
    const retr = await multiline(client);
    expect(retr).toMatch(/^\+OK \d+ octets\r\n/);
    expect(retr).toContain('\r\nSubject: Welcome to the convospec demo\r\n');
    expect(retr).toContain('\r\n..a line that starts with a dot');
    expect(retr.endsWith('\r\n.\r\n')).toBe(true);
    client.line('TOP 1 0');
    const top = await multiline(client);
    expect(top).toMatch(/^\+OK Top of message follows\r\n/);
    expect(top).toMatch(/\r\n\r\n\.\r\n$/);
    expect(top).not.toContain('This mailbox');
    client.close();
  });

  it('a message delivered over SMTP is retrievable; DELE waits for QUIT, RSET undoes it', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: Number(demo.env.SMTP_PORT), ignoreTLS: true });
    await transport.sendMail({ from: demo.env.MAIL_FROM, to: demo.env.MAIL_USER, subject: 'for pop3', text: '.\n..\nend\n' });
    transport.close();
    const client = await pop3s();
    const n = inbox().messages().findIndex((m) => m.raw.includes('Subject: for pop3')) + 1;
    expect(n).toBeGreaterThan(0);
    client.line(`RETR ${n}`);
    expect(await multiline(client)).toMatch(/\r\n\r\n\.\.\r\n\.\.\.\r\nend\r\n\.\r\n$/);
    client.line(`DELE ${n}`);
    expect(await client.readLine()).toBe(`+OK Message ${n} deleted`);
    client.line(`RETR ${n}`);
    expect(await client.readLine()).toBe('-ERR No such message');
    client.line('RSET');
    expect(await client.readLine()).toMatch(/^\+OK \d+ messages$/);
    client.line(`DELE ${n}`);
    await client.readLine();
    const before = inbox().size;
    client.line('NOOP');
    expect(await client.readLine()).toBe('+OK');
    expect(inbox().size).toBe(before);
    client.line('QUIT');
    expect(await client.readLine()).toMatch(/^\+OK /);
    await client.closed();
    expect(inbox().size).toBe(before - 1);
  });

  it('answers unknown commands and pipelined commands in order', async () => {
    const client = await pop3s();
    client.write('FROB\r\nNOOP\r\nSTAT\r\n');
    expect(await client.readLine()).toBe('-ERR Unknown command "FROB"');
    expect(await client.readLine()).toBe('+OK');
    expect(await client.readLine()).toMatch(/^\+OK \d+ \d+$/);
    client.close();
  });
});
