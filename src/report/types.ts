/**
 * Reporters: plugins over the engine's event stream (see `engine/events.ts`).
 * Every hook is optional and may be async; the runner awaits each before the next event
 * of the same reporter. Nothing a reporter gets holds a secret.
 */
import type { Writable } from 'node:stream';
import type { InvalidFile, RunEvent, RunSummary, SuiteInfo, TestInfo, TestResult, TranscriptEntry } from '../engine/events.js';
import type { OutputKind } from './output-file.js';

export interface ReporterContext {
  readonly cwd: string;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Colours on: a TTY and NO_COLOR unset, or forced. Decided by the CLI. */
  readonly color: boolean;
  /** Whether stdout is a TTY (progress lines are drawn only there). */
  readonly isTTY: boolean;
  readonly verbose: boolean;
  /** For file reporters: the path given to their flag (`--junit FILE`), resolved against cwd. */
  readonly outputPath?: string;
  /** `--shard i/n`: which part of the selected tests this run is (the JSON report says it, for `merge`). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** The environment, as the CLI read it (the GitHub reporter's `GITHUB_STEP_SUMMARY`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly now: () => Date;
}

/**
 * Load mode's statistics (docs/load.md), as plain data. They are made in `src/loadtest/`,
 * which reads `src/report/`, so here they are only data to copy (the JSON report's `load`).
 */
export type LoadStatistics = object;

export interface Reporter {
  /** Once, before any test starts; all specs loaded and valid. */
  onRunStart?(suites: readonly SuiteInfo[], startedAt: Date): void | Promise<void>;
  /** A test began (its connection is being opened). Not in load mode. */
  onTestStart?(test: TestInfo): void | Promise<void>;
  /** A line of a test's transcript, as it happens (for `--verbose`). Not in load mode. */
  onTranscript?(test: TestInfo, entry: TranscriptEntry): void | Promise<void>;
  /** A test finished: passed, failed, errored or skipped. Its whole transcript is in the result. Not in load mode. */
  onTestEnd?(result: TestResult): void | Promise<void>;
  /** Load mode only: once, after the last session and before `onRunEnd`. */
  onLoadEnd?(statistics: LoadStatistics): void | Promise<void>;
  /**
   * Once, after every test finished (or the run was interrupted: `summary.interrupted`). Files
   * are written here. In load mode: one result per test, its sessions aggregated (`runs`, `failedRuns`).
   */
  onRunEnd?(results: readonly TestResult[], summary: RunSummary): void | Promise<void>;
  /** Instead of all the above, when specs failed to load: nothing ran (format §8). */
  onInvalidSpecs?(files: readonly InvalidFile[]): void | Promise<void>;
}

export type ReporterFactory = (context: ReporterContext) => Reporter;

/**
 * Everything a reporter can be told: the engine's events, and the two the CLI adds. A load
 * run sends `run-start`, `load-end`, `run-end`; a run whose specs did not load, `invalid-specs` alone.
 */
export type ReportEvent =
  | RunEvent
  | { readonly type: 'load-end'; readonly statistics: LoadStatistics }
  | { readonly type: 'invalid-specs'; readonly files: readonly InvalidFile[] };

/** The command-line flag that turns a file reporter on: `--junit <file>`. */
export interface ReportFileFlag {
  readonly name: `--${string}`;
  /** The argument's name in `--help`: `file`, `dir`. */
  readonly argument: string;
  readonly help: string;
  /** What the path names; checked before the run (output-file.ts `checkOutputPath`). */
  readonly output: OutputKind;
}

/** A flag without an argument that turns a reporter on: `--github`. */
export interface ReportSwitch {
  readonly name: `--${string}`;
  readonly help: string;
  readonly argument?: undefined;
  readonly output?: undefined;
}

export type ReportFlag = ReportFileFlag | ReportSwitch;

/**
 * What a reporter does in load mode:
 * - `events`: created as in a run, it gets the load run's events (see `ReportEvent`);
 * - `none`: not created (the console: the load command draws its own statistics table);
 * - `refused`: its flag with `--repeat`/`--duration` is a usage error, `<flag> does not
 *   apply to load mode (<refused>)`.
 */
export type LoadModeUse = 'events' | 'none' | { readonly refused: string };

/** One entry of the reporter map (`registry.ts`). */
export interface ReporterDef {
  /** Imports the reporter's module only when it is used (start-up stays fast). */
  readonly create: () => Promise<ReporterFactory>;
  /** The flag that turns it on; without one it is always on. */
  readonly flag?: ReportFlag;
  /** Also on when this environment variable has this value (`GITHUB_ACTIONS=true`); the CLI reads it. */
  readonly env?: { readonly name: string; readonly value: string };
  readonly loadMode: LoadModeUse;
}

/** Reporters by name, in the order they get each event. */
export type ReporterMap = Readonly<Record<string, ReporterDef>>;

export type { RunEvent };
