/**
 * `convospec import`: a transcript of a mail conversation becomes a spec that replays it.
 * Pure: text in, YAML text and warnings out. See types.ts for the stages.
 */
import { buildConversation } from './conversation.js';
import { createCredentialRewriter } from './credentials.js';
import { PROTOCOLS, protocolForPort } from '../protocol/registry.js';
import { detectFormat, detectProtocol } from './detect.js';
import { emitSpec, type ConnectValues, type TestDraft, type TlsValues } from './emit.js';
import { parsePrefixed } from './prefixed.js';
import { splitSessions } from './session.js';
import { parseSwaks } from './swaks.js';
import { parseTelnet } from './telnet.js';
import type { ImportStep, ImportWarning, ProtocolName, Session, TranscriptEvent, TranscriptFormat } from './types.js';
import { createWarningSink, type WarningSink } from './warnings.js';

export interface ImportOptions {
  /** The suite's name (default: "Imported SMTP transcript" and the like). */
  readonly name?: string;
  /** The protocol, if the transcript does not make it clear. */
  readonly protocol?: ProtocolName;
  /** `connect.host` as written in the spec (a template); default `${env.MAIL_HOST:-127.0.0.1}`. */
  readonly host?: string;
  /** `connect.port`; default the port in the transcript's command, else the protocol's. */
  readonly port?: number;
  readonly format?: 'auto' | TranscriptFormat;
}

export interface ImportResult {
  readonly yaml: string;
  readonly warnings: ImportWarning[];
}

export type { ImportWarning, Session, TlsValues, TranscriptEvent, TranscriptFormat };

const PARSERS: Readonly<Record<TranscriptFormat, (lines: readonly string[], warnings: WarningSink) => TranscriptEvent[]>> = {
  prefixed: parsePrefixed,
  swaks: parseSwaks,
  telnet: parseTelnet,
};

const DEFAULT_HOST = '${env.MAIL_HOST:-127.0.0.1}';

interface Connection {
  readonly session: Session;
  readonly protocol: ProtocolName;
  readonly steps: readonly ImportStep[];
  readonly connect: ConnectValues;
}

export function importTranscript(text: string, options: ImportOptions = {}): ImportResult {
  const warnings = createWarningSink();
  const lines = text.split('\n').map((line) => line.replace(/\r+$/, ''));
  const format = options.format === undefined || options.format === 'auto' ? detectFormat(lines) : options.format;
  const events = PARSERS[format](lines, warnings);
  const sessions = splitSessionsOrWarn(events, warnings);
  return writeSpec(sessions, options, warnings, {
    source: `Imported by convospec from a ${format} transcript: review it before relying on it.`,
    hostFromEnv: true,
  });
}

/** What `importSessions` needs beyond the sessions: where they came from, and the spec's `connect`. */
export interface SessionsOptions extends Omit<ImportOptions, 'format'> {
  /** The first comment line of the spec: where it came from. */
  readonly source: string;
  /** TLS options of every handshake the spec does (`connect.tls`, `tls:` steps). */
  readonly tls?: TlsValues;
}

/**
 * Connections already split and marked by side (a recording, src/record), written as
 * `importTranscript` writes a transcript's: framing, volatile values, credentials.
 * Warnings' `line` numbers are the events' own.
 */
export function importSessions(sessions: readonly Session[], options: SessionsOptions): ImportResult {
  const warnings = createWarningSink();
  return writeSpec(sessions, options, warnings, {
    source: options.source,
    hostFromEnv: options.host === undefined,
    ...(options.tls ? { tls: options.tls } : {}),
  });
}

interface SpecSettings {
  readonly source: string;
  /** The header names the recorded host in a comment, and MAIL_HOST as the server to test. */
  readonly hostFromEnv: boolean;
  readonly tls?: TlsValues;
}

