/**
 * Reading a file a spec names (the spec itself, an `include`, a `data: {file}`, a TLS `ca`,
 * `cert` or `key`): only a regular file, and only up to a size limit. `/dev/zero` would
 * grow without end and a FIFO would wait for a writer forever: both are refused before a
 * byte is read. The file is opened with O_NONBLOCK so that opening a FIFO does not wait
 * either, and its size is checked from the open descriptor (no race with a rename).
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import type { DiagnosticCode } from '../kernel/diagnostic.js';

const MiB = 1024 * 1024;

/** The largest file of each kind (documented in docs/format.md, §1 and §3). */
export const FILE_LIMITS = {
  /** A spec or fragment file. */
  spec: MiB,
  /** A `data: {file}` body. */
  data: 64 * MiB,
  /** A TLS `ca`, `cert` or `key` (PEM). */
  pem: MiB,
} as const;

export type FileKind = keyof typeof FILE_LIMITS;

const WHAT: Readonly<Record<FileKind, string>> = {
  spec: 'a spec or fragment file',
  data: 'a data file',
  pem: 'a TLS file',
};

/** A file that is not a regular file, or too large: the message says which and what to do. */
export class FileLimitError extends Error {
  constructor(
    readonly code: 'file-not-regular' | 'file-too-large',
    message: string,
  ) {
    super(message);
  }
}

/** Why a file cannot be read: its kind, and a person's words. */
export interface FileProblem {
  readonly code: DiagnosticCode;
  readonly message: string;
}

/** O_NONBLOCK where the platform has it (not on Windows, which has no FIFOs to wait on). */
const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** The whole file, or a thrown error (FileLimitError, or the system's: ENOENT, EACCES…). */
export function readBoundedSync(path: string, kind: FileKind): Buffer {
  const fd = openSync(path, FLAGS);
  try {
    const stats = fstatSync(fd);
    check(stats, kind);
    const chunks = new Chunks(kind, stats.size);
    while (chunks.more()) chunks.took(readSync(fd, chunks.buffer, 0, chunks.buffer.length, null));
    return chunks.whole();
  } finally {
    closeSync(fd);
  }
}

/** As `readBoundedSync`, without blocking the event loop. */
export async function readBounded(path: string, kind: FileKind): Promise<Buffer> {
  const handle = await open(path, FLAGS);
  try {
    const stats = await handle.stat();
    check(stats, kind);
    const chunks = new Chunks(kind, stats.size);
    while (chunks.more()) chunks.took((await handle.read(chunks.buffer, 0, chunks.buffer.length, null)).bytesRead);
    return chunks.whole();
  } finally {
    await handle.close();
  }
}

/**
 * What was read so far. The size may change after the stat (a file being written): reading
 * goes on to the end of the file, and stops one byte past the limit.
 */
class Chunks {
  private readonly parts: Buffer[] = [];
  private length = 0;
  private ended = false;
  readonly buffer: Buffer;

  constructor(
    private readonly kind: FileKind,
    size: number,
  ) {
    this.buffer = Buffer.allocUnsafe(Math.min(FILE_LIMITS[kind] + 1, Math.max(size + 1, 64 * 1024)));
  }

  more(): boolean {
    return !this.ended && this.length <= FILE_LIMITS[this.kind];
  }

  took(n: number): void {
    if (n === 0) this.ended = true;
    else {
      this.parts.push(Buffer.from(this.buffer.subarray(0, n)));
      this.length += n;
    }
  }

  whole(): Buffer {
    if (this.length > FILE_LIMITS[this.kind]) throw tooLarge(this.kind);
    return this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length);
  }
}

/**
 * Why the file at `path` could not be read as `kind`, or undefined when it can: for the
 * loader, which checks the files a spec names before anything runs.
 */
export function fileProblem(path: string, kind: FileKind): FileProblem | undefined {
  try {
    check(statSync(path), kind);
    return undefined;
  } catch (e) {
    return readProblem(e);
  }
}

/** A read error in a person's words. */
export function readProblem(e: unknown): FileProblem {
  if (e instanceof FileLimitError) return { code: e.code, message: e.message };
  const code = (e as { code?: unknown }).code;
  const known = typeof code === 'string' ? SYSTEM_PROBLEMS.get(code) : undefined;
  return known ?? { code: 'file-unreadable', message: e instanceof Error ? e.message : String(e) };
}

const SYSTEM_PROBLEMS: ReadonlyMap<string, FileProblem> = new Map<string, FileProblem>([
  ['ENOENT', { code: 'file-missing', message: 'no such file' }],
  ['ENOTDIR', { code: 'file-missing', message: 'no such file' }],
  ['EACCES', { code: 'file-denied', message: 'permission denied' }],
  ['EISDIR', { code: 'file-not-regular', message: 'it is a directory' }],
]);

function check(stats: Stats, kind: FileKind): void {
  if (!stats.isFile()) throw new FileLimitError('file-not-regular', `not a regular file (${nonRegular(stats)}): name a regular file`);
  if (stats.size > FILE_LIMITS[kind]) throw tooLarge(kind);
}

/** The error for a file of this kind over its limit (also for text read by other means). */
export function tooLarge(kind: FileKind): FileLimitError {
  return new FileLimitError('file-too-large', `larger than ${FILE_LIMITS[kind] / MiB} MiB, the limit for ${WHAT[kind]}`);
}

function nonRegular(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'something else';
}
