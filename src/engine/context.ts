/**
 * The state of one running test: its connections, variables, secrets, transcript and
 * clock. Created per test (tests share nothing), passed to every step runner.
 */
import type { FileKind } from '../loader/bounded-file.js';
import type { ProtocolName, Suite, Test, Limits, Step } from '../kernel/model.js';
import type { Span } from '../kernel/span.js';
import type { Connection, Clock, OpenConnection } from '../transport/types.js';
import type { StopToken } from '../transport/stop.js';
import type { ProtocolSession } from '../protocol/types.js';
import { resolve } from 'node:path';
import type { Scope, Template, Value } from '../template/types.js';
import type { RegexCache } from '../template/index.js';
import type { Secrets } from './secrets.js';
import type { TranscriptDirection } from './events.js';
import type { TimeoutContext } from './failure.js';
import type { Answers } from './answers.js';
import type { Advertised } from './capabilities.js';
import type { Transcript } from './transcript.js';

export interface LiveConnection {
  readonly name: string;
  readonly protocol: ProtocolName;
  readonly eol: string;
  readonly limits: Limits;
  readonly host: string;
  readonly connection: Connection;
  readonly session: ProtocolSession;
  /** Which command each reply answers, and whether it came before that command was written. */
  readonly answers: Answers;
}

/** What the engine needs from the outside world: injected, never global. */
export interface EngineEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `--var NAME=VALUE`: beats the test's and the file's `vars`. */
  readonly cliVars: Readonly<Record<string, string>>;
  readonly clock: Clock;
  readonly now: () => Date;
  readonly randomBytes: (count: number) => Buffer;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** A file a spec names, whole; only a regular file no larger than `FILE_LIMITS[kind]` (else it throws). */
  readonly readFile: (path: string, kind: FileKind) => Promise<Buffer>;
  readonly openConnection: OpenConnection;
  /** `--insecure`: verification off everywhere (still reported as `authorized`). */
  readonly insecure: boolean;
  /** `--ca FILE` contents, added to every handshake's trusted CAs. */
  readonly extraCa: readonly Buffer[];
  /** `--servername NAME`: the name sent (SNI) and verified in every handshake, over the spec's. */
  readonly servername?: string;
  /** Compiled matcher regexes, shared by all tests of a run (bounded). */
  readonly regexCache?: RegexCache;
  /** `--timeout`: overrides every reply timeout that the spec did not set on the step. */
  readonly defaultTimeoutMs?: number;
}

export interface TestContext {
  readonly suite: Suite;
  readonly test: Test;
  readonly world: EngineEnvironment;
  readonly vars: Map<string, Value>;
  /** Every secret value this test has sent or holds; all output goes through it. */
  readonly redactor: Secrets;
  readonly connections: Map<string, LiveConnection>;
  current: LiveConnection | undefined;
  /** The step running now, for failures that come from outside it (deadline, Ctrl-C). */
  activeSpan: Span;
  /**
   * Folder of each file (by its display path, as in spans) that this test's templates come
   * from: a relative path resolves against the file it is WRITTEN in, even when TLS options
   * merged it into a step of a fragment elsewhere.
   */
  readonly dirs: Map<string, string>;
  /** Stopped by Ctrl-C or the test's deadline; `stop.signal` for Node APIs that want one. */
  readonly stop: StopToken;
  readonly startedAt: number;
  readonly deadlineAt: number;
  /** A transcript line: raw text or bytes; redacted, escaped and bounded here. */
  record(dir: TranscriptDirection, raw: string | Buffer): void;
  /** What the server advertised so far, when the test has `requires` (format §1). */
  readonly advertised?: Advertised;
  /** False when `record` keeps nothing (load mode): callers skip building the text. */
  readonly recording: boolean;
  /**
   * Load mode: when the running step began (`runSteps` reads the clock then to time it). A
   * step that starts its wait at once takes its deadline from it (`deadlineFromStepStart`) instead
   * of reading the clock again. Undefined outside load mode.
   */
  stepStartedAt: number | undefined;
  /** Steps (and `repeat` rounds) run since the event loop last had a turn (`steps/turn.ts`). */
  stepsSinceTurn: number;
  /** Load mode: told how long each step took and whether it passed (nested steps too). */
  readonly onStep?: (step: Step, ms: number, passed: boolean) => void;
  /** What the test keeps of its transcript (bounded: `transcript.ts`). */
  readonly transcript: Transcript;
}

/** A path from a template, resolved against the folder of the file the template is written in. */
export function resolvePath(ctx: TestContext, template: Template, path: string): string {
  return resolve(ctx.dirs.get(template.span.file) ?? ctx.suite.baseDir, path);
}

export function scopeOf(ctx: TestContext): Scope {
  return { vars: ctx.vars, env: ctx.world.env, now: ctx.world.now, randomBytes: ctx.world.randomBytes };
}

/** An absolute deadline for a wait of `timeoutMs`, never past the test's deadline. */
export function deadlineFor(ctx: TestContext, timeoutMs: number, now = ctx.world.clock.now()): { at: number; wait: TimeoutContext } {
  const wanted = now + timeoutMs;
  const deadlineBound = ctx.deadlineAt < wanted;
  return {
    at: Math.min(wanted, ctx.deadlineAt),
    wait: { timeoutMs, deadlineBound, deadlineMs: ctx.test.deadlineMs },
  };
}

/**
 * `deadlineFor` from the running step's start when load mode read the clock then: for steps
 * that wait before anything else of theirs can take time (a send, a reply), where the two
 * readings lie microseconds apart: one clock read per step serves both.
 */
export function deadlineFromStepStart(ctx: TestContext, timeoutMs: number): { at: number; wait: TimeoutContext } {
  return deadlineFor(ctx, timeoutMs, ctx.stepStartedAt);
}

/** The step's reply timeout: matcher → step → `--timeout` → test/file default. */
export function stepTimeout(ctx: TestContext, ...own: (number | undefined)[]): number {
  for (const t of own) if (t !== undefined) return t;
  return ctx.world.defaultTimeoutMs ?? ctx.test.timeoutMs;
}
