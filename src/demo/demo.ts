/**
 * The embedded demo: every listener of docs/environment.md's table on loopback port 0, a CA and
 * server certificate made at start-up, one shared in-memory mail store, and the environment
 * variables that point `examples/` at all of it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { createPki } from '../pki/index.js';
import { rfc5322Date } from './date.js';
import { startImap } from './imap.js';
import { DEFAULT_LIMITS } from './limits.js';
import type { DemoLimits } from './limits.js';
import { SILENT_LOGGER } from './logger.js';
import type { DemoLogger } from './logger.js';
import { MailStore } from './mailbox.js';
import { startPop3 } from './pop3.js';
import { startSmtp } from './smtp.js';

export const DEMO_SERVERNAME = 'mail.convospec.test';
export const DEMO_DOMAIN = 'convospec.test';
export const DEMO_USER = 'alice@convospec.test';
export const DEMO_PASS = 'demo-password';
export const DEMO_FROM = 'sender@example.net';

export interface DemoOptions {
  /** Address every listener binds to and MAIL_HOST names (default 127.0.0.1). */
  readonly host?: string;
  /** Lifecycle messages (ports, listener errors); never conversation content. Silent by default. */
  readonly logger?: DemoLogger;
  /** The clock for certificates, INTERNALDATE and Received headers (default: the real time). */
  readonly now?: () => Date;
  /** Tighter or looser bounds, for tests (default DEFAULT_LIMITS). */
  readonly limits?: Partial<DemoLimits>;
  /** Where the CA file goes (default: a new directory under the OS temp dir, removed on close). */
  readonly tmpDir?: string;
}

/** The variables of docs/environment.md, as the demo fills them in. */
export type DemoEnv = Record<
  | 'MAIL_HOST'
  | 'MAIL_SERVERNAME'
  | 'MAIL_CA'
  | 'SMTP_PORT'
  | 'SUBMISSION_PORT'
  | 'SMTPS_PORT'
  | 'PLAIN_SMTP_PORT'
  | 'LMTP_PORT'
  | 'IMAP_PORT'
  | 'IMAPS_PORT'
  | 'POP3_PORT'
  | 'POP3S_PORT'
  | 'MAIL_USER'
  | 'MAIL_PASS'
  | 'MAIL_DOMAIN'
  | 'MAIL_FROM',
  string
>;

export interface Demo {
  readonly env: DemoEnv;
  /** The shared store: SMTP/LMTP deliver into it, IMAP and POP3 read it. */
  readonly mailbox: MailStore;
  /** Stops every listener, ends every session, removes the CA file. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * The first message of the INBOX, so POP3 and IMAP have something to show before anything
 * was delivered. Its body has a line starting with a dot, which POP3 RETR must dot-stuff.
 */
function welcome(now: Date): Buffer {
  return Buffer.from(
    [
      `From: convospec demo <postmaster@${DEMO_DOMAIN}>`,
      `To: <${DEMO_USER}>`,
      'Subject: Welcome to the convospec demo',
      `Date: ${rfc5322Date(now)}`,
      `Message-ID: <welcome@${DEMO_DOMAIN}>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'This mailbox lives in memory and is gone when the demo stops.',
      '.a line that starts with a dot (POP3 sends it as ..a line)',
      '',
    ].join('\r\n'),
    'utf8',
  );
}

type Closer = () => Promise<void>;

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? SILENT_LOGGER;
  const limits: DemoLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const closers: Closer[] = [];
  const closeAll = async (): Promise<void> => {
    // Last started, first stopped; each runs once.
    for (const close of closers.splice(0).reverse()) await close();
  };

  try {
    const pki = await createPki({ hosts: [DEMO_SERVERNAME, 'localhost'], ips: ['127.0.0.1', '::1'], now: now() });
    const dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'convospec-demo-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, pki.ca.cert, { mode: 0o644 });

    const store = new MailStore({
      users: new Map([[DEMO_USER, DEMO_PASS]]),
      domain: DEMO_DOMAIN,
      now,
      maxMessages: limits.mailboxMessages,
    });
    store.deliver(DEMO_USER, welcome(now()));

    const secureContext = tls.createSecureContext({ cert: pki.server.cert, key: pki.server.key });
    const base = { host, serverName: DEMO_SERVERNAME, store, limits, logger };
    const smtp = await startSmtp({ ...base, ...pki.server });
    closers.push(() => smtp.close());
    const imap = await startImap({ ...base, tls: secureContext, keyPair: pki.server });
    closers.push(() => imap.close());
    const pop3 = await startPop3({ ...base, tls: secureContext, keyPair: pki.server });
    closers.push(() => pop3.close());

    const env: DemoEnv = {
      MAIL_HOST: host,
      MAIL_SERVERNAME: DEMO_SERVERNAME,
      MAIL_CA: caFile,
      SMTP_PORT: String(smtp.ports.smtp),
      SUBMISSION_PORT: String(smtp.ports.submission),
      SMTPS_PORT: String(smtp.ports.smtps),
      PLAIN_SMTP_PORT: String(smtp.ports.plainSmtp),
      LMTP_PORT: String(smtp.ports.lmtp),
      IMAP_PORT: String(imap.ports.imap),
      IMAPS_PORT: String(imap.ports.imaps),
      POP3_PORT: String(pop3.ports.pop3),
      POP3S_PORT: String(pop3.ports.pop3s),
      MAIL_USER: DEMO_USER,
      MAIL_PASS: DEMO_PASS,
      MAIL_DOMAIN: DEMO_DOMAIN,
      MAIL_FROM: DEMO_FROM,
    };
    logger.info(
      `demo mail servers on ${host}: ` +
        Object.entries(env)
          .filter(([key]) => key.endsWith('_PORT'))
          .map(([key, value]) => `${key}=${value}`)
          .join(' '),
    );
    return { env, mailbox: store, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
