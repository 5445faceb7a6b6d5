/**
 * The typed event stream between the engine and reporters. The engine knows no reporter;
 * reporters only read these. Everything in an event is already redacted (secrets → `***`)
 * and printable: the engine escapes bytes before they leave it (format §4, §7).
 */
import type { Span } from '../kernel/span.js';
import type { Diagnostic } from '../kernel/diagnostic.js';
import type { ProtocolName } from '../kernel/model.js';

export interface SuiteInfo {
  readonly file: string;
  readonly name: string;
  readonly tests: readonly TestInfo[];
}

export interface TestInfo {
  readonly file: string;
  readonly suite: string;
  readonly name: string;
  readonly span: Span;
  readonly tags: readonly string[];
}

export type TranscriptDirection = 'c' | 's' | 'tls' | 'info';

export interface TranscriptEntry {
  /** `c` what we sent, `s` what came, `tls` a handshake, `info` connect/close notes. */
  readonly dir: TranscriptDirection;
  /** One line, redacted and escaped (`\xHH` for control and invalid bytes). */
  readonly text: string;
  /** Milliseconds since the test started. */
  readonly atMs: number;
  /** Connection name when a test uses more than one. */
  readonly connection?: string;
}

/**
 * Failure kinds. `error` is on our side (unreadable CA file, an unset env variable at run
 * time, an internal bug): JUnit `<error>`. All others are the server's doing: `<failure>`.
 */
export type FailureKind =
  | 'mismatch'
  | 'timeout'
  | 'closed'
  | 'reset'
  | 'refused'
  | 'unreachable'
  | 'limit'
  | 'tls'
  | 'deadline'
  | 'interrupted'
  | 'error';

export interface Failure {
  readonly kind: FailureKind;
  /** One sentence a mail admin understands, e.g. `expected reply code 235, got 535`. */
  readonly message: string;
  /** Where: the failing step (or matcher key), and the `include` steps that led there, innermost first. */
  readonly span: Span;
  readonly includedFrom: readonly Span[];
  /** The step's `name:` if it has one. */
  readonly stepName?: string;
  /** Human-readable expected / actual, when there is such a pair. */
  readonly expected?: string;
  readonly actual?: string;
  /** A reply that did not match its `s:` step, for `run --update` (format §11). */
  readonly received?: ReceivedReply;
}

/**
 * A reply that did not match: where its `s:` step stands, and what came, in pieces. A
 * variable's value stands as its name: every secret one, and the others the matcher used.
 * It holds no secret value; its text is as it came (not escaped): for writing into a spec
 * (`run --update`), not for showing.
 */
export interface ReceivedReply {
  /** The `s:` step, from its key to the end of its value. */
  readonly step: Span;
  /** The value of `s:`. */
  readonly matcher: Span;
  readonly protocol: ProtocolName;
  /** Each line of the reply as text and variables, in order. */
  readonly lines: readonly (readonly ReplyPiece[])[];
  /** The reply holds a secret that is no variable's whole value (shown `***` in the text). */
  readonly unnamedSecret?: true;
  /** It failed on a turn of a `repeat` after the first: the earlier turns passed. */
  readonly laterTurn?: true;
}

/** Text as it came, or a variable (or `env.NAME`) whose value came there. */
export type ReplyPiece = string | { readonly variable: string };

/** `xfailed`: a test marked `xfail` that failed, as known (its failure is kept); not a failure of the run. */
export type TestStatus = 'passed' | 'failed' | 'errored' | 'skipped' | 'xfailed';

export interface TestResult {
  readonly test: TestInfo;
  readonly status: TestStatus;
  readonly durationMs: number;
  readonly failure?: Failure;
  readonly skipReason?: string;
  /** The test's `xfail` reason (status `xfailed`, or `failed` when it passed). */
  readonly xfail?: string;
  readonly transcript: readonly TranscriptEntry[];
  /** Load mode: how many times it ran, and how many failed. */
  readonly runs?: number;
  readonly failedRuns?: number;
}

export interface RunSummary {
  readonly passed: number;
  readonly failed: number;
  readonly errored: number;
  readonly skipped: number;
  /** Tests marked `xfail` that failed as known (absent: none). */
  readonly xfailed?: number;
  readonly durationMs: number;
  readonly interrupted: boolean;
}

export type RunEvent =
  | { readonly type: 'run-start'; readonly suites: readonly SuiteInfo[]; readonly startedAt: Date }
  | { readonly type: 'test-start'; readonly test: TestInfo }
  | { readonly type: 'transcript'; readonly test: TestInfo; readonly entry: TranscriptEntry }
  | { readonly type: 'test-end'; readonly result: TestResult }
  | { readonly type: 'run-end'; readonly results: readonly TestResult[]; readonly summary: RunSummary };

/** Specs that failed to load: `run` stops before connecting, reporters may still write (format §8). */
export interface InvalidFile {
  readonly file: string;
  readonly diagnostics: readonly Diagnostic[];
  /** The diagnostics as `validate` prints them (code frames, no colour), redacted. */
  readonly rendered: string;
}
