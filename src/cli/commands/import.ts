/** `convospec import FILE`: a transcript becomes a spec. */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { text as readStream } from 'node:stream/consumers';
import { importTranscript } from '../../import/index.js';
import type { ProtocolName } from '../../import/types.js';
import { PROTOCOL_NAMES } from '../../protocol/registry.js';
import { EXIT, UsageError, type Io } from '../io.js';
import { parsePositiveInt } from '../flags.js';

function parsePort(text: string): number {
  const port = parsePositiveInt('--port', text);
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  return port;
}

const FORMATS = ['auto', 'prefixed', 'swaks', 'telnet'] as const;
type Format = (typeof FORMATS)[number];

export interface ImportFlags {
  output?: string;
  name?: string;
  protocol?: string;
  format?: string;
  host?: string;
  port?: string;
}

export async function importCommand(file: string, flags: ImportFlags, io: Io, stdin: () => Promise<string> = () => readStream(process.stdin)): Promise<number> {
  if (flags.protocol !== undefined && !PROTOCOL_NAMES.includes(flags.protocol as ProtocolName)) {
    throw new UsageError(`--protocol must be one of ${PROTOCOL_NAMES.join(', ')}, got "${flags.protocol}"`);
  }
  if (flags.format !== undefined && !FORMATS.includes(flags.format as Format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${flags.format}"`);
  }
  let text: string;
  try {
    text = file === '-' ? await stdin() : await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const port = flags.port !== undefined ? parsePort(flags.port) : undefined;
  const { yaml, warnings } = importTranscript(text, {
    ...(flags.host !== undefined ? { host: flags.host } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.protocol !== undefined ? { protocol: flags.protocol as ProtocolName } : {}),
    ...(flags.format !== undefined ? { format: flags.format as Format } : {}),
  });
  for (const w of warnings) io.stderr.write(`${file}:${w.line}: ${w.message}\n`);
  if (flags.output !== undefined) {
    await writeFile(resolve(io.cwd, flags.output), yaml);
    io.stderr.write(`wrote ${flags.output}\n`);
  } else {
    io.stdout.write(yaml);
  }
  return EXIT.ok;
}
