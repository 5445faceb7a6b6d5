/**
 * A small scripted SMTP-like server on 127.0.0.1, port 0, for load-mode tests: each command
 * is answered after a known delay, and chosen sessions fail on purpose. It counts sessions
 * and the most that were open at once.
 */
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export interface ScriptOptions {
  /** Reply delay in ms, by command word (`EHLO`, `NOOP`, …); absent: at once. */
  readonly delays?: Readonly<Record<string, number>>;
  /** 1-based session number → whether its `MAIL` is refused with 451. */
  readonly failMail?: (session: number) => boolean;
  /** Commands never answered (the client's deadline or timeout must end the wait). */
  readonly ignore?: readonly string[];
}

export interface ScriptedServer {
  readonly port: number;
  /** `open`: sessions between their accept and their QUIT (or close, if no QUIT came). */
  readonly stats: { sessions: number; open: number; maxOpen: number };
  close(): Promise<void>;
}

const REPLIES: Record<string, string> = {
  EHLO: '250-scripted.test\r\n250 PIPELINING\r\n',
  NOOP: '250 2.0.0 OK\r\n',
  MAIL: '250 2.1.0 OK\r\n',
  RCPT: '250 2.1.5 OK\r\n',
  DATA: '354 go ahead\r\n',
  QUIT: '221 2.0.0 bye\r\n',
};

export async function startScriptedServer(options: ScriptOptions = {}): Promise<ScriptedServer> {
  const stats = { sessions: 0, open: 0, maxOpen: 0 };
  const sockets = new Set<Socket>();
  const server = net.createServer((socket) => {
    const session = ++stats.sessions;
    stats.open += 1;
    stats.maxOpen = Math.max(stats.maxOpen, stats.open);
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    // A session ends at its QUIT: the client may open the next one before our side sees the close.
    let ended = false;
    const end = (): void => {
      if (!ended) stats.open -= 1;
      ended = true;
    };
    socket.on('close', () => {
      end();
      sockets.delete(socket);
    });
    let buffered = '';
    let inData = false;
    // Replies go out in command order even when delays differ (a pipelining client relies on it).
    let queue = Promise.resolve();
    const reply = (text: string, delayMs: number, close = false): void => {
      queue = queue.then(async () => {
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        if (socket.destroyed) return;
        if (close) socket.end(text);
        else socket.write(text);
      });
    };
    socket.write('220 scripted.test ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let eol = buffered.indexOf('\n'); eol >= 0; eol = buffered.indexOf('\n')) {
        const line = buffered.slice(0, eol).replace(/\r$/, '');
        buffered = buffered.slice(eol + 1);
        if (inData) {
          if (line === '.') {
            inData = false;
            reply('250 2.0.0 queued\r\n', 0);
          }
          continue;
        }
        const word = line.split(' ')[0]!.toUpperCase();
        const delay = options.delays?.[word] ?? 0;
        if (options.ignore?.includes(word)) continue;
        if (word === 'MAIL' && options.failMail?.(session)) reply('451 4.3.0 try again later\r\n', delay);
        else if (word === 'DATA') {
          inData = true;
          reply(REPLIES.DATA!, delay);
        } else if (word === 'QUIT') {
          end();
          reply(REPLIES.QUIT!, delay, true);
        }
        else reply(REPLIES[word] ?? '502 5.5.2 unknown command\r\n', delay);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
