/**
 * Hostile peers: in-process servers on 127.0.0.1 port 0 that misbehave in exactly one way
 * each, so a test can prove convospec fails clearly, promptly and within its limits.
 *
 * Every loop here is bounded (a byte budget or a script's end), every timer is registered
 * on the connection and cleared when it closes, and `close()` destroys whatever is still
 * open, so a peer never outlives its test.
 */
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { KeyPairPem } from '../../src/pki/index.js';

/** What a test can see of a running peer. */
export interface Peer {
  readonly port: number;
  /** Sockets accepted so far. */
  readonly accepted: number;
  /** Accepted sockets that have closed since. */
  readonly closed: number;
  /** What clients sent (first `RECEIVED_MAX` bytes, all connections in order), latin1. */
  received(): string;
  /** Resolves once every accepted socket (at least `min`) has closed; rejects after `timeoutMs`. */
  waitAllClosed(min?: number, timeoutMs?: number): Promise<void>;
  /** Stop listening and destroy open sockets; safe to call twice. */
  close(): Promise<void>;
}

/** One accepted connection, with timers that die with it. */
export interface PeerConnection {
  readonly socket: net.Socket;
  /** Run `fn` after `ms`, unless the connection closed first. */
  after(ms: number, fn: () => void): void;
  /** Call `onLine` for each line the client sends (LF-terminated, CR dropped); returns a detach. */
  lines(onLine: (line: string) => void): () => void;
  /**
   * Write `chunk()` again and again, honouring back-pressure, until it returns undefined,
   * `maxBytes` went out, or the connection closed.
   */
  pump(chunk: () => Buffer | undefined, maxBytes: number): void;
  /** The same connection after a TLS upgrade, tracked so `Peer.close()` still reaches it. */
  upgraded(secure: tls.TLSSocket): PeerConnection;
  readonly isOpen: boolean;
}

export type Behaviour = (conn: PeerConnection) => void;

const RECEIVED_MAX = 1024 * 1024;
/** Longest line the scripted peers buffer from a client; past it they drop the line. */
const PEER_LINE_MAX = 64 * 1024;
/** The most any endless peer writes, whatever happens: 256 MiB. */
export const ENDLESS_MAX_BYTES = 256 * 1024 * 1024;

interface ListenOptions {
  /** Per-socket stream buffer; small makes `socket.pause()` stop reading from the kernel soon. */
  readonly highWaterMark?: number;
}

/** A plain TCP peer running `behaviour` on every connection. */
export async function listen(behaviour: Behaviour, options: ListenOptions = {}): Promise<Peer> {
  const server = net.createServer(options.highWaterMark ? { highWaterMark: options.highWaterMark } : {});
  return start(server, 'connection', behaviour);
}

/** An implicit-TLS peer (like port 465) with this certificate, running `behaviour` after the handshake. */
export async function listenTls(pair: KeyPairPem, behaviour: Behaviour): Promise<Peer> {
  const server = tls.createServer({ cert: pair.cert, key: pair.key });
  // A client that rejects our certificate aborts the handshake: expected, not a test error.
  server.on('tlsClientError', () => undefined);
  return start(server, 'secureConnection', behaviour);
}

