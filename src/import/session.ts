/**
 * Splits a transcript into connections. A connection starts at a command or telnet's
 * `Trying …`; commands with no conversation after them give way to the next one (a page
 * of `openssl s_client` examples before the real session), chatter only fills in what the
 * command left open. Lines after the connection closed belong to no connection.
 */
import type { ConnectTarget, Session, TranscriptEvent } from './types.js';
import type { WarningSink } from './warnings.js';

interface Draft {
  strong?: ConnectTarget;
  strongLine: number;
  weak?: ConnectTarget;
  line: number;
  events: TranscriptEvent[];
  hasLines: boolean;
  closed: boolean;
}

/** `over`'s defined values win over `under`'s. */
function merge(under: ConnectTarget | undefined, over: ConnectTarget | undefined): ConnectTarget | undefined {
  if (!under) return over;
  if (!over) return under;
  const merged: Record<string, unknown> = { ...under };
  for (const [key, value] of Object.entries(over)) if (value !== undefined) merged[key] = value;
  return merged as unknown as ConnectTarget;
}

function describe(target: ConnectTarget): string {
  const where = [target.host, target.port].filter((part) => part !== undefined).join(' port ');
  return where === '' ? target.tool : `${target.tool} to ${where}`;
}

export function splitSessions(events: readonly TranscriptEvent[], warnings: WarningSink): Session[] {
  const sessions: Session[] = [];
  const fresh = (line: number): Draft => ({ strongLine: line, line, events: [], hasLines: false, closed: false });
  let draft = fresh(events[0]?.line ?? 1);
  let afterCloseWarned = false;

  const finish = (): void => {
    if (draft.hasLines) {
      const target = merge(draft.weak, draft.strong);
      sessions.push({ ...(target ? { target } : {}), line: draft.line, events: draft.events });
    } else if (draft.strong) {
      warnings.warn(draft.strongLine, `no conversation follows this ${describe(draft.strong)}; ignored`);
    }
  };

  for (const event of events) {
    switch (event.kind) {
      case 'connect': {
        if (draft.hasLines || draft.closed) {
          finish();
          draft = fresh(event.line);
          afterCloseWarned = false;
        }
        if (event.target.weak) {
          draft.weak = merge(draft.weak, event.target);
        } else {
          if (draft.strong) warnings.warn(draft.strongLine, `no conversation follows this ${describe(draft.strong)}; the one on line ${event.line} is used`);
          draft.strong = event.target;
          draft.strongLine = event.line;
        }
        break;
      }
      case 'line':
        if (draft.closed) {
          if (!afterCloseWarned) warnings.warn(event.line, 'skipped what follows the end of the connection, up to the next connection');
          afterCloseWarned = true;
          break;
        }
        if (!draft.hasLines) draft.line = event.line;
        draft.hasLines = true;
        draft.events.push(event);
        break;
      case 'tls':
        if (!draft.closed) draft.events.push(event);
        break;
      case 'closed':
        if (!draft.closed) draft.events.push(event);
        draft.closed = true;
        break;
      default: {
        const never: never = event;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
  }
  finish();
  return sessions;
}
