/** What a finished handshake tells (format §6 `tls.expect`), read off a connected TLSSocket. */
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { TlsInfo } from './types.js';

/**
 * Rank of a name attribute, most specific first. RFC 4514 would print a name in reverse
 * encoding order, which is most specific first only for certificates encoded general-first
 * (C, O, CN); the spec promises `CN=…, O=…` for every certificate, so the order is by meaning.
 * Attributes of equal rank (several OU or DC) keep their RFC 4514 order.
 */
const RANK: Readonly<Record<string, number>> = {
  CN: 0,
  UID: 1,
  emailAddress: 1,
  serialNumber: 1,
  OU: 2,
  O: 3,
  street: 4,
  L: 4,
  ST: 5,
  postalCode: 5,
  C: 6,
  DC: 7,
};
const UNKNOWN_RANK = 4;

/** `CN=mail.test, O=Example` from OpenSSL's one-attribute-per-line form (values already RFC 4514-escaped). */
export function formatName(multiline: string): string {
  const parts = multiline.split('\n').filter((part) => part.length > 0).reverse();
  const rank = (part: string): number => RANK[part.slice(0, part.indexOf('='))] ?? UNKNOWN_RANK;
  return parts
    .map((part, index) => ({ part, index }))
    .sort((a, b) => rank(a.part) - rank(b.part) || a.index - b.index)
    .map(({ part }) => part)
    .join(', ');
}

export interface CertFacts {
  readonly subject: string;
  readonly issuer: string;
  readonly altNames: string;
  readonly validFrom?: Date;
  readonly validTo?: Date;
}

export function certFacts(peer: PeerCertificate | undefined): CertFacts {
  if (!peer || !peer.raw) return { subject: '', issuer: '', altNames: '' };
  const x509 = new X509Certificate(peer.raw);
  return {
    subject: formatName(x509.subject),
    issuer: formatName(x509.issuer),
    altNames: peer.subjectaltname ?? '',
    validFrom: dateOf(peer.valid_from),
    validTo: dateOf(peer.valid_to),
  };
}

function dateOf(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function tlsInfo(socket: TLSSocket, authorizationError: string | undefined): TlsInfo {
  const facts = certFacts(socket.getPeerCertificate());
  const alpn = socket.alpnProtocol;
  return {
    protocol: socket.getProtocol() ?? '',
    cipher: socket.getCipher()?.name ?? '',
    authorized: authorizationError === undefined,
    ...(authorizationError !== undefined ? { authorizationError } : {}),
    subject: facts.subject,
    issuer: facts.issuer,
    altNames: facts.altNames,
    ...(facts.validTo ? { validTo: facts.validTo } : {}),
    ...(typeof alpn === 'string' ? { alpn } : {}),
  };
}
