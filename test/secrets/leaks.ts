/**
 * Looking for secrets in everything convospec wrote: as written, in the base64 and SASL
 * forms a client sends, cut into pieces (a truncated message may hold half of one), and
 * inside the JSON and XML escaping (`&amp;`, `\"`) that would hide them from a plain grep.
 */
import { parseXml, type XmlElement } from '../report/xml.js';

export interface Secret {
  readonly name: string;
  readonly value: string;
}

/** The forms of a secret a client sends: plain, base64, SASL PLAIN and LOGIN (RFC 4616, draft-murchison-sasl-login). */
export function forms(value: string, user = 'alice'): string[] {
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  return [value, b64(value), b64(`\0${user}\0${value}`), b64(`${user}\0${user}\0${value}`)];
}

/** Pieces of `secret` at least `min` characters long that occur in `text`. */
export function fragmentsIn(text: string, secret: string, min: number): string[] {
  if (secret.length <= min) return text.includes(secret) ? [secret] : [];
  const found = new Set<string>();
  for (let i = 0; i + min <= secret.length; i++) {
    const piece = secret.slice(i, i + min);
    if (text.includes(piece)) found.add(piece);
  }
  return [...found];
}

/** Every string value inside parsed JSON, joined: what a JSON reader would see. */
export function jsonStrings(text: string): string {
  const out: string[] = [];
  const visit = (node: unknown): void => {
    if (typeof node === 'string') out.push(node);
    else if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        out.push(k);
        visit(v);
      }
    }
  };
  visit(JSON.parse(text) as unknown);
  return out.join('\n');
}

/** Every attribute value and text inside the XML, entities decoded. */
export function xmlStrings(text: string): string {
  const out: string[] = [];
  const visit = (e: XmlElement): void => {
    out.push(...Object.values(e.attrs), e.text);
    e.children.forEach(visit);
  };
  visit(parseXml(text));
  return out.join('\n');
}

/**
 * What leaked where: for each output and each secret, the forms found whole, and the plain
 * value's pieces of `min` or more characters.
 */
export function findLeaks(outputs: ReadonlyMap<string, string>, secrets: readonly Secret[], min = 10): string[] {
  const leaks: string[] = [];
  for (const [where, text] of outputs) {
    for (const secret of secrets) {
      for (const form of forms(secret.value).slice(1)) if (text.includes(form)) leaks.push(`${where}: ${secret.name} as ${form}`);
      for (const piece of fragmentsIn(text, secret.value, min)) leaks.push(`${where}: ${secret.name}: "${piece}"`);
    }
  }
  return leaks;
}
