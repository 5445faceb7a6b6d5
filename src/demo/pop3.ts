/**
 * The demo's POP3 listeners (RFC 1939; CAPA RFC 2449, STLS RFC 2595, AUTH RFC 5034, response
 * codes RFC 3206): POP3_PORT offers STLS and refuses logins until then, POP3S_PORT is
 * implicit TLS (RFC 8314). The maildrop is a snapshot of the user's INBOX taken at login;
 * DELE marks, QUIT commits (RFC 1939 §6).
 */
import type { LineSocket } from './line-socket.js';
import { IdleTimeoutError, isPeerFailure, LineTooLongError } from './line-socket.js';
import { listenPair, type ServiceContext } from './listener.js';
import type { Mailbox, StoredMessage } from './mailbox.js';
import { splitMessage } from './message.js';
import { decodePlain } from './sasl.js';

export type Pop3Context = ServiceContext;

export interface Pop3Listeners {
  readonly ports: { readonly pop3: number; readonly pop3s: number };
  close(): Promise<void>;
}

type Pop3State = 'authorization' | 'transaction';

interface Pop3Command {
  readonly states: readonly Pop3State[];
  run(session: Pop3Session, args: readonly string[]): Promise<void>;
}

interface Maildrop {
  readonly box: Mailbox;
  readonly messages: readonly StoredMessage[];
  readonly deleted: Set<StoredMessage>;
}

/** RFC 1939 §3: a line starting with `.` gets one more; the body ends with CRLF `.` CRLF. */
export function dotStuff(raw: Buffer): Buffer {
  let text = raw.toString('latin1').replace(/(^|\n)\./g, '$1..');
  if (text.length > 0 && !text.endsWith('\r\n')) text += '\r\n';
  return Buffer.from(`${text}.\r\n`, 'latin1');
}

/** TOP n k (RFC 1939 §7): the header, the blank line, and the first k body lines. */
function top(raw: Buffer, lines: number): Buffer {
  const { header, body } = splitMessage(raw);
  let end = 0;
  for (let i = 0; i < lines && end < body.length; i++) {
    const lf = body.indexOf(0x0a, end);
    end = lf < 0 ? body.length : lf + 1;
  }
  return Buffer.concat([header, body.subarray(0, end)]);
}

class Pop3Session {
  state: Pop3State = 'authorization';
  closing = false;
  pendingUser: string | undefined;
  authFailures = 0;
  drop: Maildrop | undefined;

  constructor(
    readonly io: LineSocket,
    readonly context: Pop3Context,
    readonly offersStls: boolean,
  ) {}

  get loginDisabled(): boolean {
    return this.offersStls && !this.io.secure;
  }

  async send(line: string): Promise<void> {
    await this.io.write(`${line}\r\n`);
  }

  async multiline(first: string, body: Buffer | readonly string[]): Promise<void> {
    const bytes = Buffer.isBuffer(body) ? dotStuff(body) : dotStuff(Buffer.from(body.map((l) => `${l}\r\n`).join(''), 'latin1'));
    await this.io.write(Buffer.concat([Buffer.from(`${first}\r\n`), bytes]));
  }

  capabilities(): string[] {
    const caps = ['TOP', 'UIDL', 'RESP-CODES', 'PIPELINING', 'AUTH-RESP-CODE'];
    if (this.state === 'authorization' && !this.loginDisabled) caps.push('USER', 'SASL PLAIN');
    if (this.state === 'authorization' && this.loginDisabled) caps.push('STLS');
    caps.push('IMPLEMENTATION convospec-demo');
    return caps;
  }

  /** The live message numbered n (1-based), or an -ERR sent. */
  async message(arg: string | undefined): Promise<StoredMessage | undefined> {
    const n = /^[1-9]\d{0,9}$/.test(arg ?? '') ? Number(arg) : NaN;
    const message = this.drop?.messages[n - 1];
    if (message === undefined || this.drop?.deleted.has(message)) {
      await this.send('-ERR No such message');
      return undefined;
    }
    return message;
  }

  live(): [number, StoredMessage][] {
    const drop = this.drop;
    if (drop === undefined) return [];
    return drop.messages.flatMap((m, i): [number, StoredMessage][] => (drop.deleted.has(m) ? [] : [[i + 1, m]]));
  }

  async login(user: string | undefined): Promise<void> {
    const box = user === undefined ? undefined : this.context.store.inbox(user);
    if (box === undefined) {
      this.authFailures += 1;
      if (this.authFailures >= this.context.limits.authFailures) {
        await this.send('-ERR [AUTH] Too many authentication failures');
        this.closing = true;
        return;
      }
      await this.send('-ERR [AUTH] Authentication failed');
      return;
    }
    this.drop = { box, messages: box.messages(), deleted: new Set() };
    this.state = 'transaction';
    await this.send(`+OK Logged in, ${this.drop.messages.length} messages`);
  }

  async run(): Promise<void> {
    try {
      await this.send(`+OK ${this.context.serverName} convospec demo POP3 server ready`);
      while (!this.closing) {
        const raw = await this.io.readLine();
        if (raw === undefined) break;
        const line = raw.toString('utf8').replace(/\r$/, '');
        const [word = '', ...args] = line.split(' ');
        const name = word.toUpperCase();
        const command = COMMANDS[name];
        if (command === undefined) await this.send(`-ERR Unknown command ${JSON.stringify(word.slice(0, 20))}`);
        else if (!command.states.includes(this.state)) await this.send(this.state === 'authorization' ? '-ERR Log in first' : '-ERR Already logged in');
        else await command.run(this, args);
      }
    } catch (error) {
      if (error instanceof LineTooLongError) await this.send(`-ERR Line too long (at most ${error.limit} bytes)`);
      else if (error instanceof IdleTimeoutError) await this.send('-ERR Autologout; idle for too long');
      else if (!isPeerFailure(error)) throw error;
    } finally {
      this.io.end();
    }
  }
}

