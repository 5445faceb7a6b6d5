/**
 * Playing ONE test on one accepted client connection (format §9): the engine's life of a test
 * (`runTest`: variables, deadline, Ctrl-C, secrets, xfail, its result) with serve's steps.
 */
import type { Socket } from 'node:net';
import { MAIN_CONNECTION, type ConnectSpec, type Step, type Suite, type Test } from '../kernel/model.js';
import type { EngineEnvironment } from '../engine/context.js';
import type { TestResult } from '../engine/events.js';
import { runTest, testInfo, type TestRunOptions } from '../engine/test-run.js';
import { evaluateTracked } from '../engine/values.js';
import { formatDuration } from '../kernel/duration.js';
import type { CertPair, ServeContext, ServeState } from './context.js';
import { adoptClient, serveSteps } from './steps.js';

export interface PlayOptions extends Omit<TestRunOptions, 'play'> {
  readonly defaultCert: CertPair | undefined;
  readonly acceptAnother: ServeState['acceptAnother'];
}

/** The connection a test is served on: its `connect`, or its first step's. */
export function acceptSpec(test: Test): ConnectSpec | undefined {
  if (test.connect) return test.connect;
  const first = test.steps[0];
  return first?.kind === 'connect' ? first.connect : undefined;
}

export function playTest(suite: Suite, test: Test, socket: Socket, world: EngineEnvironment, options: PlayOptions): Promise<TestResult> {
  const { defaultCert, acceptAnother, ...run } = options;
  return runTest(suite, test, world, {
    ...run,
    play: async (base) => {
      const serve: ServeState = { connections: new Map(), current: undefined, defaultCert, acceptAnother };
      const ctx: ServeContext = Object.assign(base, { serve });
      const spec = acceptSpec(test)!;
      try {
        knowSecretLines(ctx, test.steps);
        await adoptClient(ctx, socket, spec, spec.as ?? MAIN_CONNECTION);
        await serveSteps(test.connect ? test.steps : test.steps.slice(1), ctx);
      } finally {
        socket.destroy();
        for (const live of serve.connections.values()) live.connection.close();
      }
    },
  });
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
        if (line.parts.length === 1 && line.parts[0]!.kind === 'text') continue;
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
