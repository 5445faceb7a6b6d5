import { quoteLine } from '../protocol/dialect.js';
import type { ImportWarning } from './types.js';

/**
 * Collects warnings. Skipped lines that follow each other (nothing used in between) are
 * reported once per run, so a page of prose around a transcript gives one warning, not fifty.
 */
export interface WarningSink {
  warn(line: number, message: string): void;
  /** A line that is not part of the conversation. */
  skip(line: number, text: string): void;
  /** A line was used: the current run of skipped lines ends. */
  used(): void;
  list(): ImportWarning[];
}

interface SkipRun {
  first: number;
  last: number;
  count: number;
  text: string;
}

export { quoteLine };

export function createWarningSink(): WarningSink {
  const out: ImportWarning[] = [];
  let run: SkipRun | undefined;

  const flush = (): void => {
    if (!run) return;
    const message =
      run.count === 1
        ? `skipped ${quoteLine(run.text)}: not part of the conversation`
        : `skipped ${run.count} lines (${run.first}–${run.last}) that are not part of the conversation, from ${quoteLine(run.text)}`;
    out.push({ line: run.first, message });
    run = undefined;
  };

  return {
    warn(line, message) {
      flush();
      out.push({ line, message });
    },
    skip(line, text) {
      if (run) {
        run.last = line;
        run.count += 1;
      } else {
        run = { first: line, last: line, count: 1, text };
      }
    },
    used() {
      flush();
    },
    list() {
      flush();
      return [...out].sort((a, b) => a.line - b.line);
    },
  };
}
