/**
 * Decoding SASL payloads seen in transcripts, to find the credentials inside them.
 * PLAIN: RFC 4616 §2; LOGIN: draft-murchison-sasl-login; CRAM-MD5: RFC 2195 §2;
 * XOAUTH2: Google's "user=…^Aauth=Bearer …^A^A".
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 to UTF-8 text; undefined if it is not base64 or not UTF-8. */
export function decodeBase64(text: string): string | undefined {
  if (text === '' || !BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  const decoded = bytes.toString('utf8');
  return Buffer.from(decoded, 'utf8').equals(bytes) ? decoded : undefined;
}

export function encodeBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

export interface PlainCredentials {
  readonly authz: string;
  readonly user: string;
  readonly pass: string;
}

/** `authzid NUL authcid NUL passwd`, base64-encoded (RFC 4616 §2). */
export function decodePlain(payload: string): PlainCredentials | undefined {
  const decoded = decodeBase64(payload);
  const parts = decoded?.split('\0');
  if (!parts || parts.length !== 3) return undefined;
  const [authz = '', user = '', pass = ''] = parts;
  return user === '' ? undefined : { authz, user, pass };
}

/** CRAM-MD5's response: `user SP hex-digest` (RFC 2195 §2). */
export function decodeCramMd5(payload: string): { readonly user: string } | undefined {
  const m = /^(.+) [0-9a-f]{32}$/.exec(decodeBase64(payload) ?? '');
  return m?.[1] === undefined ? undefined : { user: m[1] };
}

export function decodeXoauth2(payload: string): { readonly user: string; readonly token: string } | undefined {
  const m = /^user=([^\x01]*)\x01auth=Bearer ([^\x01]*)\x01\x01$/.exec(decodeBase64(payload) ?? '');
  return m?.[1] === undefined || m[2] === undefined ? undefined : { user: m[1], token: m[2] };
}
