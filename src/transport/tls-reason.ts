/**
 * Why a handshake failed, in plain words, saying which side refused when OpenSSL tells us:
 * a received alert carries "SSL alert number N"; anything else is our own OpenSSL's decision.
 */
import { isIP } from 'node:net';
import type { CertFacts } from './tls-info.js';

export interface VerifyContext {
  /** The name (or IP address) the certificate was checked against. */
  readonly checkedName: string;
  readonly cert: CertFacts;
}

const day = (date: Date | undefined): string => (date ? date.toISOString().replace('.000Z', 'Z') : 'unknown');

const unknownCa = (why: string) => (c: VerifyContext): string =>
  `unable to verify the certificate: unknown CA (${why}; issuer ${c.cert.issuer || 'unknown'})`;

/** Node's `authorizationError` codes (OpenSSL X509_V_ERR_* names, plus the host-name check). */
const VERIFY_WORDS: Readonly<Record<string, (c: VerifyContext) => string>> = {
  CERT_HAS_EXPIRED: (c) => `certificate has expired (valid until ${day(c.cert.validTo)})`,
  CERT_NOT_YET_VALID: (c) => `certificate is not yet valid (valid from ${day(c.cert.validFrom)})`,
  DEPTH_ZERO_SELF_SIGNED_CERT: (c) => `self-signed certificate (${c.cert.subject || 'no subject'})`,
  SELF_SIGNED_CERT_IN_CHAIN: unknownCa('self-signed certificate in the chain'),
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: unknownCa('unable to get local issuer certificate'),
  UNABLE_TO_GET_ISSUER_CERT: unknownCa('unable to get issuer certificate'),
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: unknownCa('unable to verify the first certificate'),
  CERT_SIGNATURE_FAILURE: () => 'certificate signature failure',
  CERT_REVOKED: () => 'certificate has been revoked',
  INVALID_CA: () => 'invalid CA certificate',
  INVALID_PURPOSE: () => 'certificate is not for TLS servers (unsupported purpose)',
  CERT_UNTRUSTED: () => 'certificate not trusted',
  CERT_REJECTED: () => 'certificate rejected',
  HOSTNAME_MISMATCH: (c) => nameMismatch(c),
  ERR_TLS_CERT_ALTNAME_INVALID: (c) => nameMismatch(c),
};

function nameMismatch(c: VerifyContext): string {
  const what = isIP(c.checkedName) ? 'IP address' : 'host name';
  const names = c.cert.altNames || (c.cert.subject ? `no alternative names; ${c.cert.subject}` : 'no names');
  return `${what} ${c.checkedName} does not match the certificate (${names})`;
}

/** Plain words for a failed certificate check (`code` is Node's `authorizationError`). */
export function verifyReason(code: string, context: VerifyContext): string {
  const words = VERIFY_WORDS[code];
  return words ? words(context) : `certificate verification failed: ${code.toLowerCase().replaceAll('_', ' ')}`;
}

/** Reasons our own OpenSSL gives, with the hint the spec (§6) asks for. */
const LOCAL_WORDS: Readonly<Record<string, string>> = {
  'wrong version number': 'the server did not answer with TLS (wrong version number)',
  'unsupported protocol':
    'refused locally: the server chose a TLS version this client does not allow (unsupported protocol)',
  'no protocols available':
    'refused locally: no TLS version is allowed by minVersion/maxVersion at this security level (no protocols available)',
  'no ciphers available': 'refused locally: no cipher is allowed by the cipher list (no ciphers available)',
  'no cipher match': 'refused locally: the cipher list matches no cipher (no cipher match)',
  'no shared cipher': 'refused locally: no cipher shared with the server (no shared cipher)',
  'dh key too small': 'refused locally: the server\'s DH key is too small (dh key too small)',
  'ee key too small': 'refused locally: the server\'s certificate key is too small (ee key too small)',
  'ca md too weak': 'refused locally: the certificate is signed with a weak digest (ca md too weak)',
  'packet length too long': 'the server did not answer with TLS (packet length too long)',
};

const ALERT_PREFIX = /^(?:sslv3|tlsv1|tlsv13) alert /;
const ALERT_NUMBER = /SSL alert number (\d+)/;

interface OpenSslError {
  readonly code?: string;
  readonly reason?: string;
  readonly message?: string;
}

/** Plain words for an error event during the handshake (after TCP connected). */
export function handshakeReason(error: unknown): string {
  const e = (error ?? {}) as OpenSslError;
  const message = e.message ?? String(error);
  const alert = ALERT_NUMBER.exec(message);
  const reason = e.reason ?? '';
  if (alert) {
    return `the server refused the handshake: ${reason.replace(ALERT_PREFIX, '') || 'alert'} (TLS alert ${alert[1]})`;
  }
  if (reason) return LOCAL_WORDS[reason] ?? `refused locally by OpenSSL: ${reason}`;
  if (e.code === 'ECONNRESET' && /before secure TLS connection/.test(message)) {
    return 'the server closed the connection during the TLS handshake';
  }
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE') return 'connection reset by the server during the TLS handshake';
  return message.trim();
}

/** True for an error raised by OpenSSL (it names its library and reason), not by the socket. */
export function isOpenSslError(error: unknown): boolean {
  const e = error as { library?: unknown; reason?: unknown } | undefined;
  return typeof e?.library === 'string' && typeof e.reason === 'string';
}
