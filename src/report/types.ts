/**
 * Reporters: plugins over the engine's event stream (see `engine/events.ts`).
 * Every hook is optional and may be async; the runner awaits each before the next event
 * of the same reporter. Nothing a reporter gets holds a secret.
 */
import type { Writable } from 'node:stream';
import type { InvalidFile, RunEvent, RunSummary, SuiteInfo, TestInfo, TestResult, TranscriptEntry } from '../engine/events.js';

export interface ReporterContext {
  readonly cwd: string;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Colours on: a TTY and NO_COLOR unset, or forced. Decided by the CLI. */
  readonly color: boolean;
  /** Whether stdout is a TTY (progress lines are drawn only there). */
  readonly isTTY: boolean;
  readonly verbose: boolean;
  /** For file reporters (`--junit FILE`, `--json FILE`, `--transcripts DIR`); resolved against cwd. */
  readonly outputPath?: string;
  readonly now: () => Date;
}

export interface Reporter {
  /** Once, before any test starts; all specs loaded and valid. */
  onRunStart?(suites: readonly SuiteInfo[], startedAt: Date): void | Promise<void>;
  /** A test began (its connection is being opened). */
  onTestStart?(test: TestInfo): void | Promise<void>;
  /** A line of a test's transcript, as it happens (for `--verbose`). */
  onTranscript?(test: TestInfo, entry: TranscriptEntry): void | Promise<void>;
  /** A test finished: passed, failed, errored or skipped. Its whole transcript is in the result. */
  onTestEnd?(result: TestResult): void | Promise<void>;
  /** Once, after every test finished (or the run was interrupted: `summary.interrupted`). Files are written here. */
  onRunEnd?(results: readonly TestResult[], summary: RunSummary): void | Promise<void>;
  /** Instead of all the above, when specs failed to load: nothing ran (format §8). */
  onInvalidSpecs?(files: readonly InvalidFile[]): void | Promise<void>;
}

export type ReporterFactory = (context: ReporterContext) => Reporter;

export type { RunEvent };
