/**
 * Certificates that must fail verification, each in exactly one way, so a hostile-TLS test
 * can assert the one reason it expects.
 */
import { createCa, createLeaf, DEFAULT_HOSTS, DEFAULT_IPS } from './pki.js';
import type { KeyPairPem } from './pki.js';

export type HostileCertKind =
  | 'expired' // signed by the CA, right names, notAfter in the past
  | 'notYetValid' // signed by the CA, right names, notBefore in the future
  | 'wrongName' // signed by the CA, valid now, SAN DNS:wrong.example only
  | 'selfSigned' // right names and dates, but its own issuer
  | 'unknownCa'; // right names and dates, signed by a CA nobody trusts

export interface HostileCertOptions {
  /** The trusted test CA (from `createPki`); signs the kinds that must fail for one other reason. */
  readonly ca: KeyPairPem;
  readonly now?: Date;
}

const DAY_MS = 86_400_000;

type Validity = { readonly notBefore: Date; readonly notAfter: Date };

function validity(kind: HostileCertKind, now: number): Validity {
  switch (kind) {
    case 'expired':
      return { notBefore: new Date(now - 30 * DAY_MS), notAfter: new Date(now - DAY_MS) };
    case 'notYetValid':
      return { notBefore: new Date(now + DAY_MS), notAfter: new Date(now + 30 * DAY_MS) };
    case 'wrongName':
    case 'selfSigned':
    case 'unknownCa':
      return { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + 30 * DAY_MS) };
    default: {
      const never: never = kind;
      throw new Error(`unknown certificate kind ${String(never)}`);
    }
  }
}

async function signer(kind: HostileCertKind, options: HostileCertOptions, v: Validity): Promise<KeyPairPem | undefined> {
  switch (kind) {
    case 'selfSigned':
      return undefined;
    case 'unknownCa':
      return createCa('convospec untrusted CA', v.notBefore, v.notAfter);
    case 'expired':
    case 'notYetValid':
    case 'wrongName':
      return options.ca;
    default: {
      const never: never = kind;
      throw new Error(`unknown certificate kind ${String(never)}`);
    }
  }
}

/** A server certificate and key that fail verification in the way `kind` names. */
export async function createCert(kind: HostileCertKind, options: HostileCertOptions): Promise<KeyPairPem> {
  const now = (options.now ?? new Date()).getTime();
  const v = validity(kind, now);
  const wrong = kind === 'wrongName';
  return createLeaf({
    commonName: wrong ? 'wrong.example' : 'mail.convospec.test',
    hosts: wrong ? ['wrong.example'] : DEFAULT_HOSTS,
    ips: wrong ? [] : DEFAULT_IPS,
    ...v,
    ca: await signer(kind, options, v),
  });
}
