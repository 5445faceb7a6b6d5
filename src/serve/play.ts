/**
 * Playing ONE test on one accepted client connection (format §9): the engine's test life
 * (variables, deadline, Ctrl-C, secrets, xfail) with serve's steps. Always a result.
 */
import type { Socket } from 'node:net';
import { MAIN_CONNECTION, type ConnectSpec, type Step, type Suite, type Test } from '../kernel/model.js';
import type { EngineEnvironment } from '../engine/context.js';
import type { Failure, TestResult, TranscriptEntry } from '../engine/events.js';
import { StepFailure } from '../engine/failure.js';
import type { RunInterrupt } from '../engine/interrupt.js';
import { createContext, redactFailure, redactTranscript, setVariables, testInfo, toFailure, xfailOutcome } from '../engine/test-run.js';
import { formatDuration } from '../kernel/duration.js';
import { evaluateTracked } from '../engine/values.js';
import { StopToken } from '../transport/index.js';
import type { CertPair, ServeContext, ServeState } from './context.js';
import { adoptClient, serveSteps } from './steps.js';

export interface PlayOptions {
  readonly interrupt: RunInterrupt;
  readonly onTranscript?: (entry: TranscriptEntry) => void;
  readonly keepTranscript?: boolean;
  readonly onStep?: (step: Step, ms: number, passed: boolean) => void;
  readonly defaultCert: CertPair | undefined;
  readonly acceptAnother: ServeState['acceptAnother'];
}

const DEADLINE_BACKSTOP_MS = 100;

/** The connection a test is served on: its `connect`, or its first step's. */
export function acceptSpec(test: Test): ConnectSpec | undefined {
  if (test.connect) return test.connect;
  const first = test.steps[0];
  return first?.kind === 'connect' ? first.connect : undefined;
}

export async function playTest(suite: Suite, test: Test, socket: Socket, world: EngineEnvironment, options: PlayOptions): Promise<TestResult> {
  const info = testInfo(suite, test);
  const startedAt = world.clock.now();
  const stop = new StopToken();
  let deadlineReached = false;
  const timer = setTimeout(() => {
    deadlineReached = true;
    stop.stop('deadline');
  }, test.deadlineMs + DEADLINE_BACKSTOP_MS);
  const unwatch = options.interrupt.watch(stop);
  const base = createContext(suite, test, world, {
    interrupt: options.interrupt,
    ...(options.onTranscript ? { onTranscript: options.onTranscript } : {}),
    ...(options.keepTranscript !== undefined ? { keepTranscript: options.keepTranscript } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
  }, stop, startedAt);
  const serve: ServeState = { connections: new Map(), current: undefined, defaultCert: options.defaultCert, acceptAnother: options.acceptAnother };
  const ctx: ServeContext = Object.assign(base, { serve });
  let failure: Failure | undefined;
  const spec = acceptSpec(test)!;
  try {
    setVariables(ctx);
    knowSecretLines(ctx, test.steps);
    await adoptClient(ctx, socket, spec, test.connect ? (spec.as ?? MAIN_CONNECTION) : (spec.as ?? MAIN_CONNECTION));
    await serveSteps(test.connect ? test.steps : test.steps.slice(1), ctx);
    if (stop.stopped) failure = stopFailure(ctx, deadlineReached);
  } catch (error) {
    failure = stop.stopped && !(error instanceof StepFailure && error.kind !== 'interrupted') ? stopFailure(ctx, deadlineReached) : toFailure(error, ctx);
  } finally {
    clearTimeout(timer);
    unwatch();
    socket.destroy();
    for (const live of serve.connections.values()) live.connection.close();
  }
  const durationMs = world.clock.now() - startedAt;
  const transcript = redactTranscript(ctx.transcript.entries(), ctx.redactor);
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

/**
 * A client may send a secret before the step that expects it (a client that skips STARTTLS
 * sends its AUTH PLAIN where the spec expects STARTTLS): the secret parts of every `c:` line
 * that can be evaluated now are known to the redactor from the start (format §7).
 */
function knowSecretLines(ctx: ServeContext, steps: readonly Step[]): void {
  for (const step of steps) {
    if (step.kind === 'c') {
      for (const line of step.lines) {
        try {
          evaluateTracked(ctx, line);
        } catch {
          // A variable set later (a capture): that line's secret is registered when it runs.
        }
      }
    } else if (step.kind === 'repeat' || step.kind === 'retry') knowSecretLines(ctx, step.steps);
    else if (step.kind === 'include') knowSecretLines(ctx, step.fragment.steps);
  }
}

function stopFailure(ctx: ServeContext, byDeadline: boolean): Failure {
  return byDeadline
    ? { kind: 'deadline', message: `the test's deadline of ${formatDuration(ctx.test.deadlineMs)} was reached`, span: ctx.activeSpan, includedFrom: [] }
    : { kind: 'interrupted', message: 'interrupted', span: ctx.activeSpan, includedFrom: [] };
}

/** A test no client came for within `--accept-timeout`. */
export function unplayedResult(suite: Suite, test: Test, acceptTimeoutMs: number): TestResult {
  const spec = acceptSpec(test);
  return {
    test: testInfo(suite, test),
    status: 'failed',
    durationMs: 0,
    transcript: [],
    failure: {
      kind: 'timeout',
      message: `no client connected within ${formatDuration(acceptTimeoutMs)} (--accept-timeout): the test was not played`,
      span: spec?.span ?? test.span,
      includedFrom: [],
    },
  };
}
