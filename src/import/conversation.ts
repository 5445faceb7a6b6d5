/**
 * Turns one connection's events into steps, with the protocol's dialect deciding what a
 * reply is. TLS: a handshake follows an accepted STARTTLS/STLS; a TLS marker in the log
 * right after it is the same handshake; a marker before anything was said means TLS at
 * connect ("implicit TLS").
 */
import type { ConversationOut } from '../protocol/dialect.js';
import { PROTOCOLS } from '../protocol/registry.js';
import type { ImportStep, ProtocolName, Session, TranscriptEvent } from './types.js';
import type { WarningSink } from './warnings.js';

export interface Conversation {
  readonly steps: readonly ImportStep[];
  readonly implicitTls: boolean;
}

type LineEvent = Extract<TranscriptEvent, { kind: 'line' }>;

export function buildConversation(session: Session, protocol: ProtocolName, warnings: WarningSink): Conversation {
  const def = PROTOCOLS[protocol].import.dialect;
  const steps: ImportStep[] = [];
  let implicitTls = session.target?.tls === true;
  /** A handshake was just written (or is implicit) and no line followed yet. */
  let freshTls = implicitTls;
  let anyLine = false;

  const out: ConversationOut = {
    send: (text, line) => steps.push({ kind: 'send', text, line }),
    data: (lines, line) => steps.push({ kind: 'data', lines, line }),
    reply: (lines, line) => steps.push({ kind: 'reply', lines, line }),
    expect: (matcher, line, comment) => steps.push({ kind: 'expect', matcher, line, comment }),
    upgrade: (line) => {
      steps.push({ kind: 'tls', line });
      freshTls = true;
    },
    warn: (line, message) => warnings.warn(line, message),
  };
  const dialect = def.create(out);

  // openssl s_client -starttls shows nothing until TLS is up; what it did is written out.
  let toolReplyPending = false;
  const prelude = session.target?.starttls && !implicitTls ? def.starttls(session.line) : [];
  if (prelude.length > 0) {
    const comment = `what openssl s_client -starttls ${PROTOCOLS[protocol].import.opensslStarttls[0] ?? protocol} did before the log starts`;
    steps.push({ kind: 'expect', matcher: def.greeting, line: session.line, comment }, ...prelude);
    dialect.skipGreeting();
    freshTls = true;
    toolReplyPending = true;
  }

  const sideOf = (event: LineEvent): 'client' | 'server' | undefined => {
    if (event.text === '' && !event.marked) return dialect.blank();
    return event.side === 'unknown' ? dialect.guess(event.text) : event.side;
  };

  let lastLine = session.line;
  for (const event of session.events) {
    lastLine = event.line;
    switch (event.kind) {
      case 'line': {
        const side = sideOf(event);
        if (side === undefined) break;
        anyLine = true;
        freshTls = false;
        if (toolReplyPending && side === 'server') {
          // s_client prints the tail of what it read for its own EHLO; no command of
          // the user's asked for it.
          warnings.warn(event.line, 'skipped a reply to openssl s_client\'s own commands');
          break;
        }
        toolReplyPending = false;
        if (side === 'client') dialect.client(event.text, event.line);
        else dialect.server(event.text, event.line);
        break;
      }
      case 'tls':
        if (freshTls) break;
        if (!anyLine) {
          implicitTls = true;
          freshTls = true;
          break;
        }
        warnings.warn(event.line, 'TLS starts here, but no STARTTLS/STLS was accepted just before; a tls step is written anyway');
        steps.push({ kind: 'tls', line: event.line });
        freshTls = true;
        break;
      case 'closed':
        dialect.end(event.line);
        steps.push({ kind: event.by === 'server' ? 'closed' : 'close', line: event.line });
        break;
      case 'connect':
        break;
      default: {
        const never: never = event;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
  }
  dialect.end(lastLine);
  if (session.tlsFailed === true && steps.at(-1)?.kind === 'tls') steps.pop();
  const last = steps.at(-1);
  if (last?.kind === 'send' || last?.kind === 'data') {
    warnings.warn(last.line, 'the transcript ends before the server answered this; the spec ends with it too');
  }
  return { steps, implicitTls };
}
