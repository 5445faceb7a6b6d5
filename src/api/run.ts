/**
 * `run()`: `convospec run` as a function. The same stages as the command (load → select →
 * shard → run → report, src/api/load.ts, world.ts, execute.ts), with options instead of
 * flags, results returned instead of an exit code, and nothing read from the process that
 * the caller did not pass: `env` is empty unless given (docs/api.md).
 */
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { Diagnostic } from '../kernel/diagnostic.js';
import type { InvalidFile, RunSummary, TestResult } from '../engine/events.js';
import type { EngineEnvironment } from '../engine/context.js';
import type { Suite } from '../kernel/model.js';
import { selectTests } from '../engine/select.js';
import { parseShard, shardSuites, type Shard } from '../engine/shard.js';
import { createDispatcher } from '../report/dispatch.js';
import { checkOutputPath } from '../report/output-file.js';
import { createReporters, REPORTERS } from '../report/registry.js';
import type { Reporter, ReporterContext, ReporterDef, ReporterMap } from '../report/types.js';
import { eventReporter, type OnEvent } from './events.js';
import { executeRun } from './execute.js';
import { guardReporters, type Guarded } from './guard.js';
import { loadForRun } from './load.js';
import { createWorld } from './world.js';

type Reporters = typeof REPORTERS;
/** The reporters that write a file or a folder (`--junit FILE`…): each takes a path. */
type FileReporterName = { [K in keyof Reporters]: Reporters[K] extends { readonly flag: { readonly argument: string } } ? K : never }[keyof Reporters];
/** The reporters without a file (the console, GitHub's annotations): each is on when `true`. */
type StreamReporterName = Exclude<keyof Reporters, FileReporterName>;

/** The built-in reporters a run writes: `{ junit: 'out/junit.xml', console: true }`. */
export type ReportOptions = { readonly [K in FileReporterName]?: string } & { readonly [K in StreamReporterName]?: boolean };

export interface RunSettings {
  /** Where relative paths (specs, report files) resolve. Default: `process.cwd()`. */
  readonly cwd?: string;
  /** What `${env.NAME}` reads. Default: empty (pass `process.env` to use the process's). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Variables, as `--var NAME=VALUE`: they beat the specs' own `vars`. */
  readonly vars?: Readonly<Record<string, string>>;
  /** Reply wait in milliseconds for steps that set none (`--timeout`). */
  readonly timeout?: number;
  /** Run only tests whose `suite › test` name matches (`--grep`). */
  readonly grep?: RegExp | string;
  /** Run only tests with any of these tags, on the test or its file (`--tag`). */
  readonly tags?: readonly string[];
  /** Tests at once. Default 8. */
  readonly concurrency?: number;
  /** Stop starting tests after the first failure; the rest are skipped. */
  readonly bail?: boolean;
  /** One part of the selected tests: `{ index: 2, count: 4 }` or `'2/4'` (1-based, `--shard`). */
  readonly shard?: Shard | string;
  /** Verify no TLS certificate (`--insecure`). */
  readonly insecure?: boolean;
  /** More CAs to trust in every handshake, as PEM text (`--ca`). */
  readonly ca?: readonly (string | Uint8Array)[];
  /** The TLS server name of every handshake (`--servername`). */
  readonly servername?: string;
  /** Stops the run: running tests end as interrupted, reports are written, `status` is `interrupted`. */
  readonly signal?: AbortSignal;
  /** Every event, in order (see `ConvospecEvent`); awaited before the next. */
  readonly onEvent?: OnEvent;
  /** Built-in reports: file reporters by path, the console and `github` by `true`. Default: none. */
  readonly reports?: ReportOptions;
  /** Reporters of your own (src/report/types.ts `Reporter`), after the built-in ones. */
  readonly reporters?: readonly Reporter[];
  /** Where the console reporter writes. Default: `process.stdout` / `process.stderr`, colours off. */
  readonly output?: ConsoleOutput;
  /** The wall clock for reports' timestamps and `${now()}`. Default: `new Date()`. */
  readonly now?: () => Date;
}

export interface ConsoleOutput {
  readonly stdout?: Writable;
  readonly stderr?: Writable;
  readonly color?: boolean;
  /** Every test's transcript under its result line (`--verbose`). */
  readonly verbose?: boolean;
}

