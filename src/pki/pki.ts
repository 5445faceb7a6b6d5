/**
 * Test certificates made at start-up: a throw-away CA and a server certificate it signs, plus
 * deliberately broken certificates for hostile TLS tests. Nothing here touches the disk; the
 * caller decides where (if anywhere) the PEM goes.
 */
import { generate } from 'selfsigned';

export interface KeyPairPem {
  readonly cert: string;
  readonly key: string;
}

export interface Pki {
  readonly ca: KeyPairPem;
  readonly server: KeyPairPem;
}

export interface PkiOptions {
  /** DNS names for the server certificate (default localhost, mail.convospec.test). */
  readonly hosts?: readonly string[];
  /** IP addresses for the server certificate (default 127.0.0.1, ::1). */
  readonly ips?: readonly string[];
  /** Validity of the server certificate and the CA, in days (default 365). */
  readonly days?: number;
  /** The moment the certificates are made for (default: the real time). */
  readonly now?: Date;
}

export const DEFAULT_HOSTS: readonly string[] = ['localhost', 'mail.convospec.test'];
export const DEFAULT_IPS: readonly string[] = ['127.0.0.1', '::1'];
export const CA_NAME = 'convospec test CA';

const DAY_MS = 86_400_000;
/** Certificates start an hour early so a slightly slow clock on either side still accepts them. */
const SKEW_MS = 3_600_000;

/**
 * EC P-256 everywhere: fast to generate, and selfsigned signs a leaf with the leaf's own key
 * type's algorithm, so the CA and the leaves must share one.
 */
const KEY = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;

export interface LeafOptions {
  readonly commonName: string;
  readonly hosts: readonly string[];
  readonly ips: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Signer; a self-signed certificate when absent. */
  readonly ca?: KeyPairPem;
}

export async function createCa(name: string, notBefore: Date, notAfter: Date): Promise<KeyPairPem> {
  const pems = await generate(
    // Encoded general-first (O, then CN), as real certificates are.
    [
      { name: 'organizationName', value: 'convospec' },
      { name: 'commonName', value: name },
    ],
    {
      ...KEY,
      notBeforeDate: notBefore,
      notAfterDate: notAfter,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    },
  );
  return { cert: pems.cert, key: pems.private };
}

export async function createLeaf(options: LeafOptions): Promise<KeyPairPem> {
  const altNames = [
    ...options.hosts.map((value) => ({ type: 2 as const, value })),
    ...options.ips.map((ip) => ({ type: 7 as const, ip })),
  ];
  const pems = await generate(
    [
      { name: 'organizationName', value: 'convospec' },
      { name: 'commonName', value: options.commonName },
    ],
    {
      ...KEY,
      notBeforeDate: options.notBefore,
      notAfterDate: options.notAfter,
      ...(options.ca ? { ca: { cert: options.ca.cert, key: options.ca.key } } : {}),
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
        { name: 'subjectAltName', altNames },
      ],
    },
  );
  return { cert: pems.cert, key: pems.private };
}

/** A test CA (CN=convospec test CA) and a server certificate it signs. */
export async function createPki(options: PkiOptions = {}): Promise<Pki> {
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - SKEW_MS);
  const notAfter = new Date(now.getTime() + (options.days ?? 365) * DAY_MS);
  const ca = await createCa(CA_NAME, notBefore, notAfter);
  const hosts = options.hosts ?? DEFAULT_HOSTS;
  const server = await createLeaf({
    commonName: hosts[0] ?? 'localhost',
    hosts,
    ips: options.ips ?? DEFAULT_IPS,
    notBefore,
    notAfter,
    ca,
  });
  return { ca, server };
}