async function start(server: net.Server, event: 'connection' | 'secureConnection', behaviour: Behaviour): Promise<Peer> {
  const sockets = new Set<net.Socket>();
  const received: Buffer[] = [];
  let receivedBytes = 0;
  let accepted = 0;
  let closed = 0;
  const closeWaiters = new Set<() => void>();

  const record = (chunk: Buffer): void => {
    if (receivedBytes >= RECEIVED_MAX) return;
    const part = chunk.subarray(0, RECEIVED_MAX - receivedBytes);
    received.push(part);
    receivedBytes += part.length;
  };

  // TLS servers also see the raw TCP socket first: count and close it, so a stalled or
  // failed handshake still shows up as an accepted and closed connection.
  server.on('connection', (socket: net.Socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      sockets.delete(socket);
      closed += 1;
      for (const wake of [...closeWaiters]) wake();
    });
  });
  server.on(event, (socket: net.Socket) => {
    socket.on('error', () => undefined);
    socket.on('data', record);
    behaviour(connectionOf(socket, sockets));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    get accepted() {
      return accepted;
    },
    get closed() {
      return closed;
    },
    received: () => Buffer.concat(received).toString('latin1'),
    waitAllClosed(min = 1, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (accepted >= min && closed >= accepted) {
            clearTimeout(timer);
            closeWaiters.delete(check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          closeWaiters.delete(check);
          reject(new Error(`peer: ${closed} of ${accepted} sockets closed after ${timeoutMs}ms (wanted all, at least ${min})`));
        }, timeoutMs);
        closeWaiters.add(check);
        check();
      });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function connectionOf(socket: net.Socket, sockets: Set<net.Socket>): PeerConnection {
  const timers = new Set<NodeJS.Timeout>();
  let open = true;
  socket.once('close', () => {
    open = false;
    for (const t of timers) clearTimeout(t);
    timers.clear();
  });
  // A TLS socket wraps the raw one: it must die with the peer too.
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));

  const conn: PeerConnection = {
    socket,
    get isOpen() {
      return open && !socket.destroyed;
    },
    upgraded(secure) {
      return connectionOf(secure, sockets);
    },
    after(ms, fn) {
      if (!open) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (open) fn();
      }, ms);
      timers.add(timer);
    },
    lines(onLine) {
      let pending = '';
      const onData = (chunk: Buffer): void => {
        pending += chunk.toString('latin1');
        let lf = pending.indexOf('\n');
        // Bounded: each turn removes a line from `pending`.
        while (lf >= 0) {
          const line = pending.slice(0, lf).replace(/\r$/, '');
          pending = pending.slice(lf + 1);
          onLine(line);
          lf = pending.indexOf('\n');
        }
        if (pending.length > PEER_LINE_MAX) pending = '';
      };
      socket.on('data', onData);
      return () => socket.off('data', onData);
    },
    pump(chunk, maxBytes) {
      let sent = 0;
      const more = (): void => {
        // Bounded by maxBytes; returns at the first back-pressure and resumes on 'drain'.
        while (open && !socket.destroyed && sent < maxBytes) {
          const next = chunk();
          if (next === undefined) return;
          sent += next.length;
          if (!socket.write(next)) {
            socket.once('drain', more);
            return;
          }
        }
      };
      more();
    },
  };
  return conn;
}

// ---------------------------------------------------------------------------------------
// Scripted SMTP: a table from verb to answer. Hostile peers override one entry.

export type Answer = string | ((conn: PeerConnection, line: string) => void);

/** Answers keyed by the upper-cased first word of the client's line; `*` for anything else. */
export type Script = Readonly<Record<string, Answer>>;

export const GOOD_SMTP: Script = {
  EHLO: '250-peer.convospec.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n',
  HELO: '250 peer.convospec.test\r\n',
  NOOP: '250 2.0.0 OK\r\n',
  MAIL: '250 2.1.0 OK\r\n',
  RCPT: '250 2.1.5 OK\r\n',
  RSET: '250 2.0.0 OK\r\n',
  QUIT: (conn) => {
    conn.socket.end('221 2.0.0 Bye\r\n');
  },
  '*': '500 5.5.2 what?\r\n',
};

/** A greeting, then answers from `script` (layered over GOOD_SMTP). */
export function smtpScript(script: Script = {}, greeting = '220 peer.convospec.test ESMTP\r\n'): Behaviour {
  const table: Script = { ...GOOD_SMTP, ...script };
  return (conn) => {
    conn.socket.write(greeting);
    conn.lines((line) => answer(conn, table, line));
  };
}

function answer(conn: PeerConnection, table: Script, line: string): void {
  if (!conn.isOpen) return;
  const verb = line.split(' ', 1)[0]!.toUpperCase();
  const reply = table[verb] ?? table['*']!;
  if (typeof reply === 'string') conn.socket.write(reply);
  else reply(conn, line);
}

// ---------------------------------------------------------------------------------------
// The hostile peers.

/** A well-behaved SMTP server, for the test of the same run that must still pass. */
export const goodPeer = (): Promise<Peer> => listen(smtpScript());

/** Accepts and reads, never writes a byte. */
export const silentPeer = (): Promise<Peer> => listen(() => undefined);

/**
 * Sends `text` one byte every `intervalMs`: each gap is shorter than the timeout, but the
 * whole reply takes longer (spec §4: dripping does not extend the deadline).
 */
export function dripPeer(text = '220 slowly.convospec.test ESMTP\r\n', intervalMs = 200): Promise<Peer> {
  const bytes = Buffer.from(text, 'latin1');
  return listen((conn) => {
    let i = 0;
    const next = (): void => {
      if (i >= bytes.length) return; // bounded by the text's length
      conn.socket.write(bytes.subarray(i, i + 1));
      i += 1;
      conn.after(intervalMs, next);
    };
    next();
  });
}

/** One line that never ends: `A` without LF until the client leaves (or 256 MiB). */
export function endlessLinePeer(): Promise<Peer> {
  const chunk = Buffer.alloc(16 * 1024, 'A');
  return listen((conn) => conn.pump(() => chunk, ENDLESS_MAX_BYTES));
}

/** A multi-line reply that never ends: `250-…` lines until the client leaves (or 256 MiB). */
export function endlessReplyPeer(): Promise<Peer> {
  const chunk = Buffer.from('250-this reply goes on and on and on\r\n'.repeat(400), 'latin1');
  return listen((conn) => conn.pump(() => chunk, ENDLESS_MAX_BYTES));
}

