export { createPki, createCa, createLeaf, CA_NAME, DEFAULT_HOSTS, DEFAULT_IPS } from './pki.js';
export type { Pki, PkiOptions, KeyPairPem, LeafOptions } from './pki.js';
export { createCert } from './hostile.js';
export type { HostileCertKind, HostileCertOptions } from './hostile.js';
