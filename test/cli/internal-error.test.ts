/**
 * A bug of convospec is said as one (format §8): `convospec: internal error: <message>
 * (please report it, with …)`, exit 2, the stack only with CONVOSPEC_DEBUG=1 or `--verbose`,
 * and no `--var` value in any of it. Failures are injected: an `Io` whose working folder
 * cannot be read (in-process), and a throw from a timer in the built CLI's process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { builtCli } from '../helpers/build.js';

const SECRET = 'hunter2x-secret';
const HEAD = 'convospec: internal error: injected failure near *** (please report it, with the command line, the output of `convospec --version`, and the spec files it read, with their secrets replaced)\n';

/** `runCli` with an `Io` whose `cwd` throws when a command reads it. */
async function runBroken(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  stderr.on('data', (c: Buffer) => chunks.push(c));
  const io = {
    get cwd(): string {
      throw new TypeError(`injected failure near ${SECRET}`);
    },
    env: { NO_COLOR: '1', ...env },
    stdout: new PassThrough(),
    stderr,
    isTTY: false,
    signal: new AbortController().signal,
    now: () => new Date(),
  };
  const code = await runCli(args, io);
  return { code, stderr: Buffer.concat(chunks).toString('utf8') };
}

describe('an internal error inside a command', () => {
  it('is one line that says to report it, exit 2, no stack, no secret', async () => {
    const run = await runBroken(['validate', 'specs', '--var', `pass=${SECRET}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`${HEAD}convospec: run with CONVOSPEC_DEBUG=1 or --verbose to see where it happened\n`);
  });

  it('shows the stack with CONVOSPEC_DEBUG=1 or --verbose, still without the secret', async () => {
    for (const run of [await runBroken(['validate', `--var=pass=${SECRET}`], { CONVOSPEC_DEBUG: '1' }), await runBroken(['run', '--verbose', '--var', `pass=${SECRET}`])]) {
      expect(run.code).toBe(2);
      expect(run.stderr.startsWith(HEAD)).toBe(true);
      expect(run.stderr).toMatch(/\n {4}at /);
      expect(run.stderr).not.toContain(SECRET);
    }
  });
});

describe('an exception that escapes every command, in the built CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'convospec-internal-'));
    writeFileSync(join(dir, 'a.yaml'), 'name: A\nconnect: { port: 25 }\nsteps: [{ s: 220 }]\n');
  }, 200_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is an internal error with exit 2, not a Node crash with exit 1', () => {
    // Thrown on the loop's next turn after the command's first output, outside any command:
    // only the process-wide handler can see it.
    const inject =
      'data:text/javascript,const write = process.stdout.write.bind(process.stdout); let armed = true;' +
      `process.stdout.write = (...a) => { if (armed) { armed = false; setImmediate(() => { throw new Error('injected failure near ${SECRET}'); }); } return write(...a); };`;
    const result = spawnSync(process.execPath, ['--import', inject, '--', builtCli(), 'validate', 'a.yaml', '--var', `pass=${SECRET}`], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', CONVOSPEC_DEBUG: undefined, NODE_OPTIONS: undefined },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.stderr).toBe(`${HEAD}convospec: run with CONVOSPEC_DEBUG=1 or --verbose to see where it happened\n`);
    expect(result.status).toBe(2);
  });
});
