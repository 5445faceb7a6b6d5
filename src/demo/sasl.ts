/**
 * SASL PLAIN (RFC 4616) for the IMAP and POP3 sandboxes; smtp-server has its own.
 */

export interface PlainCredentials {
  readonly authzid: string;
  readonly authcid: string;
  readonly password: string;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 (RFC 4648 §4): anything else is a malformed response, not an empty one. */
export function decodeBase64(text: string): Buffer | undefined {
  return BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** `[authzid] NUL authcid NUL passwd` (RFC 4616 §2); undefined when malformed. */
export function decodePlain(response: string): PlainCredentials | undefined {
  const bytes = decodeBase64(response);
  if (bytes === undefined) return undefined;
  const parts = bytes.toString('utf8').split('\0');
  if (parts.length !== 3) return undefined;
  const [authzid = '', authcid = '', password = ''] = parts;
  if (authcid === '' || password === '') return undefined;
  return { authzid, authcid, password };
}
