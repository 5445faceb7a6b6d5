/**
 * What a report keeps of one reply: at most `REPLY_CAP_CHARS` characters. A reply here is
 * what the server sent between two things we did (a run of `s:` lines of one connection in
 * the transcript), so a 4 MB FETCH keeps its first 64 Ki characters and a line saying how
 * much was left out, in the console, JUnit, JSON and transcript files alike. The same cap
 * applies to a failure's `actual`.
 */
import type { Failure, TestResult, TranscriptEntry } from '../engine/events.js';

export const REPLY_CAP_CHARS = 64 * 1024;

const count = (n: number): string => n.toLocaleString('en-US');

function leftOut(lines: number, chars: number): string {
  const where = lines === 1 ? '1 line' : `${count(lines)} lines`;
  return `… ${count(chars)} more characters of this reply left out (${where}; a report keeps ${count(REPLY_CAP_CHARS)} per reply)`;
}

/** Where a capped reply stands: characters kept so far, and what was left out. */
interface ReplyBudget {
  used: number;
  droppedLines: number;
  droppedChars: number;
  last: TranscriptEntry | undefined;
}

const freshBudget = (): ReplyBudget => ({ used: 0, droppedLines: 0, droppedChars: 0, last: undefined });

/** The entries with every reply over the cap cut at it, and a note of what was cut. */
export function capTranscript(entries: readonly TranscriptEntry[]): readonly TranscriptEntry[] {
  if (entries.reduce((n, e) => n + e.text.length, 0) <= REPLY_CAP_CHARS) return entries;
  const kept: TranscriptEntry[] = [];
  let budget = freshBudget();
  const endReply = (): void => {
    const { last } = budget;
    if (last !== undefined) {
      const text = leftOut(budget.droppedLines, budget.droppedChars);
      kept.push({ dir: 'info', text, atMs: last.atMs, ...(last.connection !== undefined ? { connection: last.connection } : {}) });
    }
    budget = freshBudget();
  };
  entries.forEach((entry, i) => {
    const previous = entries[i - 1];
    if (!(entry.dir === 's' && previous?.dir === 's' && previous.connection === entry.connection)) endReply();
    if (entry.dir !== 's' || budget.used + entry.text.length <= REPLY_CAP_CHARS) {
      if (entry.dir === 's') budget.used += entry.text.length;
      kept.push(entry);
      return;
    }
    // Over the cap: the part that fits is kept, the rest counted.
    const room = REPLY_CAP_CHARS - budget.used;
    if (room > 0) kept.push({ ...entry, text: entry.text.slice(0, room) });
    budget.used = REPLY_CAP_CHARS;
    budget.droppedLines += 1;
    budget.droppedChars += entry.text.length - room;
    budget.last = entry;
  });
  endReply();
  return kept;
}

function capText(text: string): string {
  if (text.length <= REPLY_CAP_CHARS) return text;
  const lines = text.slice(REPLY_CAP_CHARS).split('\n').length;
  return `${text.slice(0, REPLY_CAP_CHARS)}\n${leftOut(lines, text.length - REPLY_CAP_CHARS)}`;
}

function capFailure(failure: Failure): Failure {
  return {
    ...failure,
    message: capText(failure.message),
    ...(failure.expected !== undefined ? { expected: capText(failure.expected) } : {}),
    ...(failure.actual !== undefined ? { actual: capText(failure.actual) } : {}),
  };
}

/** The result as reports show it: each reply, and the failure's texts, within the cap. */
export function capResult(result: TestResult): TestResult {
  return {
    ...result,
    transcript: capTranscript(result.transcript),
    ...(result.failure !== undefined ? { failure: capFailure(result.failure) } : {}),
  };
}
