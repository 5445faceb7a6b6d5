/** `convospec import FILE`: a transcript becomes a spec. */
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
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
const SOURCES = ['transcript', 'imaptest'] as const;
type Format = (typeof FORMATS)[number];

export interface ImportFlags {
  output?: string;
  name?: string;
  protocol?: string;
  format?: string;
  host?: string;
  port?: string;
  from?: string;
  capabilities?: string;
}

/** `--from imaptest FILE|DIR… -o DIR`: one spec per script, a summary on stderr. */
export async function importImaptestCommand(paths: readonly string[], flags: ImportFlags, io: Io, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  if (flags.output === undefined) throw new UsageError('--from imaptest needs -o DIR: the folder to write one spec per script into');
  const { importImaptest, isScriptName } = await import('../../import/imaptest/index.js');
  const scripts: string[] = [];
  for (const path of paths) {
    const full = resolve(io.cwd, path);
    let kind;
    try {
      kind = await stat(full);
    } catch (error) {
      throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
    }
    if (kind.isDirectory()) {
      for (const name of (await readdir(full)).sort()) if (isScriptName(name) && (await stat(join(full, name))).isFile()) scripts.push(join(path, name));
    } else scripts.push(path);
  }
  if (scripts.length === 0) throw new UsageError(`no imaptest script in ${paths.join(', ')} (a script is a file with no extension)`);
  const out = resolve(io.cwd, flags.output);
  await mkdir(out, { recursive: true });
  let written = 0;
  let noted = 0;
  let refused = 0;
  for (const script of scripts) {
    const full = resolve(io.cwd, script);
    const name = basename(script);
    const text = await readFile(full);
    const mbox = (await readOptional(`${full}.mbox`)) ?? (await readOptional(join(dirname(full), 'default.mbox')));
    const capabilities = flags.capabilities?.split(/[\s,]+/).filter((c) => c !== '');
    const result = importImaptest({ name, text, mbox }, { env, ...(capabilities ? { capabilities } : {}) });
    if (result.yaml === undefined) {
      refused++;
      for (const p of result.problems) io.stderr.write(`${script}:${p.line}: not expressible: ${p.message}\n`);
      continue;
    }
    await writeFile(join(out, `${name}.yaml`), result.yaml);
    written++;
    if (result.notes.length > 0) noted++;
    for (const n of result.notes) io.stderr.write(`${script}:${n.line}: ${n.message}\n`);
  }
  io.stderr.write(`imaptest: ${written} written to ${flags.output} (${noted} with warnings), ${refused} not expressible\n`);
  return refused > 0 ? EXIT.failed : EXIT.ok;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** `convospec import`: a transcript (one file), or imaptest scripts (`--from imaptest`). */
export async function importFrom(paths: readonly string[], flags: ImportFlags, io: Io, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const from = flags.from ?? 'transcript';
  if (!SOURCES.includes(from as (typeof SOURCES)[number])) throw new UsageError(`--from must be one of ${SOURCES.join(', ')}, got "${from}"`);
  if (from === 'imaptest') return importImaptestCommand(paths, flags, io, env);
  const [file, ...more] = paths;
  if (file === undefined || more.length > 0) throw new UsageError('import takes one transcript (or, with --from imaptest, scripts and folders)');
  return importCommand(file, flags, io);
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
