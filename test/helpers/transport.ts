/** Shared fixtures for transport tests: the real clock, default limits, test certificates. */
import { expect } from 'vitest';
import type { Limits } from '../../src/kernel/model.js';
import type { Clock } from '../../src/transport/types.js';
import { createCert, createPki } from '../../src/pki/index.js';
import type { KeyPairPem, Pki } from '../../src/pki/index.js';
import { openConnection, TransportError } from '../../src/transport/index.js';
import type { SocketConnection } from '../../src/transport/index.js';
import type { ConnectOptions } from '../../src/transport/types.js';

export const realClock: Clock = { now: () => Date.now() };

export const defaultLimits: Limits = { lineBytes: 64 * 1024, replyBytes: 16 * 1024 * 1024 };

/** An absolute deadline `ms` from now on the real clock. */
export const inMs = (ms: number): number => realClock.now() + ms;

export interface TestCerts {
  readonly pki: Pki;
  readonly expired: KeyPairPem;
  readonly notYetValid: KeyPairPem;
  readonly wrongName: KeyPairPem;
  readonly selfSigned: KeyPairPem;
  readonly unknownCa: KeyPairPem;
}

export async function createTestCerts(): Promise<TestCerts> {
  const pki = await createPki();
  const [expired, notYetValid, wrongName, selfSigned, unknownCa] = await Promise.all(
    (['expired', 'notYetValid', 'wrongName', 'selfSigned', 'unknownCa'] as const).map((kind) =>
      createCert(kind, { ca: pki.ca }),
    ),
  );
  return {
    pki,
    expired: expired as KeyPairPem,
    notYetValid: notYetValid as KeyPairPem,
    wrongName: wrongName as KeyPairPem,
    selfSigned: selfSigned as KeyPairPem,
    unknownCa: unknownCa as KeyPairPem,
  };
}


/** Open a connection to a scripted peer (defaults: real clock, default limits, 5s deadline). */
export async function connectTo(
  peer: { readonly host: string; readonly port: number },
  overrides: Partial<ConnectOptions> = {},
): Promise<SocketConnection> {
  const connection = await openConnection({
    host: peer.host,
    port: peer.port,
    limits: defaultLimits,
    clock: realClock,
    deadline: inMs(5000),
    ...overrides,
  });
  return connection as SocketConnection;
}

/** The TransportError a read or write rejects with (the test fails if it resolves, or rejects with anything else). */
export async function failure(promise: Promise<unknown>): Promise<TransportError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}
