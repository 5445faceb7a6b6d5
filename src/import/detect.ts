/**
 * Which format a transcript is in, and which protocol a connection speaks.
 */
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

/** Shapes of a server line, first match wins. */
const SERVER_SHAPES: ReadonlyArray<readonly [RegExp, ProtocolName]> = [
  [/^\d{3}(?:[ -]|$)/, 'smtp'],
  [/^\* /, 'imap'],
  [/^(?:\+OK|-ERR)(?: |$)/, 'pop3'],
  [/^\S+ (?:OK|NO|BAD) /i, 'imap'],
];

/** Shapes of a client line, for a log that shows the client first. */
const CLIENT_SHAPES: ReadonlyArray<readonly [RegExp, ProtocolName]> = [
  [/^LHLO\b/i, 'lmtp'],
  [/^(?:EHLO|HELO|MAIL FROM:|STARTTLS)\b/i, 'smtp'],
  [/^\S+ (?:CAPABILITY|LOGIN|AUTHENTICATE|SELECT|EXAMINE|STARTTLS|LOGOUT|ID|NOOP)\b/i, 'imap'],
  [/^(?:USER|APOP|CAPA|STLS|STAT|RETR)\b/i, 'pop3'],
];

export const PORT_PROTOCOLS: Readonly<Record<number, ProtocolName>> = {
  25: 'smtp',
  465: 'smtp',
  587: 'smtp',
  24: 'lmtp',
  110: 'pop3',
  995: 'pop3',
  143: 'imap',
  993: 'imap',
};

function firstShape(texts: readonly string[], shapes: ReadonlyArray<readonly [RegExp, ProtocolName]>): ProtocolName | undefined {
  for (const text of texts) {
    for (const [pattern, protocol] of shapes) if (pattern.test(text)) return protocol;
  }
  return undefined;
}

/**
 * The protocol of a connection: the first server line's shape (`220` smtp, `* OK` imap,
 * `+OK` pop3), else the first client line's, else what the command named, else the port.
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
  const fromServer = firstShape(server, SERVER_SHAPES);
  const lhlo = client.some((text) => /^LHLO\b/i.test(text));
  if (fromServer === 'smtp' && lhlo) return 'lmtp';
  return fromServer ?? firstShape(client, CLIENT_SHAPES) ?? fromTarget(session.target);
}

function fromTarget(target: ConnectTarget | undefined): ProtocolName | undefined {
  if (!target) return undefined;
  return target.protocol ?? (target.port === undefined ? undefined : PORT_PROTOCOLS[target.port]);
}
