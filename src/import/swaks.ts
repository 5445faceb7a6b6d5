/**
 * swaks output. swaks marks every line with a three-character tag and a space:
 * ` ->` sent, `<- ` received, `~>`/`<~` the same inside TLS, `**>`/`<**` (and `*~>`/`<~*`)
 * an error, `===` its own information, `***` its own errors.
 */
import { parseCommand, splitHostPort, toPort } from './command.js';
import type { Side, TranscriptEvent } from './types.js';
import type { WarningSink } from './warnings.js';

interface Marker {
  readonly side: Side | 'info' | 'error';
  readonly tls: boolean;
  /** Spaces between the marker and the text when swaks pads it (`<-  220`). */
  readonly pad: number;
}

/** Longest first: `<~*` before `<~`. */
const MARKERS: ReadonlyArray<readonly [string, Marker]> = [
  ['===', { side: 'info', tls: false, pad: 1 }],
  ['***', { side: 'error', tls: false, pad: 1 }],
  ['**>', { side: 'client', tls: false, pad: 1 }],
  ['*~>', { side: 'client', tls: true, pad: 1 }],
  ['<**', { side: 'server', tls: false, pad: 1 }],
  ['<~*', { side: 'server', tls: true, pad: 1 }],
  ['->', { side: 'client', tls: false, pad: 1 }],
  ['~>', { side: 'client', tls: true, pad: 1 }],
  ['<-', { side: 'server', tls: false, pad: 2 }],
  ['<~', { side: 'server', tls: true, pad: 2 }],
];

export function swaksMarker(raw: string): { marker: Marker; text: string } | undefined {
  const trimmed = raw.trimStart();
  for (const [tag, marker] of MARKERS) {
    if (!trimmed.startsWith(tag)) continue;
    let text = trimmed.slice(tag.length);
    if (text !== '' && !text.startsWith(' ')) continue;
    for (let i = 0; i < marker.pad && text.startsWith(' '); i += 1) text = text.slice(1);
    return { marker, text };
  }
  return undefined;
}

interface InfoRule {
  readonly pattern: RegExp;
  readonly read: (m: RegExpExecArray, line: number) => TranscriptEvent | undefined;
}

const INFO: readonly InfoRule[] = [
  {
    pattern: /^Trying (\S+?)\.\.\.$/,
    read: (m, line) => {
      const split = splitHostPort(m[1] ?? '');
      const port = split.port === undefined ? undefined : toPort(split.port);
      const target = { tool: 'swaks', protocol: 'smtp' as const, weak: true, host: split.host, ...(port ? { port } : {}) };
      return { kind: 'connect', line, target };
    },
  },
  { pattern: /^TLS started(?: with cipher (\S+))?/, read: (m, line) => ({ kind: 'tls', line, note: m[0] }) },
  { pattern: /^Connection closed with (?:remote|child) (?:host|process)\.?$/, read: (_m, line) => ({ kind: 'closed', line, by: 'server' }) },
];

export function parseSwaks(lines: readonly string[], warnings: WarningSink): TranscriptEvent[] {
  const events: TranscriptEvent[] = [];
  let inTls = false;
  let sawLine = false;
  lines.forEach((raw, index) => {
    const line = index + 1;
    const found = swaksMarker(raw);
    if (!found) {
      if (raw.trim() === '') return;
      const target = parseCommand(raw);
      if (target) {
        warnings.used();
        events.push({ kind: 'connect', line, target });
      } else {
        warnings.skip(line, raw);
      }
      return;
    }
    warnings.used();
    const { marker, text } = found;
    if (marker.side === 'info') {
      const event = readInfo(text, line);
      if (event?.kind === 'tls') inTls = true;
      if (event) events.push(event);
      return;
    }
    if (marker.side === 'error') {
      readError(text, line, events, warnings);
      return;
    }
    // No `=== TLS started` line (trimmed from the log): the switch to `~>`/`<~` says it.
    if (marker.tls && !inTls) events.push({ kind: 'tls', line, note: sawLine ? 'swaks lines switch to ~> / <~' : undefined });
    inTls = marker.tls;
    sawLine = true;
    events.push({ kind: 'line', line, side: marker.side, marked: true, text });
  });
  return events;
}

function readInfo(text: string, line: number): TranscriptEvent | undefined {
  for (const rule of INFO) {
    const m = rule.pattern.exec(text);
    if (m) return rule.read(m, line);
  }
  return undefined;
}

function readError(text: string, line: number, events: TranscriptEvent[], warnings: WarningSink): void {
  if (/closed connection/i.test(text)) events.push({ kind: 'closed', line, by: 'server' });
  else warnings.warn(line, `swaks reported: ${text}`);
}
