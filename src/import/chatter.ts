/**
 * What telnet, nc and people print around a conversation: not lines of the protocol, but
 * they say where a connection starts, where TLS began and how it ended.
 */
import type { ConnectTarget, TranscriptEvent } from './types.js';
import type { WarningSink } from './warnings.js';

export type Chatter =
  | { readonly kind: 'connect'; readonly target: ConnectTarget }
  | { readonly kind: 'info' }
  | { readonly kind: 'closed'; readonly by: 'server' | 'client' }
  | { readonly kind: 'tls'; readonly note?: string }
  | { readonly kind: 'error'; readonly message: string };

interface ChatterRule {
  readonly pattern: RegExp;
  readonly read: (m: RegExpExecArray) => Chatter;
}

const info = (): Chatter => ({ kind: 'info' });

const RULES: readonly ChatterRule[] = [
  { pattern: /^Trying (\S+?)\.\.\.$/, read: (m) => ({ kind: 'connect', target: { tool: 'telnet', host: m[1], weak: true } }) },
  { pattern: /^Connected to \S+?\.?$/, read: info },
  { pattern: /^Escape character is '.+'\.?$/, read: info },
  { pattern: /^Connection to \S+ \d+ port \[.*\] succeeded!$/, read: info },
  { pattern: /^telnet> /, read: info },
  { pattern: /^\^\]$/, read: info },
  { pattern: /^Connection (?:to \S+ )?closed by (?:foreign|remote) host\.?$/i, read: () => ({ kind: 'closed', by: 'server' }) },
  // telnet prints this after its own `quit` (at the `telnet>` prompt): the client closed.
  { pattern: /^Connection closed\.$/, read: () => ({ kind: 'closed', by: 'client' }) },
  // The seed's "<TLS negotiation, further commands are under [TLS] layer>", and
  // convospec's own transcripts ("-- tls TLSv1.3 …").
  { pattern: /^<\s*TLS\b[^>]*>$/i, read: (m) => ({ kind: 'tls', note: m[0] }) },
  { pattern: /^\[?(?:TLS|SSL)\]?\s+(?:handshake|negotiat\w*|started|established)\b.*$/i, read: (m) => ({ kind: 'tls', note: m[0] }) },
  { pattern: /^--\s*tls\b.*$/i, read: (m) => ({ kind: 'tls', note: m[0] }) },
  {
    pattern: /^(?:telnet|nc|ncat|netcat): .*(?:refused|unable|unknown|timed out|not known).*$/i,
    read: (m) => ({ kind: 'error', message: `the connection failed here (${m[0]}); nothing after it was recorded from a server` }),
  },
];

export function readChatter(text: string): Chatter | undefined {
  const trimmed = text.trim();
  for (const rule of RULES) {
    const m = rule.pattern.exec(trimmed);
    if (m) return rule.read(m);
  }
  return undefined;
}

/** Turns recognised chatter into events; false when the line is not chatter. */
export function fromChatter(
  chatter: Chatter | undefined,
  line: number,
  events: TranscriptEvent[],
  warnings: WarningSink,
): boolean {
  if (!chatter) return false;
  switch (chatter.kind) {
    case 'connect':
      events.push({ kind: 'connect', line, target: chatter.target });
      return true;
    case 'info':
      return true;
    case 'closed':
      events.push({ kind: 'closed', line, by: chatter.by });
      return true;
    case 'tls':
      events.push(chatter.note === undefined ? { kind: 'tls', line } : { kind: 'tls', line, note: chatter.note });
      return true;
    case 'error':
      warnings.warn(line, chatter.message);
      return true;
    default: {
      const never: never = chatter;
      return never;
    }
  }
}
