/**
 * Starts `record()` in-process on 127.0.0.1 port 0, as `convospec record` does, and hands the
 * test its address, the CA of the certificate it shows clients, its messages and its result.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { record, type RecordOptions, type RecordResult } from '../../src/record/index.js';

export interface Recording {
  readonly port: number;
  /** PEM of the CA that signed the certificate the recorder shows clients. */
  readonly ca: string;
  /** Messages so far, in order. */
  readonly notes: string[];
  readonly result: Promise<RecordResult>;
  /** Ctrl-C. */
  stop(): void;
}

export type RecordingOptions = Partial<Omit<RecordOptions, 'onListening' | 'note' | 'signal' | 'clock'>> & Pick<RecordOptions, 'to'>;

export async function startRecording(options: RecordingOptions): Promise<Recording> {
  const controller = new AbortController();
  const notes: string[] = [];
  let ready: (value: { port: number; ca: string }) => void = () => undefined;
  const listening = new Promise<{ port: number; ca: string }>((resolve) => {
    ready = resolve;
  });
  const result = record({
    listen: { host: '127.0.0.1', port: 0 },
    tls: false,
    insecure: false,
    connections: 1,
    timeoutMs: 5_000,
    lingerMs: 1_000,
    ...options,
    clock: { now: () => Date.now() },
    signal: controller.signal,
    onListening: ({ address, ca }) => ready({ port: Number(address.split(':').at(-1)), ca: ca ?? '' }),
    note: (message) => notes.push(message),
  });
  // A recorder that fails before it listens fails the test at once instead of hanging it.
  const started = await Promise.race([listening, result.then((r) => Promise.reject(new Error(`record ended before listening: ${JSON.stringify(r)}`)))]);
  return { ...started, notes, result, stop: () => controller.abort() };
}

/** Within `ms`, or a clear failure instead of vitest's timeout. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

export interface SpawnedRecorder {
  readonly child: ChildProcessWithoutNullStreams;
  /** The port of `listening on 127.0.0.1:PORT`. */
  readonly port: number;
  stdout(): string;
  stderr(): string;
  /** The exit code (-1 when a signal ended it). */
  readonly exited: Promise<number>;
}

/** The built `convospec record --listen 127.0.0.1:0 …` as a real process, once it says `listening on`. */
export async function spawnRecorder(main: string, cwd: string, args: readonly string[]): Promise<SpawnedRecorder> {
  const child = spawn(process.execPath, ['--', main, 'record', '--listen', '127.0.0.1:0', ...args], { cwd });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" within 20 s:\n${err}`)), 20_000);
    const onData = (): void => {
      const m = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(err);
      if (!m) return;
      clearTimeout(timer);
      child.stderr.off('data', onData);
      resolve(Number(m[1]));
    };
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`record exited before listening:\n${err}`)));
  });
  return { child, port, stdout: () => out, stderr: () => err, exited };
}