function writeSpec(sessions: readonly Session[], options: Omit<ImportOptions, 'format'>, warnings: WarningSink, settings: SpecSettings): ImportResult {
  const rewriter = createCredentialRewriter(warnings);
  const connections: Connection[] = [];
  let previous: ProtocolName | undefined;
  for (const session of sessions) {
    const protocol = options.protocol ?? detectProtocol(session) ?? previous ?? fallbackProtocol(session, warnings);
    previous = protocol;
    checkPort(session, protocol, warnings);
    const conversation = buildConversation(session, protocol, warnings);
    rewriter.rewrite(conversation.steps, protocol);
    const port = options.port ?? session.target?.port ?? defaultPort(protocol, conversation.implicitTls, session.line, warnings);
    const connect: ConnectValues = {
      host: options.host ?? DEFAULT_HOST,
      port,
      protocol,
      ...(conversation.implicitTls ? { tls: true as const } : {}),
    };
    connections.push({ session, protocol, steps: conversation.steps, connect });
  }
  const credentials = rewriter.finish();

  const tests: TestDraft[] = connections.map((c, i) => ({
    name: connections.length === 1 ? 'as recorded' : `connection ${i + 1}: ${PROTOCOLS[c.protocol].title} port ${String(c.connect.port)}`,
    connect: c.connect,
    steps: c.steps,
  }));
  const first = connections[0];
  const yaml = emitSpec({
    name: options.name ?? `Imported ${PROTOCOLS[first?.protocol ?? options.protocol ?? 'smtp'].title} transcript`,
    header: header(settings, connections, credentials.vars),
    tests,
    credentials,
    ...(settings.tls ? { tls: settings.tls } : {}),
  });
  return { yaml, warnings: redact(warnings.list(), credentials.secretValues) };
}

function splitSessionsOrWarn(events: readonly TranscriptEvent[], warnings: WarningSink): Session[] {
  const sessions = splitSessions(events, warnings);
  if (sessions.length > 0) return sessions;
  // A spec needs a test; one with no steps still checks that the server accepts a connection.
  warnings.warn(1, 'no conversation found: the spec only connects');
  return [{ line: 1, events: [] }];
}

function fallbackProtocol(session: Session, warnings: WarningSink): ProtocolName {
  warnings.warn(session.line, 'cannot tell the protocol from the transcript; assuming smtp (pass a protocol to choose)');
  return 'smtp';
}

/** A command for port 465 before an IMAP conversation most likely belongs to something else. */
function checkPort(session: Session, protocol: ProtocolName, warnings: WarningSink): void {
  const port = session.target?.port;
  const usual = port === undefined ? undefined : protocolForPort(port);
  if (usual !== undefined && usual !== protocol && !(usual === 'smtp' && protocol === 'lmtp')) {
    warnings.warn(session.line, `this ${protocol} conversation follows a command for port ${String(port)}, ${usual}'s port: check connect.port`);
  }
}

function defaultPort(protocol: ProtocolName, tls: boolean, line: number, warnings: WarningSink): number | string {
  // Well-known ports (format §2), plain and with implicit TLS.
  const ports = PROTOCOLS[protocol].import.ports;
  const port = tls ? ports.tls : ports.plain;
  if (port === undefined) {
    warnings.warn(line, 'the transcript names no port: the spec reads it from MAIL_PORT');
    return '${env.MAIL_PORT}';
  }
  warnings.warn(line, `the transcript names no port: using ${PROTOCOLS[protocol].title}'s ${String(port)}`);
  return port;
}

function header(settings: SpecSettings, connections: readonly Connection[], vars: readonly { name: string; value: string }[]): string[] {
  const lines = [settings.source];
  const recorded = connections
    .map((c) => c.session.target)
    .filter((t) => t?.host !== undefined)
    .map((t) => `${t?.host ?? ''}${t?.port === undefined ? '' : ` port ${String(t.port)}`}`);
  const unique = [...new Set(recorded)];
  if (unique.length > 0 && settings.hostFromEnv) lines.push(`Recorded against ${unique.join(', ')}; MAIL_HOST names the server to test.`);
  for (const v of vars) {
    const env = /^\$\{env\.(\w+)\}$/.exec(v.value)?.[1];
    if (env) lines.push(`${env} must hold the value of \`${v.name}\`: a secret, shown as *** in every output.`);
  }
  if (settings.tls === undefined && connections.some((c) => c.connect.tls || c.steps.some((s) => s.kind === 'tls'))) {
    lines.push('TLS certificates are verified: add `tls: { ca: <file> }` for a private CA.');
  }
  return lines;
}

/** Warnings quote transcript lines: keep secrets out of them too. */
function redact(warnings: ImportWarning[], secrets: readonly string[]): ImportWarning[] {
  const values = secrets.filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
  if (values.length === 0) return warnings;
  return warnings.map((w) => ({ ...w, message: values.reduce((m, v) => m.split(v).join('***'), w.message) }));
}
