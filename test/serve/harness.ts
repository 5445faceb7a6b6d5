/**
 * `convospec serve` in-process for tests: specs in a temp folder, the CLI started, the ports
 * read off its `listening on` lines, then real clients run against them.
 */
import { execFile, spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/program.js';
import { afterEach, beforeEach } from 'vitest';
import { workspace, type Workspace } from '../helpers/cli.js';

export interface Served {
  /** The ports in the order of the `listening on` lines. */
  readonly ports: readonly number[];
  /** Resolves when serve ends: its exit code and output. */
  readonly done: Promise<{ code: number; stdout: string; stderr: string }>;
  /** Ctrl-C. */
  stop(): void;
}

/** Starts `convospec serve ARGS` in `ws.dir` (with `env` beside NO_COLOR); resolves once it listens (or ended without). */
export async function serve(ws: Workspace, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Served> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stderr.on('data', (c: Buffer) => err.push(c));
  const abort = new AbortController();
  let listening: (ports: number[]) => void = () => undefined;
  const ready = new Promise<number[]>((resolve) => {
    listening = resolve;
  });
  stdout.on('data', (c: Buffer) => {
    out.push(c);
    const text = Buffer.concat(out).toString('utf8');
    const ports = [...text.matchAll(/^listening on \S+:(\d+) \(\w+\)$/gm)].map((m) => Number(m[1]));
    // serve writes all its `listening on` lines in one write.
    if (ports.length > 0) listening(ports);
  });
  const done = runCli(['serve', ...args], {
    cwd: ws.dir,
    env: { ...env, NO_COLOR: '1' },
    stdout,
    stderr,
    isTTY: false,
    signal: abort.signal,
    now: () => new Date(),
  }).then((code) => ({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  const ports = await Promise.race([ready, done.then(() => [] as number[])]);
  return { ports, done, stop: () => abort.abort() };
}

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A client program, bounded by a timeout; never rejects. */
export function client(file: string, args: readonly string[], options: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile(file, [...args], { timeout: options.timeoutMs ?? 20_000, env: { ...process.env, ...options.env } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** python3 -c SCRIPT; `PORT` in the script is the port. */
export function python(script: string, port: number, env: Record<string, string> = {}): Promise<Ran> {
  return client('python3', ['-c', script.replaceAll('PORT', String(port))], { env });
}

/** Whether a client program is installed: a test that needs a missing one is skipped, not failed. */
export function has(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

export const HAS = { python3: has('python3'), curl: has('curl'), swaks: has('swaks') } as const;

/** A workspace of its own for each test of the file: made before the test, removed after. */
export function freshWorkspace(): Workspace {
  let current: Workspace | undefined;
  beforeEach(async () => {
    current = await workspace();
  });
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  const now = (): Workspace => {
    if (!current) throw new Error('freshWorkspace() is used inside a test only');
    return current;
  };
  return {
    get dir() {
      return now().dir;
    },
    write: (name, content) => now().write(name, content),
    run: (args, options) => now().run(args, options),
    dispose: async () => undefined,
  };
}

/**
 * The steps of an SMTP envelope as a spec's test writes them (six-space indent): the client's
 * MAIL FROM and RCPT TO, each matched by a regex and accepted, then DATA and its 354.
 */
export function envelope(from = '/^MAIL FROM:/i', to = '/^RCPT TO:/i'): string {
  return [`- c: '${from}'`, '- s: 250', `- c: '${to}'`, '- s: 250', '- c: DATA', '- s: 354'].map((l) => `      ${l}\n`).join('');
}
