/**
 * `serveSuites`: the serve stage's one entry (format §9). Listens on every distinct
 * `connect` host:port of the selected tests, plays the next test of a port on each
 * connection it accepts, and emits `run`'s events, so results, reporters and exit codes
 * are `run`'s. I/O only through the environment (`listen`, the engine's world).
 */
import type { Socket } from 'node:net';
import type { ConnectSpec, ProtocolName, Step, Suite, Test } from '../kernel/model.js';
import type { Template } from '../kernel/template.js';
import type { EngineEnvironment } from '../engine/context.js';
import type { TestResult } from '../engine/events.js';
import { RunInterrupt } from '../engine/interrupt.js';
import type { LoadObserver, TestLoadObserver } from '../engine/loadtest.js';
import { summarize, suiteInfos, type Emit, type RunOutcome } from '../engine/run.js';
import { testInfo } from '../engine/test-run.js';
import { evaluate, type Scope } from '../template/index.js';
import { target } from '../transport/tcp.js';
import type { CertPair } from './context.js';
import { acceptSpec, playTest, unplayedResult } from './play.js';
import { ListenError, type Listen, type Listener } from './listen.js';

export interface ServeEnvironment extends EngineEnvironment {
  readonly listen: Listen;
}

export interface ServeOptions {
  /** Play each test this many times (default 1). */
  readonly repeat?: number;
  /** Play the tests again and again until Ctrl-C. */
  readonly loop: boolean;
  /** A listener with tests left and nothing playing ends when no client comes for this long. */
  readonly acceptTimeoutMs: number;
  readonly signal: AbortSignal;
  readonly liveTranscripts: boolean;
  /** The certificate for TLS options without `cert`/`key`. */
  readonly defaultCert?: CertPair;
  /** Called once every listener is bound: `listening on HOST:PORT (smtp)`, one line each. */
  onListening(lines: readonly string[]): void;
  /** Load statistics (`--repeat`): sessions go here instead of per-test events. */
  readonly observer?: LoadObserver;
}

interface Slot {
  readonly suite: Suite;
  readonly test: Test;
  readonly index: number;
  load?: TestLoadObserver;
}

interface Port {
  readonly host: string;
  readonly port: number;
  readonly protocol: ProtocolName;
  readonly slots: Slot[];
  listener?: Listener;
  /** Slots handed out (over all rounds). */
  taken: number;
  playing: number;
  finished: boolean;
  idle?: NodeJS.Timeout;
  /** Tests waiting in a `connect` step for a further connection here. */
  readonly waiting: ((socket: Socket | undefined) => void)[];
}

/** Where a test is served: its `connect` address, with the file's and the test's vars and `--var` known. */
export function listenAddress(suite: Suite, test: Test, spec: ConnectSpec, world: EngineEnvironment): { host: string; port: number } {
  const vars = new Map<string, { text: string; secret: boolean }>();
  for (const [name, text] of Object.entries(world.cliVars)) vars.set(name, { text, secret: false });
  const scope: Scope = { vars, env: world.env, now: world.now, randomBytes: world.randomBytes };
  for (const def of [...(test.matrix ?? []), ...suite.vars, ...test.vars]) {
    if (vars.has(def.name)) continue;
    try {
      vars.set(def.name, evaluate(def.value, scope));
    } catch {
      // A variable the address does not need may fail here (a function of the run); it is evaluated again when the test plays.
    }
  }
  const text = (t: Template): string => evaluate(t, scope).text;
  const host = text(spec.host);
  const portText = text(spec.port);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ListenError(`${spec.port.span.file}:${spec.port.span.line}:${spec.port.span.col}: port must be a number from 0 to 65535, got "${portText}"`);
  }
  return { host, port };
}

/** The `connect` steps of a test (in `repeat` and `retry` too; a fragment's are its own). */
function connectSteps(steps: readonly Step[]): ConnectSpec[] {
  return steps.flatMap((s) => (s.kind === 'connect' ? [s.connect] : s.kind === 'repeat' || s.kind === 'retry' ? connectSteps(s.steps) : []));
}

/** `run`'s outcome, and the most tests played at once (the concurrency the clients chose). */
export interface ServeOutcome extends RunOutcome {
  readonly concurrency: number;
}

