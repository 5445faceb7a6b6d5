/**
 * Run the real CLI in-process (no subprocess): specs written to a temp folder, streams
 * captured, exit code returned. Used by engine and end-to-end tests.
 */
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/program.js';
import type { ReporterMap } from '../../src/report/types.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly dir: string;
}

export interface Workspace {
  readonly dir: string;
  write(name: string, content: string): Promise<string>;
  /** `reporters`: a reporter map instead of the real one. */
  run(args: string[], options?: { env?: Record<string, string | undefined>; signal?: AbortSignal; reporters?: ReporterMap }): Promise<CliRun>;
  dispose(): Promise<void>;
}

export async function workspace(): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'convospec-test-'));
  return {
    dir,
    async write(name, content) {
      const path = join(dir, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
      return path;
    },
    async run(args, options = {}) {
      const stdout = collect();
      const stderr = collect();
      const code = await runCli(args, {
        cwd: dir,
        env: { NO_COLOR: '1', ...options.env },
        stdout: stdout.stream,
        stderr: stderr.stream,
        isTTY: false,
        signal: options.signal ?? new AbortController().signal,
        now: () => new Date(),
      }, options.reporters);
      return { code, stdout: stdout.text(), stderr: stderr.text(), dir };
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}
