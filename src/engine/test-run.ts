/**
 * Running ONE test: variables, its connection, its steps, and always a result — a failure
 * of the server, an error of ours, or a pass. Tests share nothing with each other.
 */
import { MAIN_CONNECTION, type Step, type Suite, type Test } from '../kernel/model.js';
import { Secrets } from './secrets.js';
import type { Failure, TestInfo, TestResult, TranscriptDirection, TranscriptEntry } from './events.js';
import type { EngineEnvironment, TestContext } from './context.js';
import { StepFailure } from './failure.js';
import { evaluateTracked, setVariable } from './values.js';
import { runSteps } from './steps/index.js';
import { openConnectSpec } from './steps/connection.js';
import type { RunInterrupt } from './interrupt.js';
import { Transcript } from './transcript.js';
import { Advertised } from './capabilities.js';
import { formatDuration } from '../kernel/duration.js';
import { StopToken } from '../transport/index.js';

export interface TestRunOptions {
  /** The run's Ctrl-C (one per run: `new RunInterrupt(signal)`). */
  readonly interrupt: RunInterrupt;
  readonly onTranscript?: (entry: TranscriptEntry) => void;
  /** Load mode: keep no transcript (memory stays flat over thousands of runs). */
  readonly keepTranscript?: boolean;
  /** Load mode: per-step timings. */
  readonly onStep?: (step: Step, ms: number, passed: boolean) => void;
  /**
   * Plays the test's connection and steps instead of connecting to a server and running them
   * (`convospec serve` plays the server's side: src/serve/). Additive.
   */
  readonly play?: (ctx: TestContext) => Promise<void>;
}

export function testInfo(suite: Suite, test: Test): TestInfo {
  return { file: suite.file, suite: suite.name, name: test.name, span: test.span, tags: [...suite.tags, ...test.tags] };
}

/** How long after the deadline the backstop timer fires. */
const DEADLINE_BACKSTOP_MS = 100;

export async function runTest(suite: Suite, test: Test, world: EngineEnvironment, options: TestRunOptions): Promise<TestResult> {
  const info = testInfo(suite, test);
  const startedAt = world.clock.now();
  if (test.skip) {
    return { test: info, status: 'skipped', durationMs: 0, transcript: [], ...(test.skip.reason ? { skipReason: test.skip.reason } : {}) };
  }
  // One stop for Ctrl-C and the deadline. A StopToken, not an AbortController: a load run
  // makes one per session, and needs none of the EventTarget machinery.
  // (Nor `AbortSignal.any` with the run's signal: on Node 20 each call leaves a dependent
  // behind on the long-lived signal, which grew without end over a load run.)
  const stop = new StopToken();
  let deadlineReached = false;
  // Waits end at the deadline themselves and fail at their own step's key; this timer is
  // the backstop for waits without one (sleep, a retry's delay). A little later, so the two
  // never race to report the same deadline at two different places.
  const timer = setTimeout(() => {
    deadlineReached = true;
    stop.stop('deadline');
  }, test.deadlineMs + DEADLINE_BACKSTOP_MS);
  const unwatch = options.interrupt.watch(stop);
  const ctx = createContext(suite, test, world, options, stop, startedAt);
  let failure: Failure | undefined;
  try {
    setVariables(ctx);
    if (options.play) await options.play(ctx);
    else {
      if (test.connect) await openConnectSpec(ctx, test.connect, test.connect.as ?? MAIN_CONNECTION);
      await runSteps(test.steps, ctx);
    }
    if (stop.stopped) failure = abortFailure(ctx, deadlineReached);
  } catch (error) {
    failure = stop.stopped && !(error instanceof StepFailure && error.kind !== 'interrupted')
      ? abortFailure(ctx, deadlineReached)
      : toFailure(error, ctx);
  } finally {
    clearTimeout(timer);
    unwatch();
    for (const live of ctx.connections.values()) live.connection.close();
  }
  const durationMs = world.clock.now() - startedAt;
  const transcript = redactTranscript(ctx.transcript.entries(), ctx.redactor);
  const lacking = ctx.advertised ? lackingCapabilities(ctx.advertised, test, failure) : undefined;
  if (lacking !== undefined && typeof lacking === 'string') return { test: info, status: 'skipped', durationMs, transcript, skipReason: lacking };
  if (lacking !== undefined && failure) failure = { ...failure, message: `${failure.message} (${lacking.note})` };
  const outcome = xfailOutcome(test, failure);
  return {
    test: info,
    status: outcome.status,
    durationMs,
    transcript,
    ...(test.xfail !== undefined ? { xfail: test.xfail } : {}),
    ...(outcome.failure ? { failure: redactFailure(outcome.failure, ctx.redactor) } : {}),
  };
}

/** Failures that are the server's doing (a known failure may be one of them); ours and Ctrl-C are not. */
const SERVER_SIDE = (failure: Failure): boolean => failure.kind !== 'error' && failure.kind !== 'interrupted';

/**
 * A test with `requires`: skipped, with the reason, when the server did not advertise a
 * capability it needs, whether the test passed or failed (format §13); a note for a failure
 * when it advertised none at all. An error on our side stays an error.
 */
