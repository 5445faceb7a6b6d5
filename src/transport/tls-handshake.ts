/**
 * The client side of a TLS handshake over an already connected TCP socket: used right after
 * connect (implicit TLS) and after STARTTLS/STLS was accepted.
 *
 * Verification: Node is asked NOT to reject (rejectUnauthorized: false) so that we always see
 * the certificate and can say in plain words what is wrong with it; when `verify` is on we
 * then refuse the connection ourselves, before a single application byte is sent.
 */
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import type { ConnectionOptions, SecureVersion, TLSSocket } from 'node:tls';
import { formatDuration } from '../kernel/duration.js';
import { certFacts, tlsInfo } from './tls-info.js';
import { handshakeReason, verifyReason } from './tls-reason.js';
import { TransportError } from './types.js';
import type { ResolvedTls, TlsInfo } from './types.js';
import { waitUntil } from './wait.js';
import type { WaitContext } from './wait.js';

export interface Secured {
  readonly socket: TLSSocket;
  readonly info: TlsInfo;
}

const ignore = (): void => undefined;

/** SNI and the host-name check use `servername`; with none, an IP host is checked against the IP SANs. */
export function checkedName(host: string, options: ResolvedTls): string {
  return options.servername ?? host;
}

export function connectOptions(socket: Socket, host: string, options: ResolvedTls): ConnectionOptions {
  // SNI must not carry an IP address (RFC 6066 §3), so a name is sent only when there is one.
  const sni = options.servername ?? (isIP(host) ? undefined : host);
  return {
    socket,
    // Node checks the certificate against `servername || host`: with no servername, the IP.
    host: checkedName(host, options),
    ...(sni !== undefined ? { servername: sni } : {}),
    rejectUnauthorized: false,
    ...(options.ca && options.ca.length > 0 ? { ca: [...tls.rootCertificates, ...options.ca] } : {}),
    ...(options.cert ? { cert: options.cert } : {}),
    ...(options.key ? { key: options.key } : {}),
    ...(options.minVersion ? { minVersion: options.minVersion as SecureVersion } : {}),
    ...(options.maxVersion ? { maxVersion: options.maxVersion as SecureVersion } : {}),
    ...(options.ciphers ? { ciphers: options.ciphers } : {}),
    ...(options.alpn && options.alpn.length > 0 ? { ALPNProtocols: [...options.alpn] } : {}),
  };
}

/** Handshake on `socket`, bounded by `deadline`; the socket is destroyed if it fails. */
export async function handshake(
  socket: Socket,
  host: string,
  options: ResolvedTls,
  deadline: number,
  context: WaitContext,
): Promise<Secured> {
  const secure = tls.connect(connectOptions(socket, host, options));
  secure.on('error', ignore);
  try {
    await handshakeDone(secure, 'server', deadline, context);
    const code = secure.authorized ? undefined : String(secure.authorizationError ?? 'UNKNOWN');
    const reason = code === undefined
      ? undefined
      : verifyReason(code, { checkedName: checkedName(host, options), cert: certFacts(secure.getPeerCertificate()) });
    const info = tlsInfo(secure, reason);
    if (reason !== undefined && options.verify) throw new TransportError('tls', reason);
    return { socket: secure, info };
  } catch (error) {
    // The TLSSocket first: destroying the TCP socket under a live one crashes Node 20.
    secure.destroy();
    socket.destroy();
    throw error;
  }
}

/**
 * Waits for a handshake to finish, bounded by `deadline`: `peer` is the other side, the one a
 * refusal or a close is put on (`the server closed the connection during the TLS handshake`).
 */
export async function handshakeDone(secure: TLSSocket, peer: 'server' | 'client', deadline: number, context: WaitContext): Promise<void> {
  const started = context.clock.now();
  // A client's socket says it is done with 'secureConnect', a server's with 'secure'.
  const done = peer === 'server' ? 'secureConnect' : 'secure';
  await waitUntil<void>(
    context,
    deadline,
    (settle) => {
      const within = formatDuration(deadline - started);
      settle.reject(new TransportError('timeout', `the TLS handshake did not finish within ${within}`, undefined, { phase: 'tls' }));
    },
    (settle) => {
      const onSecure = (): void => settle.resolve();
      const onError = (error: Error): void => {
        const reason = handshakeReason(error);
        settle.reject(new TransportError('tls', peer === 'server' ? reason : reason.replaceAll('the server', 'the client'), undefined, { cause: error }));
      };
      const onClose = (): void => settle.reject(new TransportError('tls', `the ${peer} closed the connection during the TLS handshake`));
      secure.once(done, onSecure);
      secure.once('error', onError);
      secure.once('close', onClose);
      return () => {
        secure.off(done, onSecure);
        secure.off('error', onError);
        secure.off('close', onClose);
      };
    },
  );
}
