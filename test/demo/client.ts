/**
 * A raw test client for the demo's IMAP and POP3 sandboxes: bytes in, bytes out, every read
 * bounded by a timeout, STARTTLS/STLS upgrades verified against the demo's CA.
 */
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';

export interface TlsTrust {
  readonly ca: string;
  readonly servername: string;
}

const READ_TIMEOUT_MS = 5000;

export class RawClient {
  #socket: net.Socket;
  #buffer = Buffer.alloc(0);
  #ended = false;
  #wake: (() => void) | undefined;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    this.#listen(socket);
  }

  static async connect(port: number, trust?: TlsTrust): Promise<RawClient> {
    const socket = trust
      ? tls.connect({ host: '127.0.0.1', port, ca: trust.ca, servername: trust.servername })
      : net.connect({ host: '127.0.0.1', port });
    await once(socket, trust ? 'secureConnect' : 'connect');
    return new RawClient(socket);
  }

  get socket(): net.Socket {
    return this.#socket;
  }

  write(data: string | Buffer): void {
    this.#socket.write(data);
  }

  /** Sends a line with CRLF. */
  line(text: string): void {
    this.write(`${text}\r\n`);
  }

  /**
   * Reads until `end` matches the buffered text (latin1, so byte counts hold) and returns
   * everything up to the end of the match.
   */
  async until(end: RegExp, timeoutMs = READ_TIMEOUT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.#buffer.toString('latin1');
      const match = end.exec(text);
      if (match) {
        const stop = match.index + match[0].length;
        this.#buffer = this.#buffer.subarray(stop);
        return text.slice(0, stop);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${end}; buffered: ${JSON.stringify(text)}`);
      if (this.#ended) throw new Error(`connection closed waiting for ${end}; buffered: ${JSON.stringify(text)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** One line, without CRLF. */
  async readLine(timeoutMs?: number): Promise<string> {
    return (await this.until(/\r\n/, timeoutMs)).slice(0, -2);
  }

  /** IMAP: sends a tagged command and reads through its tagged completion. */
  async imap(tag: string, command: string): Promise<string> {
    this.line(`${tag} ${command}`);
    return this.until(new RegExp(`(?:^|\\r\\n)${tag} (?:OK|NO|BAD)[^\\r]*\\r\\n`));
  }

  /** Resolves when the server closes the connection. */
  async closed(timeoutMs = READ_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#ended) {
      if (Date.now() > deadline) throw new Error('server did not close the connection');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** TLS on the live socket after STARTTLS/STLS was accepted. */
  async upgrade(trust: TlsTrust): Promise<tls.TLSSocket> {
    const raw = this.#socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('end');
    raw.removeAllListeners('close');
    const secure = tls.connect({ socket: raw, ca: trust.ca, servername: trust.servername });
    await once(secure, 'secureConnect');
    this.#socket = secure;
    this.#buffer = Buffer.alloc(0);
    this.#listen(secure);
    return secure;
  }

  close(): void {
    this.#socket.destroy();
  }

  #listen(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    const end = (): void => {
      this.#ended = true;
      this.#wake?.();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }
}
