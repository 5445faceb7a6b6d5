/**
 * A single status line at the bottom of a terminal (`running 40/200…`), redrawn in place.
 * Every other write goes through `print`, which lifts the line, writes, and puts it back,
 * so results scroll above it. Draws nothing unless enabled (stdout is a TTY).
 */
import type { Writable } from 'node:stream';

/** Carriage return, then erase the whole line (ECMA-48 EL, `CSI 2 K`). */
const ERASE = '\r\x1b[2K';

export interface ProgressLine {
  /** Writes `text` (whole lines) above the status line. */
  print(text: string): void;
  /** Sets (or, with `undefined`, removes) the status line. */
  status(text: string | undefined): void;
}

export function createProgressLine(stream: Writable, enabled: boolean): ProgressLine {
  let current: string | undefined;
  return {
    print(text) {
      if (current === undefined) {
        stream.write(text);
      } else {
        stream.write(`${ERASE}${text}${current}`);
      }
    },
    status(text) {
      if (!enabled || text === current) return;
      stream.write(text === undefined ? ERASE : `${ERASE}${text}`);
      current = text;
    },
  };
}
