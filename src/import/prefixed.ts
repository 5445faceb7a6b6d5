/**
 * Transcripts whose lines say who sent them: `c: EHLO x` / `s: 250 OK`, any case, with or
 * without a space after the colon (as in wikis and RFC examples). Unprefixed lines are
 * telnet chatter, a TLS marker, a shell command, or prose (skipped with a warning).
 */
import { fromChatter, readChatter } from './chatter.js';
import { parseCommand } from './command.js';
import type { Side, TranscriptEvent } from './types.js';
import type { WarningSink } from './warnings.js';

const PREFIX = /^\s*([CcSs]):[ \t]?(.*)$/;

export function isPrefixedLine(text: string): boolean {
  return PREFIX.test(text);
}

export function parsePrefixed(lines: readonly string[], warnings: WarningSink): TranscriptEvent[] {
  const events: TranscriptEvent[] = [];
  lines.forEach((raw, index) => {
    const line = index + 1;
    const m = PREFIX.exec(raw);
    if (m) {
      const side: Side = m[1]?.toLowerCase() === 'c' ? 'client' : 'server';
      const text = m[2] ?? '';
      warnings.used();
      if (fromChatter(readChatter(text), line, events, warnings)) return;
      const target = side === 'client' ? parseCommand(text) : undefined;
      if (target) events.push({ kind: 'connect', line, target });
      else events.push({ kind: 'line', line, side, marked: true, text });
      return;
    }
    if (raw.trim() === '') return;
    if (fromChatter(readChatter(raw), line, events, warnings)) {
      warnings.used();
      return;
    }
    const target = parseCommand(raw);
    if (target) {
      warnings.used();
      events.push({ kind: 'connect', line, target });
      return;
    }
    warnings.skip(line, raw);
  });
  return events;
}
