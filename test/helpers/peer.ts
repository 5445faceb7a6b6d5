/**
 * A scripted TCP peer on 127.0.0.1, port 0: every accepted connection runs the same list of
 * actions (expect bytes, send bytes, upgrade to TLS, close, reset, …) and records exactly what
 * it received, so tests can assert bytes, not impressions. It never throws into the test
 * process: a failed script is reported through `session.done`.
 */
import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import tls from 'node:tls';
import type { TLSSocket } from 'node:tls';
import type { KeyPairPem } from '../../src/pki/index.js';

export interface UpgradeOptions {
  readonly minVersion?: tls.SecureVersion;
  readonly maxVersion?: tls.SecureVersion;
  readonly ciphers?: string;
  readonly ca?: string;
  /** Ask for a client certificate (and fail the handshake without a valid one). */
  readonly requestCert?: boolean;
}

export type PeerAction =
  | { readonly kind: 'expect'; readonly bytes: Buffer }
  | { readonly kind: 'send'; readonly bytes: Buffer; readonly pieceSize?: number }
  | { readonly kind: 'sendEndless'; readonly chunk: Buffer; readonly maxBytes: number }
  | { readonly kind: 'upgradeTls'; readonly pair: KeyPairPem; readonly options: UpgradeOptions }
  | { readonly kind: 'stopReading' }
  | { readonly kind: 'close' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'waitClose' }
  | { readonly kind: 'hold' };

const bytes = (data: string | Buffer): Buffer => (typeof data === 'string' ? Buffer.from(data, 'latin1') : data);

/** Wait until exactly these bytes come next (strings are taken byte for byte, latin1). */
export const expectBytes = (data: string | Buffer): PeerAction => ({ kind: 'expect', bytes: bytes(data) });
/** Send in one write (one packet on loopback, with Nagle off). */
export const send = (data: string | Buffer): PeerAction => ({ kind: 'send', bytes: bytes(data) });
/** Send in writes of `pieceSize` bytes with a pause between, so they arrive as separate packets. */
export const sendSplit = (data: string | Buffer, pieceSize = 1): PeerAction => ({
  kind: 'send',
  bytes: bytes(data),
  pieceSize,
});
/** Send `chunk` again and again (honouring back-pressure) until `maxBytes` went out or the client left. */
export const sendEndless = (chunk: string | Buffer, maxBytes: number): PeerAction => ({
  kind: 'sendEndless',
  chunk: bytes(chunk),
  maxBytes,
});
/** Server side of a TLS handshake on the connection as it is (implicit TLS when first). */
export const upgradeTls = (pair: KeyPairPem, options: UpgradeOptions = {}): PeerAction => ({
  kind: 'upgradeTls',
  pair,
  options,
});
/** Stop reading: the client's writes back up once the kernel buffers are full. */
export const stopReading = (): PeerAction => ({ kind: 'stopReading' });
/** Graceful close (FIN; close_notify first over TLS). */
export const close = (): PeerAction => ({ kind: 'close' });
/** Abortive close: RST. */
export const reset = (): PeerAction => ({ kind: 'reset' });
/** Wait for the client to close. */
export const waitClose = (): PeerAction => ({ kind: 'waitClose' });
/** Do nothing more; keep the connection open until the peer stops. */
export const hold = (): PeerAction => ({ kind: 'hold' });

export interface PeerOutcome {
  /** True if every action ran. */
  readonly completed: boolean;
  /** Why the script stopped early, if it did. */
  readonly error?: string;
}

export interface PeerSession {
  /** Every byte received so far (after a TLS upgrade: the decrypted bytes), in order. */
  readonly received: Buffer;
  /** How many bytes were sent by the script (for `sendEndless`). */
  readonly sent: number;
  /** Settles when the script ends, fails, or the peer stops; never rejects. */
  readonly done: Promise<PeerOutcome>;
}

export interface Peer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The `index`th accepted connection (waits for it). */
  session(index?: number): Promise<PeerSession>;
  stop(): Promise<void>;
}

export interface PeerOptions {
  /** Longest any single action may wait (expect, waitClose) before the script fails. */
  readonly actionTimeoutMs?: number;
}