export async function serveSuites(suites: readonly Suite[], world: ServeEnvironment, options: ServeOptions, emit: Emit): Promise<ServeOutcome> {
  const startedAt = world.clock.now();
  const ports = new Map<string, Port>();
  const portFor = (suite: Suite, test: Test, spec: ConnectSpec): Port => {
    const { host, port } = listenAddress(suite, test, spec, world);
    const key = target(host, port);
    let entry = ports.get(key);
    if (!entry) {
      entry = { host, port, protocol: spec.protocol, slots: [], taken: 0, playing: 0, finished: false, waiting: [] };
      ports.set(key, entry);
    }
    return entry;
  };
  const slots: (TestResult | undefined)[] = [];
  const results = (): TestResult[] => slots.filter((r): r is TestResult => r !== undefined);
  let index = 0;
  for (const suite of suites) {
    for (const test of suite.tests) {
      const at = index++;
      if (test.skip) {
        slots[at] = { test: testInfo(suite, test), status: 'skipped', durationMs: 0, transcript: [], ...(test.skip.reason ? { skipReason: test.skip.reason } : {}) };
        continue;
      }
      const spec = acceptSpec(test);
      if (!spec) throw new ListenError(`${test.span.file}:${test.span.line}:${test.span.col}: the test "${test.name}" has no \`connect\`: serve does not know where to listen`);
      portFor(suite, test, spec).slots.push({ suite, test, index: at, ...(options.observer ? { load: options.observer.forTest(suite, test) } : {}) });
      // A `connect` step accepts a further connection on its own address: listened on too.
      for (const extra of connectSteps(test.connect ? test.steps : test.steps.slice(1))) portFor(suite, test, extra);
    }
  }
  // Ports only `connect` steps use have no tests of their own: they never hold serve up.
  for (const p of ports.values()) if (p.slots.length === 0) p.finished = true;

  // Every port is bound before any test plays: a port in use stops serve before anything runs.
  const bound: Listener[] = [];
  try {
    for (const p of ports.values()) {
      p.listener = await world.listen(p.host, p.port);
      bound.push(p.listener);
    }
  } catch (error) {
    for (const l of bound) l.close();
    throw error;
  }
  options.onListening([...ports.values()].map((p) => `listening on ${target(p.host, p.listener!.port)} (${p.protocol})`));
  await emit({ type: 'run-start', suites: suiteInfos(suites), startedAt: world.now() });

  const interrupt = new RunInterrupt(options.signal);
  const rounds = options.loop ? Infinity : Math.max(1, options.repeat ?? 1);
  const plays = new Set<Promise<void>>();
  let playingNow = 0;
  let peak = 0;
  let finish: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const total = (p: Port): number => p.slots.length * rounds;
  const checkDone = (): void => {
    if ([...ports.values()].every((p) => p.finished)) finish();
  };
  const end = (p: Port): void => {
    if (p.finished) return;
    p.finished = true;
    if (p.idle) clearTimeout(p.idle);
    checkDone();
  };
  const armIdle = (p: Port): void => {
    if (p.idle) clearTimeout(p.idle);
    p.idle = undefined;
    if (options.loop || p.finished || p.playing > 0 || p.taken >= total(p)) return;
    p.idle = setTimeout(() => {
      // The tests no client came for fail with that reason (format §9), once each.
      for (let i = p.taken; i < total(p); i++) {
        const slot = p.slots[i % p.slots.length]!;
        const result = unplayedResult(slot.suite, slot.test, options.acceptTimeoutMs);
        if (slot.load) slot.load.onSession(result, undefined);
        else if (slots[slot.index] === undefined) {
          slots[slot.index] = result;
          void emit({ type: 'test-end', result });
        }
      }
      end(p);
    }, options.acceptTimeoutMs);
  };
  const onAbort = (): void => {
    for (const p of ports.values()) {
      if (p.idle) clearTimeout(p.idle);
      p.listener?.close();
      for (const w of p.waiting.splice(0)) w(undefined);
    }
    void Promise.all([...plays]).then(finish);
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  // Ctrl-C while the ports were being bound: nothing is played.
  if (options.signal.aborted) onAbort();

  /** The next connection on `p` that no test takes, for a `connect` step; undefined at the deadline. */
  const nextConnection = (p: Port, deadline: number): Promise<Socket | undefined> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        const at = p.waiting.indexOf(give);
        if (at >= 0) p.waiting.splice(at, 1);
        resolve(undefined);
      }, Math.max(0, deadline - world.clock.now()));
      const give = (socket: Socket | undefined): void => {
        clearTimeout(timer);
        resolve(socket);
      };
      p.waiting.push(give);
    });

  for (const p of ports.values()) {
    p.listener!.onConnection((socket) => {
      if (options.signal.aborted) {
        socket.destroy();
        return;
      }
      const waiter = p.waiting.shift();
      if (waiter) {
        waiter(socket);
        return;
      }
      if (p.finished || p.taken >= total(p)) {
        socket.destroy();
        return;
      }
      const slot = p.slots[p.taken % p.slots.length]!;
      p.taken += 1;
      p.playing += 1;
      playingNow += 1;
      peak = Math.max(peak, playingNow);
      armIdle(p);
      const play = async (): Promise<void> => {
        const info = testInfo(slot.suite, slot.test);
        if (!slot.load) await emit({ type: 'test-start', test: info });
        let firstStepAt = -1;
        const sessionStart = world.clock.now();
        const result = await playTest(slot.suite, slot.test, socket, world, {
          interrupt,
          defaultCert: options.defaultCert,
          acceptAnother: (spec, deadline) => nextConnection(portFor(slot.suite, slot.test, spec), deadline),
          ...(slot.load
            ? {
                keepTranscript: false,
                onStep: (step, ms, passed) => {
                  if (firstStepAt < 0) firstStepAt = world.clock.now() - ms;
                  slot.load!.onStep(step, ms, passed);
                },
              }
            : {}),
          ...(!slot.load && options.liveTranscripts ? { onTranscript: (entry) => void emit({ type: 'transcript', test: info, entry }) } : {}),
        });
        p.playing -= 1;
        playingNow -= 1;
        const cut = result.failure?.kind === 'interrupted' && options.signal.aborted;
        if (!cut) {
          if (slot.load) slot.load.onSession(result, firstStepAt >= 0 ? firstStepAt - sessionStart : undefined);
          else {
            // With --loop a test is played again: its latest result stands.
            slots[slot.index] = result;
            await emit({ type: 'test-end', result });
          }
        }
        if (p.taken >= total(p) && p.playing === 0) end(p);
        else armIdle(p);
      };
      const running = play();
      plays.add(running);
      void running.finally(() => plays.delete(running));
    });
    armIdle(p);
  }
  if (ports.size === 0) finish();
  await allDone;
  await Promise.all([...plays]);
  options.signal.removeEventListener('abort', onAbort);
  for (const p of ports.values()) {
    if (p.idle) clearTimeout(p.idle);
    p.listener?.close();
  }
  const list = results();
  const summary = summarize(list, world.clock.now() - startedAt, options.signal.aborted);
  await emit({ type: 'run-end', results: list, summary });
  return { results: list, summary, concurrency: peak };
}