/**
 * Greets, then answers EHLO with the start of a multi-line reply and a TCP reset (RST)
 * before its last line. The pause lets the client read what came before the RST.
 */
export function resetPeer(): Promise<Peer> {
  return listen(
    smtpScript({
      EHLO: (conn) => {
        conn.socket.write('250-peer.convospec.test\r\n250-PIPEL');
        conn.after(300, () => conn.socket.resetAndDestroy());
      },
    }),
  );
}

/** Bytes that are not UTF-8: a NUL, 0xff, a lone continuation byte, a C1 control. */
export const GARBAGE = Buffer.from([
  ...Buffer.from('220 hello'),
  0x00,
  ...Buffer.from('world'),
  0xff,
  0xfe,
  0x80,
  0xc2,
  0x9b,
  ...Buffer.from(' ]]> </system-out> & "q" \x1b[31m red'),
  0x0d,
  0x0a,
]);

/** Greets with GARBAGE, then behaves. */
export const garbagePeer = (): Promise<Peer> => listen(smtpScript({ EHLO: (conn) => conn.socket.write(GARBAGE) }));

/** Closes the connection right after accepting it. */
export const closingPeer = (): Promise<Peer> => listen((conn) => conn.socket.end());

/**
 * Offers STARTTLS and upgrades with `pair`. With `inject`, it is the RFC 3207 §6 attack:
 * `220 go` and, in the same packet, a forged `250 INJECTED` that a careless client would
 * take as the answer to its next command. After the upgrade EHLO gets `250-AFTER TLS`.
 */
export function startTlsPeer(pair: KeyPairPem, options: { inject?: boolean } = {}): Promise<Peer> {
  const go = options.inject ? '220 go\r\n250 INJECTED\r\n' : '220 go\r\n';
  return listen((conn) => {
    conn.socket.write('220 peer.convospec.test ESMTP\r\n');
    const detach = conn.lines((line) => {
      const verb = line.split(' ', 1)[0]!.toUpperCase();
      if (verb === 'EHLO') conn.socket.write('250-peer.convospec.test\r\n250 STARTTLS\r\n');
      else if (verb === 'STARTTLS') {
        detach();
        conn.socket.write(go, () => upgrade(conn, pair, smtpAfterTls));
      } else conn.socket.write('500 5.5.2 what?\r\n');
    });
  });
}

export const injectingStartTlsPeer = (pair: KeyPairPem): Promise<Peer> => startTlsPeer(pair, { inject: true });

const smtpAfterTls: Behaviour = (conn) => {
  conn.lines((line) =>
    answer(conn, { ...GOOD_SMTP, EHLO: '250-AFTER TLS peer.convospec.test\r\n250 AUTH PLAIN\r\n' }, line),
  );
};

/** Answers STARTTLS with `220`, then never answers the ClientHello. */
export function stalledStartTlsPeer(): Promise<Peer> {
  return listen(
    smtpScript({
      STARTTLS: (conn) => {
        conn.socket.removeAllListeners('data');
        conn.socket.on('data', () => undefined);
        conn.socket.write('220 go ahead\r\n');
      },
    }),
  );
}

/** A stalled implicit-TLS handshake: TCP is accepted, the ClientHello is never answered. */
export const stalledTlsPeer = silentPeer;

function upgrade(conn: PeerConnection, pair: KeyPairPem, then: Behaviour): void {
  if (!conn.isOpen) return;
  const secure = new tls.TLSSocket(conn.socket, { isServer: true, secureContext: tls.createSecureContext({ cert: pair.cert, key: pair.key }) });
  secure.on('error', () => undefined);
  secure.once('secure', () => then(conn.upgraded(secure)));
}

/**
 * Accepts MAIL, RCPT and DATA, then stops reading: the client's `data:` body fills the
 * kernel buffers and its write can never finish. A small highWaterMark makes Node stop
 * pulling from the kernel almost at once. After `resumeAfterMs` it reads (and drops)
 * again, so it can see the client's close: a peer that never reads never sees EOF.
 */
export function stopReadingPeer(options: { resumeAfterMs?: number } = {}): Promise<Peer> {
  const resumeAfterMs = options.resumeAfterMs ?? 3000;
  return listen(
    smtpScript({
      DATA: (conn) => {
        conn.socket.pause();
        conn.socket.removeAllListeners('data');
        conn.socket.write('354 go ahead\r\n');
        conn.after(resumeAfterMs, () => {
          conn.socket.on('data', () => undefined);
          conn.socket.resume();
        });
      },
    }),
    { highWaterMark: 1024 },
  );
}

/** Implicit TLS with the given (broken) certificate; greets if a client gets through. */
export const tlsPeer = (pair: KeyPairPem): Promise<Peer> => listenTls(pair, smtpScript());