const AUTHORIZATION: readonly Pop3State[] = ['authorization'];
const TRANSACTION: readonly Pop3State[] = ['transaction'];
const BOTH: readonly Pop3State[] = ['authorization', 'transaction'];

const PRIVACY = '-ERR [AUTH] Plaintext authentication disallowed before STLS';

const COMMANDS: Readonly<Record<string, Pop3Command>> = {
  CAPA: {
    states: BOTH,
    run: (s) => s.multiline('+OK Capability list follows', s.capabilities()),
  },
  STLS: {
    states: AUTHORIZATION,
    async run(s) {
      if (!s.offersStls || s.io.secure) return s.send('-ERR STLS is not available here');
      // RFC 2595 §4: +OK, then the handshake; what the client sent before it is dropped.
      await s.send('+OK Begin TLS negotiation');
      await s.io.startTls(s.context.tls);
    },
  },
  USER: {
    states: AUTHORIZATION,
    async run(s, args) {
      if (s.loginDisabled) return s.send(PRIVACY);
      if (args.length !== 1 || args[0] === '') return s.send('-ERR USER name');
      s.pendingUser = args[0];
      // The same answer for every name: POP3 does not tell who exists.
      await s.send('+OK Send your password');
    },
  },
  PASS: {
    states: AUTHORIZATION,
    async run(s, args) {
      if (s.loginDisabled) return s.send(PRIVACY);
      const name = s.pendingUser;
      s.pendingUser = undefined;
      if (name === undefined) return s.send('-ERR USER first');
      // RFC 1939 §7: the password may contain spaces.
      await s.login(s.context.store.authenticate(name, args.join(' ')));
    },
  },
  AUTH: {
    states: AUTHORIZATION,
    async run(s, args) {
      if ((args[0] ?? '').toUpperCase() !== 'PLAIN') return s.send('-ERR Unsupported authentication mechanism');
      if (s.loginDisabled) return s.send(PRIVACY);
      // RFC 5034 §4: an initial response may come with the command; `=` is an empty one.
      let response = args[1];
      if (response === undefined) {
        await s.send('+ ');
        const line = await s.io.readLine();
        if (line === undefined) {
          s.closing = true;
          return;
        }
        response = line.toString('utf8').replace(/\r$/, '');
        if (response === '*') return s.send('-ERR Authentication cancelled');
      }
      const credentials = decodePlain(response === '=' ? '' : response);
      const { store } = s.context;
      const sameUser = credentials !== undefined && (!credentials.authzid || store.resolve(credentials.authzid) === store.resolve(credentials.authcid));
      await s.login(credentials && sameUser ? store.authenticate(credentials.authcid, credentials.password) : undefined);
    },
  },
  STAT: {
    states: TRANSACTION,
    async run(s) {
      const live = s.live();
      await s.send(`+OK ${live.length} ${live.reduce((n, [, m]) => n + m.raw.length, 0)}`);
    },
  },
  LIST: {
    states: TRANSACTION,
    async run(s, args) {
      if (args.length > 0) {
        const message = await s.message(args[0]);
        if (message) await s.send(`+OK ${args[0]} ${message.raw.length}`);
        return;
      }
      const live = s.live();
      await s.multiline(`+OK ${live.length} messages`, live.map(([n, m]) => `${n} ${m.raw.length}`));
    },
  },
  UIDL: {
    states: TRANSACTION,
    async run(s, args) {
      // The unique id is the IMAP UID, so a test can match a message across both protocols.
      if (args.length > 0) {
        const message = await s.message(args[0]);
        if (message) await s.send(`+OK ${args[0]} ${message.uid}`);
        return;
      }
      await s.multiline('+OK Unique ids follow', s.live().map(([n, m]) => `${n} ${m.uid}`));
    },
  },
  RETR: {
    states: TRANSACTION,
    async run(s, args) {
      const message = await s.message(args[0]);
      if (message) await s.multiline(`+OK ${message.raw.length} octets`, message.raw);
    },
  },
  TOP: {
    states: TRANSACTION,
    async run(s, args) {
      if (!/^\d{1,10}$/.test(args[1] ?? '')) return s.send('-ERR TOP message lines');
      const message = await s.message(args[0]);
      if (message) await s.multiline('+OK Top of message follows', top(message.raw, Number(args[1])));
    },
  },
  DELE: {
    states: TRANSACTION,
    async run(s, args) {
      const message = await s.message(args[0]);
      if (message === undefined) return;
      s.drop?.deleted.add(message);
      await s.send(`+OK Message ${args[0]} deleted`);
    },
  },
  RSET: {
    states: TRANSACTION,
    async run(s) {
      s.drop?.deleted.clear();
      await s.send(`+OK ${s.live().length} messages`);
    },
  },
  NOOP: { states: TRANSACTION, run: (s) => s.send('+OK') },
  QUIT: {
    states: BOTH,
    async run(s) {
      // RFC 1939 §6: the UPDATE state removes what DELE marked, only on QUIT.
      if (s.drop) s.drop.box.remove(s.drop.deleted);
      s.closing = true;
      await s.send('+OK convospec demo POP3 server signing off');
    },
  },
};

export async function startPop3(context: Pop3Context): Promise<Pop3Listeners> {
  const pair = await listenPair('pop3', context, (io, offersStls) => new Pop3Session(io, context, offersStls).run());
  return { ports: { pop3: pair.plainPort, pop3s: pair.tlsPort }, close: () => pair.close() };
}
