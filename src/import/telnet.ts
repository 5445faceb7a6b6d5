/**
 * Telnet (or nc, or `openssl s_client`) logs: what the terminal showed.
 *
 * Marking: the lines the user typed may be marked with `> ` or `C: ` (a `>` or `C:` alone is
 * an empty line typed); every other line is then the server's. A log with no marked line
 * at all is read by the protocol's shape instead (a line starting `250 ` or `* ` is the
 * server's, other lines the user's), with a warning.
 *
 * Conversation starts at a `telnet`/`openssl`/`nc` command, telnet's `Trying …`, a marked
 * line or a greeting (`220 `, `* OK`, `+OK`); lines before are prose. After `Connection
 * closed by foreign host.` only a new command starts a conversation again.
 */
import { fromChatter, readChatter } from './chatter.js';
import { hasPrompt, parseCommand } from './command.js';
import { createSClientFilter } from './openssl.js';
import type { ConnectTarget, TranscriptEvent } from './types.js';
import type { WarningSink } from './warnings.js';

const CLIENT_ANGLE = /^>(?: (.*))?$/;
const CLIENT_C = /^[Cc]: ?(.*)$/;
const GREETING = /^(?:\d{3}[ -]|\* (?:OK|PREAUTH|BYE)\b|\+OK\b)/;

export function clientMarked(text: string): string | undefined {
  const m = CLIENT_ANGLE.exec(text) ?? CLIENT_C.exec(text);
  return m ? (m[1] ?? '') : undefined;
}

export function parseTelnet(lines: readonly string[], warnings: WarningSink): TranscriptEvent[] {
  const events: TranscriptEvent[] = [];
  const sClient = createSClientFilter();
  const marked = lines.some((raw) => clientMarked(raw) !== undefined);
  let active = false;
  let closedOnce = false;

  /** s_client output cut before its `---` swallowed what followed: say where it starts. */
  const checkCut = (): void => {
    const start = sClient.unclosed();
    if (start === undefined) return;
    warnings.warn(start, 'openssl s_client\'s output that starts here has no closing "---" line: what follows it, up to the next command, was taken for its report; paste the whole output');
  };
  const connect = (target: ConnectTarget, line: number): void => {
    warnings.used();
    checkCut();
    sClient.command(target.tool === 'openssl');
    events.push({ kind: 'connect', line, target });
    active = true;
  };

  lines.forEach((raw, index) => {
    const line = index + 1;
    const text = raw;
    // A command at a prompt starts a new connection, even where s_client's report was cut short.
    const prompted = hasPrompt(text) ? parseCommand(text) : undefined;
    if (prompted) {
      connect(prompted, line);
      return;
    }
    const kind = sClient.read(text, line);
    switch (kind) {
      case 'noise':
        warnings.used();
        return;
      case 'closed':
        warnings.used();
        events.push({ kind: 'closed', line, by: 'server' });
        active = false;
        closedOnce = true;
        return;
      case 'renegotiating':
        warnings.warn(line, 'openssl s_client took the line starting with "R" as a renegotiation request and did not send it (run it with -nocommands or -ign_eof)');
        return;
      case 'conversation':
        break;
      default: {
        const never: never = kind;
        return never;
      }
    }
    if (text.trim() === '') {
      if (active) events.push({ kind: 'line', line, side: marked ? 'server' : 'unknown', marked: false, text: '' });
      return;
    }
    const chatter = readChatter(text);
    if (fromChatter(chatter, line, events, warnings)) {
      warnings.used();
      if (chatter?.kind === 'closed') {
        active = false;
        closedOnce = true;
      } else if (chatter?.kind === 'connect' || chatter?.kind === 'info') {
        active = true;
      }
      return;
    }
    const target = parseCommand(text);
    if (target) {
      connect(target, line);
      return;
    }
    const typed = marked ? clientMarked(text) : undefined;
    if (!active && !closedOnce && (typed !== undefined || GREETING.test(text))) active = true;
    if (!active) {
      warnings.skip(line, text);
      return;
    }
    warnings.used();
    if (typed !== undefined) events.push({ kind: 'line', line, side: 'client', marked: true, text: typed });
    else events.push({ kind: 'line', line, side: marked ? 'server' : 'unknown', marked: false, text });
  });
  checkCut();
  const first = events.find((e) => e.kind === 'line');
  if (!marked && first) {
    warnings.warn(first.line, 'no line is marked as typed by the client ("> " or "C: "); client and server lines were told apart by the protocol\'s shape');
  }
  return events;
}
