/**
 * An exception inside the loader is a bug of convospec, never a problem of the spec: it
 * leaves the loader as an `InternalError` (the CLI's "internal error … please report"),
 * without the spec's secrets, and is never swallowed, not even behind a file's schema
 * problems. The failure is injected through the loader's own seam (`checkFile`).
 */
import { describe, expect, it } from 'vitest';
import { InternalError } from '../../src/kernel/internal-error.js';
import { load } from './helpers.js';

const SECRET = 'hunter2x-secret';
const HEAD = `name: S\nconnect: { port: 25 }\nvars: { pass: ${SECRET} }\nsecrets: [pass]\n`;
const DATA = '      - c: DATA\n      - data: { file: body.eml }\n';

function loadWithFailingCheck(text: string): Promise<unknown> {
  const checkFile = (): never => {
    throw new TypeError(`injected failure while checking ${SECRET}`);
  };
  return load(['a.yaml'], { readFile: () => text, fs: { kind: () => 'file', list: () => [] }, checkFile });
}

async function caught(text: string): Promise<unknown> {
  return loadWithFailingCheck(text).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('an exception inside the loader', () => {
  it('surfaces from a valid file as an InternalError, its message and stack without the secrets', async () => {
    const error = await caught(`${HEAD}tests:\n  - name: t\n    steps:\n${DATA}`);
    expect(error).toBeInstanceOf(InternalError);
    const internal = error as InternalError;
    expect(internal.message).toBe('injected failure while checking ***');
    expect(internal.detail).toContain('injected failure while checking ***');
    expect(`${internal.message}${internal.detail}`).not.toContain(SECRET);
  });

  it('surfaces from the later checks of a file with schema problems, not swallowed behind them', async () => {
    const error = await caught(`${HEAD}tests:\n  - name: t\n    steps:\n      - s: { code: 220, contans: x }\n${DATA}`);
    expect(error).toBeInstanceOf(InternalError);
    expect((error as InternalError).message).toBe('injected failure while checking ***');
  });

  it('surfaces from the short-secret check, which swallows only what a template may throw', async () => {
    // The environment fails when read: a bug, unlike an unset variable (the value is not known yet).
    const fail = (): never => {
      throw new TypeError('injected failure reading the environment');
    };
    const env = new Proxy({} as Record<string, string | undefined>, {
      getOwnPropertyDescriptor: (target, name) => (name === 'P' ? fail() : Reflect.getOwnPropertyDescriptor(target, name)),
    });
    const text = 'name: S\nconnect: { port: 25 }\nvars: { pass: "${env.P}" }\nsecrets: [pass]\ntests:\n  - name: t\n    steps:\n      - s: 220\n';
    const error = await load(['a.yaml'], { readFile: () => text, fs: { kind: () => 'file', list: () => [] }, env, checkEnv: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InternalError);
    expect((error as InternalError).message).toBe('injected failure reading the environment');
  });
});
