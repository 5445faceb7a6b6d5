/**
 * Files a spec names are read only when they are regular files within a size limit: a FIFO
 * (which would wait for a writer forever) and a device such as `/dev/zero` (which never
 * ends) are refused before a byte is read, and so is a file over the limit. Every read site
 * goes through it: the loader (specs, includes) and the engine (`data: {file}`, TLS files).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_LIMITS, FileLimitError, readBounded, readBoundedSync } from '../../src/loader/bounded-file.js';
import { loadSpecs } from '../../src/loader/load.js';
import { send, waitClose, expectBytes } from '../helpers/peer.js';
import { connection, runSpec, setup } from '../engine/harness.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'convospec-bounded-'));
  execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
  execFileSync('mkfifo', [join(dir, 'fifo.pem')]);
  writeFileSync(join(dir, 'small.txt'), 'hello\n');
  writeFileSync(join(dir, 'big.yaml'), `name: big\nconnect: { port: 25 }\nsteps: [{ s: 220 }]\n# ${'x'.repeat(FILE_LIMITS.spec)}\n`);
  writeFileSync(join(dir, 'ok.yaml'), 'name: ok\nconnect: { port: 25 }\nsteps: [{ s: 220 }]\n');
  writeFileSync(join(dir, 'includes-zero.yaml'), 'name: z\nconnect: { port: 25 }\nsteps: [{ include: /dev/zero }]\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readBounded', () => {
  it('reads a regular file whole', async () => {
    expect(readBoundedSync(join(dir, 'small.txt'), 'spec').toString()).toBe('hello\n');
    expect((await readBounded(join(dir, 'small.txt'), 'data')).toString()).toBe('hello\n');
  });

  it('refuses a FIFO and a device without waiting or reading, and a file over the limit', async () => {
    for (const read of [(p: string) => readBoundedSync(p, 'spec'), (p: string) => readBounded(p, 'pem')]) {
      await expect(async () => read(join(dir, 'fifo.yaml'))).rejects.toThrow('not a regular file (a FIFO)');
      await expect(async () => read('/dev/zero')).rejects.toThrow('not a regular file (a device)');
      await expect(async () => read(dir)).rejects.toThrow('not a regular file (a directory)');
      await expect(async () => read(join(dir, 'big.yaml'))).rejects.toThrow(FileLimitError);
      await expect(async () => read(join(dir, 'big.yaml'))).rejects.toThrow('larger than 1 MiB');
    }
  });
});

describe('the loader', () => {
  it('refuses a FIFO, an include of /dev/zero and a spec over 1 MiB, and loads the rest of the folder', async () => {
    const r = await loadSpecs(['.'], { cwd: dir, vars: {}, env: {} });
    expect(r.suites.map((s) => s.file)).toEqual(['ok.yaml']);
    expect(r.diagnostics.map((d) => `${d.span.file}:${d.span.line}: [${d.code}] ${d.message}`)).toEqual([
      'big.yaml:1: [file-too-large] larger than 1 MiB, the limit for a spec or fragment file',
      'fifo.yaml:1: [file-not-regular] not a regular file (a FIFO): name a regular file',
      'includes-zero.yaml:3: [file-not-regular] cannot include `/dev/zero`: not a regular file (a device): name a regular file',
    ]);
  });

  it('refuses text over the limit from an injected reader too, before parsing it', async () => {
    const r = await loadSpecs(['a.yaml'], { cwd: dir, vars: {}, env: {}, readFile: () => `name: [${'x'.repeat(FILE_LIMITS.spec)}`, fs: { kind: () => 'file', list: () => [] } });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['file-too-large']);
  });
});

describe('the engine', () => {
  const { ws, peer } = setup();

  it('`data: {file: /dev/zero}` fails the step without sending a byte of a body', async () => {
    const server = await peer([send('220 mx\r\n'), expectBytes('DATA\r\n'), send('354 go\r\n'), waitClose()]);
    // Named through a variable, so that only the step can check it (a literal path is checked at load).
    const run = await runSpec(ws(), 'zero.yaml', `name: zero\nconnect: { port: ${server.port}, protocol: smtp }\ntimeout: 3s\nsteps:\n  - s: 220\n  - c: DATA\n  - s: 354\n  - data: { file: "\${body}" }\n`, ['--var', 'body=/dev/zero']);
    const t = run.test('zero');
    expect(t.status, run.console).toBe('errored');
    expect(t.failure?.message).toBe('cannot read the data file /dev/zero: not a regular file (a device): name a regular file');
    expect((await connection(server)).received).toBe('DATA\r\n');
  });

  it('a TLS `ca` that is a FIFO fails the connect at once', async () => {
    const server = await peer([waitClose()]);
    const fifo = join(dir, 'fifo.pem');
    const run = await runSpec(ws(), 'fifo-ca.yaml', `name: fifo\nconnect: { port: ${server.port}, protocol: smtp, tls: { ca: "\${ca}" } }\ntimeout: 3s\nsteps: [{ s: 220 }]\n`, ['--var', `ca=${fifo}`]);
    const t = run.test('fifo');
    expect(t.status, run.console).toBe('errored');
    expect(t.failure?.message).toBe(`cannot read the TLS ca file ${fifo}: not a regular file (a FIFO): name a regular file`);
  });
});
