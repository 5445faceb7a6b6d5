import { access, readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startDemo } from '../../src/demo/index.js';
import { RawClient } from './client.js';

const ENV_KEYS = [
  'MAIL_HOST',
  'MAIL_SERVERNAME',
  'MAIL_CA',
  'SMTP_PORT',
  'SUBMISSION_PORT',
  'SMTPS_PORT',
  'PLAIN_SMTP_PORT',
  'LMTP_PORT',
  'IMAP_PORT',
  'IMAPS_PORT',
  'POP3_PORT',
  'POP3S_PORT',
  'MAIL_USER',
  'MAIL_PASS',
  'MAIL_DOMAIN',
  'MAIL_FROM',
];

describe('startDemo', () => {
  it('fills in exactly the variables of docs/environment.md and cleans up on close', async () => {
    const messages: string[] = [];
    const now = new Date('2030-01-02T03:04:05Z');
    const demo = await startDemo({ logger: { info: (m) => messages.push(m), error: (m) => messages.push(m) }, now: () => now });
    try {
      expect(Object.keys(demo.env).sort()).toEqual([...ENV_KEYS].sort());
      expect(demo.env).toMatchObject({
        MAIL_HOST: '127.0.0.1',
        MAIL_SERVERNAME: 'mail.convospec.test',
        MAIL_USER: 'alice@convospec.test',
        MAIL_PASS: 'demo-password',
        MAIL_DOMAIN: 'convospec.test',
        MAIL_FROM: 'sender@example.net',
      });
      const ports = ENV_KEYS.filter((k) => k.endsWith('_PORT')).map((k) => Number(demo.env[k as keyof typeof demo.env]));
      expect(new Set(ports).size).toBe(ports.length);
      for (const port of ports) expect(port).toBeGreaterThan(0);
      const ca = new X509Certificate(await readFile(demo.env.MAIL_CA, 'utf8'));
      expect(ca.ca).toBe(true);
      // The clock given is the clock used: certificates and the welcome message follow it.
      expect(new Date(ca.validFrom).getTime()).toBeLessThanOrEqual(now.getTime());
      expect(demo.mailbox.inbox('alice@convospec.test')?.messages()[0]?.internalDate).toEqual(now);
      expect(messages.join('\n')).toContain(`IMAP_PORT=${demo.env.IMAP_PORT}`);
      expect(messages.join('\n')).not.toContain('demo-password');
    } finally {
      await demo.close();
      await demo.close();
    }
    await expect(access(demo.env.MAIL_CA)).rejects.toThrow();
    await expect(RawClient.connect(Number(demo.env.IMAP_PORT))).rejects.toThrow();
  });

  it('ends idle IMAP and POP3 sessions after the idle limit', async () => {
    const demo = await startDemo({ limits: { idleMs: 300 } });
    try {
      const imap = await RawClient.connect(Number(demo.env.IMAP_PORT));
      await imap.readLine();
      expect(await imap.readLine()).toBe('* BYE Autologout; idle for too long');
      await imap.closed();
      const pop3 = await RawClient.connect(Number(demo.env.POP3_PORT));
      await pop3.readLine();
      expect(await pop3.readLine()).toBe('-ERR Autologout; idle for too long');
      await pop3.closed();
    } finally {
      await demo.close();
    }
  });

  it('close() ends sessions that are still open', async () => {
    const demo = await startDemo();
    const imap = await RawClient.connect(Number(demo.env.IMAP_PORT));
    const pop3 = await RawClient.connect(Number(demo.env.POP3_PORT));
    const smtp = await RawClient.connect(Number(demo.env.SMTP_PORT));
    await Promise.all([imap.readLine(), pop3.readLine(), smtp.readLine()]);
    await demo.close();
    await Promise.all([imap.closed(), pop3.closed(), smtp.closed()]);
  });
});