const PAUSE_BETWEEN_PIECES_MS = 2;
const ignore = (): void => undefined;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class Session implements PeerSession {
  private chunks: Buffer[] = [];
  private total = 0;
  private cursor = 0;
  sent = 0;
  private stream: Socket;
  private ended = false;
  private wake: (() => void) | undefined;
  readonly done: Promise<PeerOutcome>;

  constructor(
    private readonly raw: Socket,
    script: readonly PeerAction[],
    private readonly stopped: Promise<void>,
    private readonly actionTimeoutMs: number,
  ) {
    this.stream = raw;
    raw.setNoDelay(true);
    raw.on('error', ignore);
    this.listen(raw);
    this.done = this.run(script);
  }

  get received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  private listen(stream: Socket): void {
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
  }

  private unlisten(stream: Socket): void {
    stream.off('data', this.onData);
    stream.off('end', this.onEnd);
    stream.off('close', this.onEnd);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.chunks.push(chunk);
    this.total += chunk.length;
    this.wake?.();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    this.wake?.();
  };

  private async run(script: readonly PeerAction[]): Promise<PeerOutcome> {
    try {
      for (const action of script) {
        const stop = await Promise.race([this.step(action).then(() => false), this.stopped.then(() => true)]);
        if (stop) return { completed: false, error: 'the peer was stopped' };
      }
      return { completed: true };
    } catch (error) {
      return { completed: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Resolves once `ready()` holds, re-checked on every received byte or close. */
  private until(what: string, ready: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!ready()) return;
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(() => {
        this.wake = undefined;
        reject(new Error(`peer: timed out waiting for ${what}; received ${JSON.stringify(this.received.toString('latin1'))}`));
      }, this.actionTimeoutMs);
      this.wake = check;
      check();
    });
  }

  private async step(action: PeerAction): Promise<void> {
    switch (action.kind) {
      case 'expect': {
        const want = action.bytes;
        await this.until(`${JSON.stringify(want.toString('latin1'))}`, () => this.total - this.cursor >= want.length || this.ended);
        const got = this.received.subarray(this.cursor, this.cursor + want.length);
        if (!got.equals(want)) {
          throw new Error(`peer: expected ${JSON.stringify(want.toString('latin1'))}, got ${JSON.stringify(got.toString('latin1'))}`);
        }
        this.cursor += want.length;
        return;
      }
      case 'send': {
        const size = action.pieceSize ?? action.bytes.length;
        for (let at = 0; at < action.bytes.length; at += size) {
          if (at > 0) await sleep(PAUSE_BETWEEN_PIECES_MS);
          const piece = action.bytes.subarray(at, at + size);
          this.stream.write(piece);
          this.sent += piece.length;
        }
        return;
      }
      case 'sendEndless': {
        while (this.sent < action.maxBytes && !this.ended && !this.stream.destroyed) {
          this.sent += action.chunk.length;
          if (!this.stream.write(action.chunk)) {
            await Promise.race([once(this.stream, 'drain'), once(this.stream, 'close')]);
          }
        }
        return;
      }
      case 'upgradeTls':
        return this.upgrade(action.pair, action.options);
      case 'stopReading':
        this.stream.pause();
        return;
      case 'close':
        this.stream.end();
        return;
      case 'reset':
        this.raw.resetAndDestroy();
        return;
      case 'waitClose':
        return this.until('the client to close', () => this.ended);
      case 'hold':
        return new Promise<void>(ignore);
      default: {
        const never: never = action;
        throw new Error(`unknown peer action ${JSON.stringify(never)}`);
      }
    }
  }

  private async upgrade(pair: KeyPairPem, options: UpgradeOptions): Promise<void> {
    this.unlisten(this.stream);
    const secure: TLSSocket = new tls.TLSSocket(this.stream, {
      isServer: true,
      requestCert: options.requestCert ?? false,
      rejectUnauthorized: options.requestCert ?? false,
      secureContext: tls.createSecureContext({
        cert: pair.cert,
        key: pair.key,
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.minVersion ? { minVersion: options.minVersion } : {}),
        ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
        ...(options.ciphers ? { ciphers: options.ciphers } : {}),
      }),
    });
    secure.on('error', ignore);
    this.stream = secure;
    this.listen(secure);
    const [outcome] = await Promise.race([
      once(secure, 'secure').then(() => ['secure'] as const),
      once(secure, 'close').then(() => ['closed'] as const),
    ]).catch((error: unknown) => [`error: ${String(error)}`] as const);
    if (outcome !== 'secure') throw new Error(`peer: TLS handshake did not complete (${outcome})`);
  }
}

/** Start a peer that runs `script` on every connection it accepts. */
export async function startPeer(script: readonly PeerAction[], options: PeerOptions = {}): Promise<Peer> {
  const sessions: Session[] = [];
  const waiting: (() => void)[] = [];
  let release: () => void = ignore;
  const stopped = new Promise<void>((resolve) => {
    release = resolve;
  });
  const sockets = new Set<Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    sessions.push(new Session(socket, script, stopped, options.actionTimeoutMs ?? 10_000));
    for (const notify of waiting.splice(0)) notify();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    async session(index = 0): Promise<PeerSession> {
      while (sessions.length <= index) await new Promise<void>((resolve) => waiting.push(resolve));
      return sessions[index] as Session;
    },
    async stop(): Promise<void> {
      release();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