function lackingCapabilities(advertised: Advertised, test: Test, failure: Failure | undefined): string | { note: string } | undefined {
  if (!test.requires || (failure && !SERVER_SIDE(failure))) return undefined;
  if (!advertised.seen) {
    if (!failure) return undefined;
    return { note: 'the test read no capability list (EHLO, CAPABILITY, CAPA), so its `requires` could not be checked' };
  }
  const lacking = advertised.lacking(test.requires);
  if (lacking.length === 0) return undefined;
  return `the server does not advertise ${lacking.join(', ')}`;
}

/** `xfail`: a failure of the server is the known one; a pass is a failure of the run. */
function xfailOutcome(test: Test, failure: Failure | undefined): { status: TestResult['status']; failure?: Failure } {
  const plain = !failure ? 'passed' : failure.kind === 'error' ? 'errored' : 'failed';
  if (test.xfail === undefined) return failure ? { status: plain, failure } : { status: plain };
  if (!failure) {
    return { status: 'failed', failure: { kind: 'mismatch', message: `passed but marked xfail: ${test.xfail}`, span: test.span, includedFrom: [] } };
  }
  return { status: SERVER_SIDE(failure) ? 'xfailed' : plain, failure };
}

function createContext(
  suite: Suite,
  test: Test,
  world: EngineEnvironment,
  options: TestRunOptions,
  stop: StopToken,
  startedAt: number,
): TestContext {
  const transcript = new Transcript();
  const redactor = new Secrets();
  const keep = options.keepTranscript ?? true;
  const ctx: TestContext = {
    suite,
    test,
    world,
    vars: new Map(),
    redactor,
    connections: new Map(),
    current: undefined,
    activeSpan: test.span,
    // set(), not the constructor's list of pairs: that one walks iterators, per session.
    dirs: new Map<string, string>().set(suite.file, suite.baseDir),
    stop,
    startedAt,
    deadlineAt: startedAt + test.deadlineMs,
    transcript,
    recording: keep || options.onTranscript !== undefined,
    stepStartedAt: undefined,
    stepsSinceTurn: 0,
    ...(test.requires ? { advertised: new Advertised() } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
    record(dir: TranscriptDirection, raw: string | Buffer) {
      if (!keep && !options.onTranscript) return;
      const entry: TranscriptEntry = {
        dir,
        text: redactor.line(raw),
        atMs: world.clock.now() - startedAt,
        ...(ctx.connections.size > 1 && ctx.current ? { connection: ctx.current.name } : {}),
      };
      if (keep) transcript.push(entry);
      options.onTranscript?.(entry);
    },
  };
  return ctx;
}

/**
 * `--var` beats the test's `matrix` values, which beat its `vars`, which beat the file's;
 * the matrix values are set first, so `vars` may use them, and later vars earlier ones (format §1).
 */
function setVariables(ctx: TestContext): void {
  const cliVars = ctx.world.cliVars;
  for (const [name, text] of Object.entries(cliVars)) setVariable(ctx, name, { text, secret: false });
  const matrix = ctx.test.matrix ?? [];
  for (const def of matrix) if (!Object.hasOwn(cliVars, def.name)) setVariable(ctx, def.name, evaluateTracked(ctx, def.value));
  // The file's, then the test's (each list walked as it is: a load run sets them per session).
  for (const defs of [ctx.suite.vars, ctx.test.vars]) {
    for (const def of defs) {
      if (Object.hasOwn(cliVars, def.name)) continue;
      if (matrix.length > 0 && matrix.some((m) => m.name === def.name)) continue;
      setVariable(ctx, def.name, evaluateTracked(ctx, def.value));
    }
  }
}

function toFailure(error: unknown, ctx: TestContext): Failure {
  if (error instanceof StepFailure) {
    return {
      kind: error.kind,
      message: error.message,
      span: error.span,
      includedFrom: error.includedFrom,
      ...(error.stepName !== undefined ? { stepName: error.stepName } : {}),
      ...(error.detail.expected !== undefined ? { expected: error.detail.expected } : {}),
      ...(error.detail.actual !== undefined ? { actual: error.detail.actual } : {}),
      ...(error.received ? { received: error.laterTurn ? { ...error.received, laterTurn: true as const } : error.received } : {}),
    };
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    kind: 'error',
    message: `internal error in convospec (please report it): ${detail}`,
    span: ctx.activeSpan,
    includedFrom: [],
  };
}

function abortFailure(ctx: TestContext, byDeadline: boolean): Failure {
  return byDeadline
    ? { kind: 'deadline', message: `the test's deadline of ${formatDuration(ctx.test.deadlineMs)} was reached`, span: ctx.activeSpan, includedFrom: [] }
    : { kind: 'interrupted', message: 'interrupted', span: ctx.activeSpan, includedFrom: [] };
}

/** A line recorded before a secret was set or captured may hold it (the server said it first). */
function redactTranscript(entries: TranscriptEntry[], redactor: Secrets): TranscriptEntry[] {
  // Load mode keeps no transcript: nothing to allocate per session.
  if (entries.length === 0) return entries;
  return entries.map((e) => {
    const text = redactor.redact(e.text);
    return text === e.text ? e : { ...e, text };
  });
}

function redactFailure(failure: Failure, redactor: Secrets): Failure {
  return {
    ...failure,
    message: redactor.redact(failure.message),
    ...(failure.expected !== undefined ? { expected: redactor.redact(failure.expected) } : {}),
    ...(failure.actual !== undefined ? { actual: redactor.redact(failure.actual) } : {}),
  };
}
