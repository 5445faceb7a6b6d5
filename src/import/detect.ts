/**
 * Which format a transcript is in, and which protocol a connection speaks.
 */
import { PROTOCOLS, protocolForPort } from '../protocol/registry.js';
import { isPrefixedLine } from './prefixed.js';
import { swaksMarker } from './swaks.js';
import type { ConnectTarget, ProtocolName, Session, TranscriptFormat } from './types.js';

/**
 * swaks if its receive markers (`<-`, `<~`, `<**`) show up and outnumber `c:`/`s:` lines;
 * prefixed if any line is marked `s:`; telnet otherwise (its client marks are `> ` or `C: `).
 */
export function detectFormat(lines: readonly string[]): TranscriptFormat {
  let swaks = 0;
  let swaksServer = 0;
  let prefixed = 0;
  let prefixedServer = 0;
  for (const line of lines) {
    const marker = swaksMarker(line);
    if (marker) {
      swaks += 1;
      if (marker.marker.side === 'server') swaksServer += 1;
    }
    if (isPrefixedLine(line)) {
      prefixed += 1;
      if (/^\s*[Ss]:/.test(line)) prefixedServer += 1;
    }
  }
  if (swaksServer > 0 && swaks > prefixed) return 'swaks';
  if (prefixedServer > 0) return 'prefixed';
  return 'telnet';
}

type Shapes = 'serverShapes' | 'clientShapes';

/**
 * The first protocol whose shapes of this kind (`def.import.serverShapes`) one of the texts
 * has. Lines are tried in order; for each, every protocol's first shape in the registry's
 * order, then every protocol's second, and so on.
 */
function firstShape(texts: readonly string[], kind: Shapes): ProtocolName | undefined {
  const defs = Object.values(PROTOCOLS);
  const rounds = Math.max(0, ...defs.map((def) => def.import[kind].length));
  for (const text of texts) {
    for (let round = 0; round < rounds; round += 1) {
      for (const def of defs) if (def.import[kind][round]?.test(text)) return def.name;
    }
  }
  return undefined;
}

/**
 * The protocol of a connection: the first server line's shape (`220` smtp, `* OK` imap,
 * `+OK` pop3, each protocol's `import.serverShapes`), else the first client line's, else what the command named, else the port's (`wellKnownPorts`).
 * SMTP becomes LMTP when the client says LHLO.
 */
export function detectProtocol(session: Session): ProtocolName | undefined {
  const server: string[] = [];
  const client: string[] = [];
  for (const event of session.events) {
    if (event.kind !== 'line' || event.text === '') continue;
    if (event.side === 'client') client.push(event.text);
    else server.push(event.text);
  }
  const fromServer = firstShape(server, 'serverShapes');
  const lhlo = client.some((text) => /^LHLO\b/i.test(text));
  if (fromServer === 'smtp' && lhlo) return 'lmtp';
  return fromServer ?? firstShape(client, 'clientShapes') ?? fromTarget(session.target);
}

function fromTarget(target: ConnectTarget | undefined): ProtocolName | undefined {
  if (!target) return undefined;
  return target.protocol ?? (target.port === undefined ? undefined : protocolForPort(target.port));
}
