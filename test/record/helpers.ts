/**
 * Starts `record()` in-process on 127.0.0.1 port 0, as `convospec record` does, and hands the
 * test its address, the CA of the certificate it shows clients, its messages and its result.
 */
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
