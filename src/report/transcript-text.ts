/** Transcript entries in the format's own words (format §8): `c: …`, `s: …`, `-- tls …`. */
import type { TranscriptDirection, TranscriptEntry } from '../engine/events.js';
import { escapeControl } from './escape.js';

const PREFIX: Record<TranscriptDirection, string> = {
  c: 'c: ',
  s: 's: ',
  tls: '-- tls ',
  info: '-- ',
};

/** One entry as one line, e.g. `c: EHLO client.test` or `[mx2] s: 250 OK`. */
export function formatEntry(entry: TranscriptEntry): string {
  const conn = entry.connection === undefined ? '' : `[${escapeControl(entry.connection)}] `;
  return `${conn}${PREFIX[entry.dir]}${escapeControl(entry.text)}`;
}

export interface TranscriptWindow {
  /** Entries left out before the window. */
  readonly omitted: number;
  readonly entries: readonly TranscriptEntry[];
  /** Index in `entries` where the failing exchange starts (the last `c:` sent); entries from here on are marked. */
  readonly exchangeStart: number;
}

/**
 * The last `size` entries, widened (up to `max`) to reach back to the last `c:` line, so a
 * long multi-line reply does not push out the command it answers.
 */
export function failureWindow(entries: readonly TranscriptEntry[], size = 10, max = 30): TranscriptWindow {
  const lastSent = entries.findLastIndex((e) => e.dir === 'c');
  const defaultStart = Math.max(0, entries.length - size);
  const start = lastSent >= 0 && lastSent < defaultStart ? Math.max(lastSent, entries.length - max) : defaultStart;
  const window = entries.slice(start);
  const exchange = lastSent >= start ? lastSent - start : window.length - 1;
  return { omitted: start, entries: window, exchangeStart: Math.max(0, exchange) };
}
