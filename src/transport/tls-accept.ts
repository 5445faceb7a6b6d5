/**
 * The server side of a TLS handshake over an accepted TCP socket: for `convospec serve`,
 * at accept (implicit TLS) and after the client's STARTTLS/STLS was answered (format §9).
 */
import type { Socket } from 'node:net';
import tls from 'node:tls';
import type { SecureVersion, TLSSocket } from 'node:tls';
import type { TlsInfo } from './types.js';
import type { WaitContext } from './wait.js';
import { handshakeDone, type Secured } from './tls-handshake.js';
import { formatName } from './tls-info.js';

/** What the server presents and allows. */
export interface ServerTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly minVersion?: string;
  readonly maxVersion?: string;
  readonly ciphers?: string;
  readonly alpn?: readonly string[];
}

const ignore = (): void => undefined;

/** Handshake as the server on `socket`, bounded by `deadline`; the socket is destroyed if it fails. */
export async function acceptHandshake(socket: Socket, options: ServerTls, deadline: number, context: WaitContext): Promise<Secured> {
  const secureContext = tls.createSecureContext({
    cert: options.cert,
    key: options.key,
    ...(options.minVersion ? { minVersion: options.minVersion as SecureVersion } : {}),
    ...(options.maxVersion ? { maxVersion: options.maxVersion as SecureVersion } : {}),
    ...(options.ciphers ? { ciphers: options.ciphers } : {}),
  });
  const secure: TLSSocket = new tls.TLSSocket(socket, {
    isServer: true,
    secureContext,
    ...(options.alpn && options.alpn.length > 0 ? { ALPNProtocols: [...options.alpn] } : {}),
  });
  secure.on('error', ignore);
  try {
    await handshakeDone(secure, 'client', deadline, context);
    return { socket: secure, info: serverInfo(secure) };
  } catch (error) {
    secure.destroy();
    socket.destroy();
    throw error;
  }
}

/** The handshake's facts as the server sees them: the certificate is its own. */
function serverInfo(socket: TLSSocket): TlsInfo {
  const own = socket.getX509Certificate();
  const alpn = socket.alpnProtocol;
  return {
    protocol: socket.getProtocol() ?? '',
    cipher: socket.getCipher()?.name ?? '',
    authorized: true,
    subject: own ? formatName(own.subject) : '',
    issuer: own ? formatName(own.issuer) : '',
    altNames: own?.subjectAltName ?? '',
    ...(own ? { validTo: new Date(own.validTo) } : {}),
    ...(typeof alpn === 'string' ? { alpn } : {}),
  };
}
