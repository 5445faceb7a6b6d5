/**
 * The demo's SMTP side, all smtp-server: MX-style SMTP (STARTTLS offered, no AUTH), submission
 * (STARTTLS before AUTH, AUTH before MAIL; RFC 6409), implicit-TLS submission (RFC 8314), plain
 * SMTP without TLS, and LMTP (RFC 2033). Local recipients land in the shared MailStore.
 */
import type { AddressInfo } from 'node:net';
import type {
  SMTPServerAddress,
  SMTPServerAuthentication,
  SMTPServerAuthenticationResponse,
  SMTPServerDataResult,
  SMTPServerDataStream,
  SMTPServerOptions,
  SMTPServerSession,
} from 'smtp-server';
import type { DemoLimits } from './limits.js';
import type { DemoLogger } from './logger.js';
import type { MailStore } from './mailbox.js';
import { rfc5322Date } from './date.js';
import { DemoSmtpServer } from './smtp-connection.js';

export type SmtpService = 'smtp' | 'submission' | 'smtps' | 'plainSmtp' | 'lmtp';

export interface SmtpContext {
  readonly host: string;
  readonly serverName: string;
  readonly store: MailStore;
  readonly cert: string;
  readonly key: string;
  readonly limits: DemoLimits;
  readonly logger: DemoLogger;
}

export interface SmtpListeners {
  readonly ports: Readonly<Record<SmtpService, number>>;
  close(): Promise<void>;
}

/** What differs between the five listeners. */
const SERVICES: Readonly<Record<SmtpService, SMTPServerOptions>> = {
  smtp: { disabledCommands: ['AUTH'] },
  submission: {},
  smtps: { secure: true },
  plainSmtp: { disabledCommands: ['AUTH', 'STARTTLS'] },
  lmtp: { lmtp: true, disabledCommands: ['AUTH', 'STARTTLS'] },
};

/** An smtp-server handler error: the reply code, and the text with its RFC 3463 code first. */
function refusal(responseCode: number, text: string): Error & { responseCode: number } {
  return Object.assign(new Error(text), { responseCode });
}

function makeHandlers(context: SmtpContext): Partial<SMTPServerOptions> {
  const { store, limits } = context;
  const failures = new WeakMap<SMTPServerSession, number>();
  let queued = 0;

  const checkCredentials = (auth: SMTPServerAuthentication): string | undefined => {
    const name = auth.username ?? '';
    if (auth.method === 'CRAM-MD5') {
      const password = store.password(name);
      return password !== undefined && auth.validatePassword(password) ? store.resolve(name) : undefined;
    }
    // RFC 4616 §2: an authorization identity other than the user's own is refused.
    if (auth.authzid && store.resolve(auth.authzid) !== store.resolve(name)) return undefined;
    return store.authenticate(name, auth.password ?? '');
  };

  return {
    onAuth(auth, session, callback: (error: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void) {
      const user = checkCredentials(auth);
      if (user !== undefined) return callback(null, { user });
      const count = (failures.get(session) ?? 0) + 1;
      failures.set(session, count);
      if (count >= limits.authFailures) return callback(refusal(421, '4.7.0 Too many authentication failures'));
      // smtp-server's own refusal: "535 5.7.8 Error: Authentication credentials invalid".
      callback(null, {});
    },

    onRcptTo(address: SMTPServerAddress, session, callback) {
      const rcpt = address.address;
      if (store.isLocal(rcpt)) {
        if (store.resolve(rcpt) !== undefined) return callback();
        return callback(refusal(550, `5.1.1 <${rcpt}>: Recipient address rejected: User unknown`));
      }
      // Authenticated submission may relay (the demo accepts and drops it); nobody else may.
      if (session.user) return callback();
      callback(refusal(554, `5.7.1 <${rcpt}>: Relay access denied`));
    },

    onData(stream: SMTPServerDataStream, session, callback: (error?: Error | null, message?: string | SMTPServerDataResult[]) => void) {
      const chunks: Buffer[] = [];
      let kept = 0;
      stream.on('data', (chunk: Buffer) => {
        // Past the limit the bytes are counted by smtp-server and dropped here: it answers 552.
        if (kept + chunk.length <= limits.message) chunks.push(chunk);
        kept += chunk.length;
      });
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(null);
        queued += 1;
        const id = `${queued}`;
        const body = Buffer.concat(chunks);
        const results = session.envelope.rcptTo.map((rcpt) => deliver(context, session, rcpt.address, body, id));
        if (session.openingCommand === 'LHLO') return callback(null, results);
        callback(null, `OK: queued as ${id}`);
      });
    },
  };
}

/** Final delivery (RFC 5321 §4.4): Return-Path and Received, then the message as sent. */
function deliver(context: SmtpContext, session: SMTPServerSession, rcpt: string, body: Buffer, id: string): SMTPServerDataResult {
  const { store, serverName } = context;
  if (!store.isLocal(rcpt)) return `OK: relayed as ${id}`;
  const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const trace =
    `Return-Path: <${from}>\r\n` +
    `Received: from ${session.hostNameAppearsAs} ([${session.remoteAddress}])\r\n` +
    `\tby ${serverName} (convospec demo) with ${session.transmissionType} id ${id}\r\n` +
    `\tfor <${rcpt}>; ${rfc5322Date(store.now())}\r\n`;
  return store.deliver(rcpt, Buffer.concat([Buffer.from(trace, 'latin1'), body]))
    ? `OK: delivered as ${id}`
    : refusal(550, `5.1.1 <${rcpt}>: User unknown`);
}

async function listenOne(context: SmtpContext, service: SmtpService, handlers: Partial<SMTPServerOptions>): Promise<DemoSmtpServer> {
  const { limits, logger } = context;
  const server = new DemoSmtpServer({
    name: context.serverName,
    banner: 'convospec demo',
    key: context.key,
    cert: context.cert,
    size: limits.message,
    rejectOversized: true,
    hideENHANCEDSTATUSCODES: false,
    authMethods: ['PLAIN', 'LOGIN', 'CRAM-MD5'],
    disableReverseLookup: true,
    logger: false,
    socketTimeout: limits.idleMs,
    closeTimeout: 500,
    maxClients: limits.connections,
    maxRecipients: 100,
    maxAllowedUnauthenticatedCommands: 20,
    ...handlers,
    ...SERVICES[service],
  });
  server.on('error', (error: Error) => logger.error(`demo ${service}: ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, context.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  return server;
}

export async function startSmtp(context: SmtpContext): Promise<SmtpListeners> {
  const handlers = makeHandlers(context);
  const names = Object.keys(SERVICES) as SmtpService[];
  const servers: DemoSmtpServer[] = [];
  try {
    for (const name of names) servers.push(await listenOne(context, name, handlers));
  } catch (error) {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    throw error;
  }
  const ports = Object.fromEntries(
    names.map((name, i) => [name, (servers[i]?.server.address() as AddressInfo).port]),
  ) as Record<SmtpService, number>;
  return {
    ports,
    async close() {
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
