/**
 * Report paths that fail, each for real, through the built command: a disk that fills up
 * during the run (a 16 KiB tmpfs), a read-only file system, and a path that is a folder by
 * the time the report is written. A path known to be bad before the run is exit 2 before
 * anything connects; one that fails at the end is said after the other reports were written,
 * naming the path, exit 2. The mounts are made in a private mount namespace of the child
 * (`unshare --mount`, root only): the machine's own mounts are never touched.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from '../helpers/build.js';
import { workspace, type Workspace } from '../helpers/cli.js';
import { listen, smtpScript, type Peer } from '../hostile/peers.js';

/** A reply of ~48 KiB, hostile besides: a report holding it does not fit in 16 KiB. */
const BIG = Array.from({ length: 600 }, (_, i) => `250-${i} ]]> </script> \x1b[31m ${'x'.repeat(60)}`).join('\r\n');

const canMount = process.getuid?.() === 0 && spawnSync('unshare', ['--mount', '--propagation', 'private', 'true']).status === 0;

let ws: Workspace;
let peer: Peer;
let connections = 0;

beforeAll(async () => {
  ws = await workspace();
  peer = await listen((conn) => {
    connections += 1;
    smtpScript({ NOOP: `${BIG}\r\n250 ok\r\n` })(conn);
  });
  await ws.write('big.yaml', `name: big\nconnect: { host: 127.0.0.1, port: ${peer.port}, protocol: smtp }\ntests:\n  - name: big reply\n    steps: [{ s: 220 }, { c: NOOP }, { s: 250 }, { c: QUIT }, { s: 221 }]\n`);
});

afterAll(async () => {
  await peer.close();
  await ws.dispose();
});

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The built command in a mount namespace of its own, `mounts` made there first. */
function inNamespace(mounts: string, args: readonly string[]): Promise<Result> {
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `${mounts} && exec '${process.execPath}' -- '${builtCli()}' ${quoted}`], {
    cwd: ws.dir,
    env: { PATH: process.env.PATH, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe.skipIf(!canMount)('report paths that fail', () => {
  it('a disk that fills up: said after the other reports were written, naming the path (exit 2)', async () => {
    mkdirSync(join(ws.dir, 'full'), { recursive: true });
    const run = await inNamespace('mount -t tmpfs -o size=16k tmpfs full', ['run', 'big.yaml', '--json', 'full/report.json', '--junit', 'kept/junit.xml', '--tap', 'kept/run.tap']);
    expect(run.stderr).toBe(
      `convospec: cannot write ${join(ws.dir, 'full/report.json')}: no space left on the device; the other reports were written. Check the path and the free space (exit 2)\n`,
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^1 passed/m);
    // The other reports are whole, the hostile reply inside them harmless.
    expect(await readFile(join(ws.dir, 'kept/junit.xml'), 'utf8')).toContain('250-599 ]]\\x3e </script> \\x1b[31m');
    expect(await readFile(join(ws.dir, 'kept/run.tap'), 'utf8')).toMatch(/^ok 1 - big › big reply$/m);
    // The namespace and its tmpfs went with the process: nothing is left here.
    expect(await readdir(join(ws.dir, 'full'))).toEqual([]);
  });

  it('a read-only file system: refused before the run, naming the path (exit 2)', async () => {
    mkdirSync(join(ws.dir, 'ro'), { recursive: true });
    const before = connections;
    const run = await inNamespace('mount -t tmpfs -o ro,size=16k tmpfs ro', ['run', 'big.yaml', '--junit', 'ro/junit.xml']);
    expect([run.code, run.stderr]).toEqual([2, 'convospec: --junit ro/junit.xml: cannot write there: the file system is read-only\n']);
    expect(connections).toBe(before);
  });
});

describe('a report path that is a folder when the report is written', () => {
  it('is said after the other reports were written, naming the path (exit 2)', async () => {
    const target = join(ws.dir, 'late/report.json');
    // A file when checked, a folder by the time the report is written.
    const spoiler = await listen((conn) => {
      rmSync(target, { force: true });
      mkdirSync(target, { recursive: true });
      conn.socket.end('220 ready\r\n');
    });
    try {
      await ws.write('late.yaml', `name: late\nconnect: { host: 127.0.0.1, port: ${spoiler.port}, protocol: smtp }\ntests:\n  - name: greets\n    steps: [{ s: 220 }]\n`);
      const run = await ws.run(['run', 'late.yaml', '--json', 'late/report.json', '--tap', 'late.tap']);
      expect(run.stderr).toBe(`convospec: cannot write ${target}: it is a folder; the other reports were written. Check the path and the free space (exit 2)\n`);
      expect(run.code).toBe(2);
      expect(await readFile(join(ws.dir, 'late.tap'), 'utf8')).toContain('ok 1 - late › greets');
    } finally {
      await spoiler.close();
      rmSync(join(ws.dir, 'late'), { recursive: true, force: true });
    }
  });
});
