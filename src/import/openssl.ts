/**
 * `openssl s_client` prints its handshake (certificates, session parameters, `-debug` hex
 * dumps) around the conversation. None of it is protocol; this filter recognises it.
 */

export type SClientLine = 'noise' | 'closed' | 'renegotiating' | 'conversation';

export interface SClientFilter {
  /** Whether an s_client connection has been seen (its noise is only looked for then). */
  readonly armed: boolean;
  arm(): void;
  read(text: string): SClientLine;
}

/** Lines of the handshake report and of session-ticket blocks. */
const HEADER: readonly RegExp[] = [
  /^CONNECTED\(/,
  /^depth=\d/,
  /^verify (?:return|error):/,
  /^---$/,
  /^Certificate chain$/,
  /^Server certificate$/,
  /^-----(?:BEGIN|END) [A-Z ]+-----$/,
  /^[A-Za-z0-9+/=]{40,}$/,
  /^(?:subject|issuer)=/,
  /^No client certificate CA names sent$/,
  /^Acceptable client certificate CA names$/,
  /^(?:Client Certificate Types|Requested Signature Algorithms|Shared Requested Signature Algorithms):/,
  /^Peer sign(?:ing digest|ature type):/,
  /^(?:Server|Negotiated) Temp Key:|^Negotiated TLS1\.3 group:/,
  /^SSL handshake has read \d+ bytes/,
  /^Verification(?: error)?:/,
  /^New, (?:TLS|SSL)/,
  /^Server public key is/,
  /^Secure Renegotiation IS/,
  /^(?:Compression|Expansion):/,
  /^No ALPN negotiated$|^ALPN protocol:/,
  /^Early data was/,
  /^Verify return code:/,
  /^This TLS version forbids renegotiation\.$/,
  /^Post-Handshake New Session Ticket arrived:$/,
  /^SSL-Session:$/,
  /^read R BLOCK$/,
  /^\s/,
];

/** Lines s_client may print at any time once connected. */
const ANYWHERE: readonly RegExp[] = [
  /^read R BLOCK$/,
  /^---$/,
  /^DONE$/,
  /^KEYUPDATE$/,
  /^(?:read|write) (?:from|to) 0x[0-9a-f]+/,
  /^[0-9a-f]{4} - (?:[0-9a-f]{2}[ -]){1,16}/,
];

const BLOCK_START = /^(?:CONNECTED\(|Post-Handshake New Session Ticket arrived:$|SSL-Session:$)/;
/** SSL_ERROR_ZERO_RETURN prints `closed`; a TCP EOF prints `read:errno=0`. */
const CLOSED = /^(?:closed|read:errno=0)$/;

export function createSClientFilter(): SClientFilter {
  let armed = false;
  let inBlock = false;
  /** Inside a block, the conversation can only resume after a `---` line. */
  let sawRule = false;
  return {
    get armed() {
      return armed;
    },
    arm() {
      armed = true;
    },
    read(text) {
      if (BLOCK_START.test(text)) {
        armed = true;
        inBlock = true;
        sawRule = false;
        return 'noise';
      }
      if (!armed) return 'conversation';
      if (inBlock) {
        if (text === '---') sawRule = true;
        if (text.trim() === '') return 'noise';
        if (!sawRule || HEADER.some((re) => re.test(text))) return 'noise';
        inBlock = false;
      }
      if (CLOSED.test(text)) return 'closed';
      if (text === 'RENEGOTIATING') return 'renegotiating';
      return ANYWHERE.some((re) => re.test(text)) ? 'noise' : 'conversation';
    },
  };
}
