/**
 * `convospec record --listen HOST:PORT --to HOST:PORT` (format §10): a recording proxy whose
 * clients' conversations become a spec. Messages, `listening on HOST:PORT` first, go to
 * stderr; the spec to `-o FILE` or stdout.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { TlsValues } from '../../import/index.js';
import type { ProtocolName } from '../../kernel/model.js';
import { PROTOCOL_NAMES } from '../../protocol/registry.js';
import { EXIT, UsageError, type Io } from '../io.js';
import { parsePositiveInt } from '../flags.js';

export interface RecordFlags {
  listen?: string;
  to?: string;
  protocol?: string;
  tls?: boolean;
  cert?: string;
  key?: string;
  ca?: string;
  caOut?: string;
  servername?: string;
  insecure?: boolean;
  connections?: string;
  output?: string;
  name?: string;
}

/** `host:port`, `[::1]:port`; `port` alone is on 127.0.0.1. */
export function parseHostPort(flag: string, text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port > 65535) throw new UsageError(`${flag} takes HOST:PORT (e.g. 127.0.0.1:2525), got "${text}"`);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '127.0.0.1' : host, port };
}

async function readPem(io: Io, flag: string, path: string): Promise<Buffer> {
  try {
    return await readFile(resolve(io.cwd, path));
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${path}: ${(error as Error).message}`);
  }
}

export async function recordCommand(flags: RecordFlags, io: Io): Promise<number> {
  if (flags.listen === undefined) throw new UsageError('record needs --listen HOST:PORT: where your client connects');
  if (flags.to === undefined) throw new UsageError('record needs --to HOST:PORT: the server to record');
  const listen = parseHostPort('--listen', flags.listen);
  const to = parseHostPort('--to', flags.to);
  if (to.port === 0) throw new UsageError('--to needs a port other than 0');
  if (flags.protocol !== undefined && !PROTOCOL_NAMES.includes(flags.protocol as ProtocolName)) {
    throw new UsageError(`--protocol must be one of ${PROTOCOL_NAMES.join(', ')}, got "${flags.protocol}"`);
  }
  if ((flags.cert === undefined) !== (flags.key === undefined)) throw new UsageError('--cert and --key go together');
  if (flags.cert !== undefined && flags.caOut !== undefined) throw new UsageError('--ca-out writes the CA of a certificate the recorder makes: not with --cert');
  const connections = flags.connections === undefined ? 1 : parsePositiveInt('--connections', flags.connections);
  const certificate = flags.cert !== undefined && flags.key !== undefined
    ? { cert: await readPem(io, '--cert', flags.cert), key: await readPem(io, '--key', flags.key) }
    : undefined;
  const ca = flags.ca === undefined ? undefined : await readPem(io, '--ca', flags.ca);

  const { record, RecordError } = await import('../../record/index.js');
  const result = await record({
    listen,
    to,
    ...(flags.protocol !== undefined ? { protocol: flags.protocol as ProtocolName } : {}),
    tls: flags.tls === true,
    ...(certificate ? { certificate } : {}),
    ...(flags.servername !== undefined ? { servername: flags.servername } : {}),
    ...(ca ? { ca: [ca] } : {}),
    insecure: flags.insecure === true,
    connections,
    spec: { ...(flags.name !== undefined ? { name: flags.name } : {}), ...specTls(flags, io) },
    clock: { now: () => io.now().getTime() },
    signal: io.signal,
    onListening: async (ready) => {
      if (flags.caOut !== undefined && ready.ca !== undefined) {
        await writeFile(resolve(io.cwd, flags.caOut), ready.ca);
        io.stderr.write(`wrote the CA of the recorder's certificate to ${flags.caOut}\n`);
      }
      io.stderr.write(`listening on ${ready.address}\n`);
    },
    note: (message) => io.stderr.write(`record: ${message}\n`),
  }).catch((error: unknown) => {
    throw error instanceof RecordError ? new UsageError(error.message) : error;
  });

  if (result.yaml === undefined) {
    io.stderr.write(`record: nothing was recorded (${result.connections} connection${result.connections === 1 ? '' : 's'}): no spec written\n`);
  } else if (flags.output !== undefined) {
    await writeFile(resolve(io.cwd, flags.output), result.yaml);
    io.stderr.write(`wrote ${flags.output}\n`);
  } else {
    io.stdout.write(result.yaml);
  }
  if (result.interrupted) return EXIT.interrupted;
  return result.yaml === undefined || result.failed ? EXIT.failed : EXIT.ok;
}

/** The spec's TLS options: the CA (a path relative to the spec), the server name, or no verification. */
function specTls(flags: RecordFlags, io: Io): { tls?: TlsValues } {
  const ca = flags.ca === undefined
    ? undefined
    : flags.output === undefined
      ? resolve(io.cwd, flags.ca)
      : relative(dirname(resolve(io.cwd, flags.output)), resolve(io.cwd, flags.ca));
  const tls: TlsValues = {
    ...(ca !== undefined && flags.insecure !== true ? { ca } : {}),
    ...(flags.servername !== undefined ? { servername: flags.servername } : {}),
    ...(flags.insecure === true ? { verify: false as const } : {}),
  };
  return Object.keys(tls).length > 0 ? { tls } : {};
}