/**
 * `passed`: every test passed (skipped and known `xfail` failures do not count); `failed`: a
 * test failed or errored; `invalid`: specs did not load (`diagnostics`), nothing ran; `empty`:
 * no spec found, or no test selected; `interrupted`: `signal` stopped it.
 */
export type RunStatus = 'passed' | 'failed' | 'invalid' | 'empty' | 'interrupted';

export interface RunResult {
  readonly status: RunStatus;
  /** `status` is `passed` and every report was written. */
  readonly ok: boolean;
  /** What `convospec run` would exit with: 0, 1, 2 or 130. */
  readonly exitCode: 0 | 1 | 2 | 130;
  /** Each test that ran or was skipped, in declaration order. */
  readonly results: readonly TestResult[];
  readonly summary: RunSummary;
  /** Why the specs did not load (`invalid`), secrets as `***`; each names its file:line:col. */
  readonly diagnostics: readonly Diagnostic[];
  /** Warnings of specs that loaded (a short secret…): they do not stop a run. */
  readonly warnings: readonly Diagnostic[];
  /** Reports that could not be written, each a sentence naming the path. */
  readonly reportFailures: readonly string[];
}

const DEFAULT_CONCURRENCY = 8;

export async function run(paths: string | readonly string[], options: RunSettings = {}): Promise<RunResult> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency takes a whole number from 1 up, got ${concurrency}`);
  const cwd = resolve(options.cwd ?? process.cwd());
  const now = options.now ?? ((): Date => new Date());
  const { reporters, thrown } = await reportersOf(options, cwd, now);
  const result = await runWith(paths, options, { cwd, now, concurrency, reporters });
  const hook = thrown();
  if (hook !== undefined) throw hook.thrown;
  return result;
}

async function runWith(
  paths: string | readonly string[],
  options: RunSettings,
  how: { readonly cwd: string; readonly now: () => Date; readonly concurrency: number; readonly reporters: readonly Reporter[] },
): Promise<RunResult> {
  const { reporters, concurrency } = how;
  const plan = await planRun(paths, { ...options, cwd: how.cwd, now: how.now });
  const { warnings } = plan;
  if (plan.invalid.length > 0) {
    const reports = createDispatcher(reporters);
    await reports.emit({ type: 'invalid-specs', files: plan.invalid });
    const diagnostics = plan.invalid.flatMap((f) => f.diagnostics);
    return finish('invalid', [], emptySummary(false), { diagnostics, warnings, reportFailures: reports.failures() });
  }
  if (plan.selected === 0) return finish('empty', [], emptySummary(false), { warnings });
  const signal = options.signal ?? new AbortController().signal;
  const { results, summary, reportFailures } = await executeRun(plan.suites, plan.world, { concurrency, bail: Boolean(options.bail), signal }, reporters);
  const status: RunStatus = summary.interrupted ? 'interrupted' : summary.failed + summary.errored > 0 ? 'failed' : 'passed';
  return finish(status, results, summary, { warnings, reportFailures });
}

/** What a run does before its first test, shared by `run()` and `convospec/vitest`. */
export interface RunPlan {
  /** Files that did not load, diagnostics redacted; when any, nothing may run. */
  readonly invalid: readonly InvalidFile[];
  readonly warnings: readonly Diagnostic[];
  /** Tests selected by `grep` and `tags`, before sharding (0: nothing to run). */
  readonly selected: number;
  /** The selected suites, of this shard. */
  readonly suites: readonly Suite[];
  readonly world: EngineEnvironment;
}

/** Load, select, shard; the engine's world from the options. */
export async function planRun(paths: string | readonly string[], options: RunSettings & { readonly cwd: string; readonly now: () => Date }): Promise<RunPlan> {
  const env = options.env ?? {};
  const vars = options.vars ?? {};
  const shard = typeof options.shard === 'string' ? parseShard(options.shard) : options.shard;
  const grep = typeof options.grep === 'string' ? new RegExp(options.grep) : options.grep;
  const { loaded, invalid } = await loadForRun(typeof paths === 'string' ? [paths] : [...paths], { cwd: options.cwd, vars, env });
  const selected = selectTests(loaded.suites, { ...(grep ? { grep } : {}), tags: options.tags ?? [] });
  const world = createWorld({
    env,
    cliVars: vars,
    now: options.now,
    insecure: Boolean(options.insecure),
    extraCa: (options.ca ?? []).map((pem) => Buffer.from(pem)),
    ...(options.servername !== undefined ? { servername: options.servername } : {}),
    ...(options.timeout !== undefined ? { defaultTimeoutMs: options.timeout } : {}),
  });
  return {
    invalid,
    warnings: loaded.warnings,
    selected: selected.reduce((n, suite) => n + suite.tests.length, 0),
    suites: shard ? shardSuites(selected, shard) : selected,
    world,
  };
}

function finish(
  status: RunStatus,
  results: readonly TestResult[],
  summary: RunSummary,
  rest: { diagnostics?: readonly Diagnostic[]; warnings: readonly Diagnostic[]; reportFailures?: readonly string[] },
): RunResult {
  const reportFailures = rest.reportFailures ?? [];
  const exitCode = status === 'interrupted' ? 130 : status === 'invalid' || status === 'empty' || reportFailures.length > 0 ? 2 : status === 'failed' ? 1 : 0;
  return { status, ok: exitCode === 0, exitCode, results, summary, diagnostics: rest.diagnostics ?? [], warnings: rest.warnings, reportFailures };
}

function emptySummary(interrupted: boolean): RunSummary {
  return { passed: 0, failed: 0, errored: 0, skipped: 0, durationMs: 0, interrupted };
}

/**
 * The built-in reporters asked for (their paths checked before anything runs, as the CLI
 * does), then `onEvent`, then the caller's own, those two guarded (guard.ts): `thrown` says
 * what one of them threw.
 */
async function reportersOf(options: RunSettings, cwd: string, now: () => Date): Promise<{ reporters: Reporter[]; thrown: Guarded['error'] }> {
  const asked: Readonly<Record<string, string | boolean | undefined>> = options.reports ?? {};
  const map: Record<string, ReporterDef> = {};
  const paths: Record<string, string> = {};
  // Switch reporters (`github`): on by `true`, as their flag turns them on.
  const on: string[] = [];
  for (const [name, value] of Object.entries(asked)) {
    const def: ReporterDef | undefined = Object.hasOwn(REPORTERS, name) ? (REPORTERS as ReporterMap)[name] : undefined;
    if (def === undefined) throw new TypeError(`reports: unknown reporter "${name}"; known: ${Object.keys(REPORTERS).join(', ')}`);
    if (value === undefined || value === false) continue;
    if (def.flag?.output !== undefined) {
      if (typeof value !== 'string') throw new TypeError(`reports.${name} takes the path of the ${def.flag.output} to write`);
      const problem = await checkOutputPath(resolve(cwd, value), def.flag.output);
      if (problem !== undefined) throw new Error(`reports.${name} ${value}: cannot write there: ${problem}`);
      paths[name] = value;
    } else if (def.flag !== undefined) {
      if (value !== true) throw new TypeError(`reports.${name} is turned on by \`true\`, not a path`);
      on.push(name);
    }
    map[name] = def;
  }
  // In the map's order, as the CLI creates them.
  const ordered: ReporterMap = Object.fromEntries(Object.entries(REPORTERS).filter(([name]) => Object.hasOwn(map, name)));
  const out = options.output ?? {};
  // The process's streams only for a reporter that writes to streams (the console, GitHub's annotations).
  const streams = Object.values(ordered).some((def) => def.flag?.output === undefined);
  const stdout = out.stdout ?? (streams ? process.stdout : discard());
  const context: Omit<ReporterContext, 'outputPath'> = {
    cwd,
    stdout,
    stderr: out.stderr ?? (streams ? process.stderr : discard()),
    color: Boolean(out.color),
    isTTY: Boolean((stdout as { isTTY?: boolean }).isTTY),
    verbose: Boolean(out.verbose),
    now,
    env: options.env ?? {},
  };
  const builtIn = await createReporters({ reporters: ordered, paths, on }, 'run', context);
  const callers = guardReporters([...(options.onEvent ? [eventReporter(options.onEvent)] : []), ...(options.reporters ?? [])]);
  return { reporters: [...builtIn, ...callers.reporters], thrown: callers.error };
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
