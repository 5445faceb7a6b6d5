/**
 * `convospec run --update` (format §11): every `s:` step that failed because the reply
 * differed is rewritten with what came, in the form `import` writes (exact lines, volatile
 * values as anchored regexes). Pure: the results of a run and the text of the files they
 * name in, new texts out; only the value of each rewritten `s:` changes, every other byte
 * of the file stays as it was. What cannot be rewritten is said, with its reason.
 */
import type { Failure, ReceivedReply, TestInfo, TestResult } from '../engine/events.js';
import type { Span } from '../kernel/span.js';
import { movedLine, rewriteSpec, type LineShift, type Update } from './rewrite.js';

export type { Update };

/** A step's identity across the rounds of one `--update`: `file:line:col` as the file reads now. */
export const stepKey = (span: Span): string => `${span.file}:${span.line}:${span.col}`;

export interface NotUpdated {
  /** Where: the step, or where the test failed. */
  readonly span: Span;
  /** The tests that failed there. */
  readonly tests: readonly TestInfo[];
  readonly reason: string;
}

export interface Updated {
  /** The `s:` step rewritten. */
  readonly span: Span;
  /** The tests that failed there. */
  readonly tests: readonly TestInfo[];
}

export interface UpdateResult {
  /** New text of each file that changed, by its display path. */
  readonly files: ReadonlyMap<string, string>;
  /** Each rewritten `s:` step, where it stands in the new text, in file and line order. */
  readonly updated: readonly Updated[];
  readonly notUpdated: readonly NotUpdated[];
  /** Where a line of a file before is in its new text. */
  moved(file: string, line: number): number;
}

export interface UpdateOptions {
  /** Steps (`stepKey`) rewritten earlier in this `--update`: a second change says the reply varies. */
  readonly rewrittenBefore?: ReadonlySet<string>;
}

/**
 * The rewrites a run's results call for. `texts` holds the text of every file a failure
 * names (`filesToRead` says which); a file not given is reported, not guessed.
 */
export function updateSpecs(results: readonly TestResult[], texts: ReadonlyMap<string, string>, options: UpdateOptions = {}): UpdateResult {
  const { updates, notUpdated } = collect(results, options.rewrittenBefore ?? new Set());
  const shifts = new Map<string, readonly LineShift[]>();
  const files = new Map<string, string>();
  const updated: Updated[] = [];
  const byFile = new Map<string, Update[]>();
  for (const u of updates) byFile.set(u.received.step.file, [...(byFile.get(u.received.step.file) ?? []), u]);
  for (const [file, list] of byFile) {
    const text = texts.get(file);
    if (text === undefined) {
      for (const u of list) notUpdated.push({ span: u.received.step, tests: u.tests, reason: 'the file could not be read' });
      continue;
    }
    const rewritten = rewriteSpec(text, list);
    if (rewritten.text !== text) files.set(file, rewritten.text);
    shifts.set(file, rewritten.shifts);
    const at = (span: Span): Span => {
      const line = movedLine(span.line, rewritten.shifts);
      return { ...span, line, endLine: span.endLine + line - span.line };
    };
    updated.push(...rewritten.updated.map((u) => ({ span: at(u.received.step), tests: u.tests })));
    notUpdated.push(...rewritten.notUpdated.map((n) => ({ span: n.update.received.step, tests: n.update.tests, reason: n.reason })));
  }
  const order = (a: Span, b: Span): number => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col);
  updated.sort((a, b) => order(a.span, b.span));
  notUpdated.sort((a, b) => order(a.span, b.span));
  return { files, updated, notUpdated, moved: (file, line) => movedLine(line, shifts.get(file) ?? []) };
}

/** The files whose text `updateSpecs` needs for these results. */
export function filesToRead(results: readonly TestResult[]): string[] {
  return [...new Set(collect(results, new Set()).updates.map((u) => u.received.step.file))];
}

/** Failures into rewrites, one per step; the rest, and disagreeing runs of a step, with a reason. */
function collect(results: readonly TestResult[], rewrittenBefore: ReadonlySet<string>): { updates: Update[]; notUpdated: NotUpdated[] } {
  const notUpdated: NotUpdated[] = [];
  const byStep = new Map<string, { received: ReceivedReply; failure: Failure; tests: TestInfo[]; differs: boolean }>();
  for (const r of results) {
    // An xfailed test failed as known: its spec says so, and stays as it is.
    if ((r.status !== 'failed' && r.status !== 'errored') || !r.failure) continue;
    const failure = r.failure;
    const why = refusal(failure);
    if (why !== undefined || !failure.received) {
      notUpdated.push({ span: failure.span, tests: [r.test], reason: why ?? failure.message });
      continue;
    }
    const received = failure.received;
    const key = stepKey(received.step);
    if (rewrittenBefore.has(key)) {
      notUpdated.push({ span: received.step, tests: [r.test], reason: VARIES });
      continue;
    }
    const seen = byStep.get(key);
    if (!seen) byStep.set(key, { received, failure, tests: [r.test], differs: false });
    else {
      seen.tests.push(r.test);
      if (JSON.stringify(seen.received.lines) !== JSON.stringify(received.lines)) seen.differs = true;
    }
  }
  const updates: Update[] = [];
  for (const s of byStep.values()) {
    if (s.differs) {
      notUpdated.push({ span: s.received.step, tests: s.tests, reason: 'the step got different replies in different runs (matrix, fragment or tests): not one reply to write' });
    } else updates.push({ received: s.received, failedAt: s.failure.span, tests: s.tests });
  }
  return { updates, notUpdated };
}

const VARIES =
  'rewritten once by this --update, it failed again when run after (in its test, or in another run that shares it: a matrix combination, ' +
  "a fragment's other includer): its reply varies between runs in a way the importer does not recognise; write a regex for it by hand";

/** Why a failure is not rewritten; undefined when it may be. */
function refusal(failure: Failure): string | undefined {
  if (failure.kind !== 'mismatch') return `${failure.message} (only a reply that differs is rewritten)`;
  const received = failure.received;
  if (!received) return `${failure.message} (not a reply that differs from its \`s:\`)`;
  if (received.unnamedSecret) return 'the reply holds a secret that no variable holds whole: it is never written to a file';
  if (received.laterTurn) return 'it failed on a later turn of its `repeat`, after passing on the first: the replies differ from turn to turn';
  return undefined;
}
