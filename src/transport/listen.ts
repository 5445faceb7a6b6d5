/** Why a port could not be listened on, in the user's words (serve's and record's listeners). */
import { target } from './tcp.js';

const WORDS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is in use (another program listens there; pick another port, or 0 for a free one)',
  EACCES: 'permission denied (ports below 1024 need privileges; pick a port from 1024 up, or 0)',
  EADDRNOTAVAIL: 'this machine has no such address',
};

export function listenFailure(error: NodeJS.ErrnoException, host: string, port: number): string {
  return `cannot listen on ${target(host, port)}: ${WORDS[error.code ?? ''] ?? error.message}`;
}
