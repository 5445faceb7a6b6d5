/** Node's socket errors in the engine's terms (`TransportErrorKind`) and in plain words. */
import { TransportError } from './types.js';
import type { TransportErrorKind } from './types.js';

type Phase = 'connect' | 'io';

interface ErrnoFacts {
  readonly kind: TransportErrorKind;
  readonly words: (target: string) => string;
}

const ERRNO: Readonly<Record<string, ErrnoFacts>> = {
  ECONNREFUSED: { kind: 'refused', words: (t) => `connection refused by ${t}` },
  ECONNRESET: { kind: 'reset', words: () => 'connection reset by the server' },
  EPIPE: { kind: 'reset', words: () => 'connection reset by the server (broken pipe)' },
  ECONNABORTED: { kind: 'reset', words: () => 'connection aborted' },
  ENOTFOUND: { kind: 'unreachable', words: (t) => `host not found: ${t}` },
  EAI_AGAIN: { kind: 'unreachable', words: (t) => `host name lookup failed (try again later): ${t}` },
  EAI_FAIL: { kind: 'unreachable', words: (t) => `host name lookup failed: ${t}` },
  EHOSTUNREACH: { kind: 'unreachable', words: (t) => `host unreachable: ${t}` },
  EHOSTDOWN: { kind: 'unreachable', words: (t) => `host is down: ${t}` },
  ENETUNREACH: { kind: 'unreachable', words: (t) => `network unreachable: ${t}` },
  ETIMEDOUT: { kind: 'timeout', words: (t) => `the operating system gave up connecting to ${t}` },
  ERR_STREAM_WRITE_AFTER_END: { kind: 'closed', words: () => 'the server closed the connection' },
  ERR_STREAM_DESTROYED: { kind: 'closed', words: () => 'the connection is closed' },
  ERR_SOCKET_CLOSED: { kind: 'closed', words: () => 'the connection is closed' },
  // This machine ran out of something: said as ours, with what to do, never as the server's.
  EMFILE: { kind: 'local', words: (t) => local(t, 'ran out of file descriptors (EMFILE, too many open files)', 'raise the limit (`ulimit -n 65536`) or lower --concurrency') },
  ENFILE: { kind: 'local', words: (t) => local(t, "ran out of file descriptors system-wide (ENFILE, the system's file table is full)", 'lower --concurrency, or raise fs.file-max') },
  EADDRNOTAVAIL: { kind: 'local', words: (t) => local(t, 'found no free local port or address (EADDRNOTAVAIL; ports in TIME_WAIT count too)', 'lower --concurrency or --rate, or widen net.ipv4.ip_local_port_range') },
  ENOBUFS: { kind: 'local', words: (t) => local(t, 'ran out of network buffers (ENOBUFS)', 'lower --concurrency') },
  ENOMEM: { kind: 'local', words: (t) => local(t, 'ran out of memory (ENOMEM)', 'lower --concurrency') },
};

/** `this machine ran out of … (with 127.0.0.1:25): not the server's doing; raise …`. */
function local(target: string, what: string, todo: string): string {
  return `this machine ${what} talking to ${target}: a limit on our side, not the server's doing; ${todo}`;
}

/** What to call an errno we have no entry for: before connecting, the host is at fault. */
const FALLBACK: Readonly<Record<Phase, TransportErrorKind>> = { connect: 'unreachable', io: 'reset' };

/** `target` is `host:port`, named in connect-time messages. */
export function socketError(error: unknown, phase: Phase, target: string): TransportError {
  if (error instanceof TransportError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const facts = ERRNO[code];
  if (facts) return new TransportError(facts.kind, facts.words(target), undefined, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new TransportError(FALLBACK[phase], `${message} (${target})`, undefined, { cause: error });
}

export function closedError(partial?: Buffer): TransportError {
  const message = partial && partial.length > 0
    ? 'the server closed the connection in the middle of a line'
    : 'the server closed the connection';
  return new TransportError('closed', message, partial && partial.length > 0 ? partial : undefined);
}

export function locallyClosedError(): TransportError {
  return new TransportError('closed', 'the connection is closed (by us)');
}
