/**
 * `convospec run`: load every file first (nothing connects if any is invalid), select,
 * run, report (spec §8).
 */
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { loadSpecs } from '../../spec/load.js';
import { readBounded } from '../../spec/bounded-file.js';
import { renderDiagnostics, secretRedactor } from '../../spec/render.js';
import { selectTests } from '../../engine/select.js';
import { runSuites, suiteInfos } from '../../engine/run.js';
import type { EngineEnvironment } from '../../engine/context.js';
import type { InvalidFile, RunEvent } from '../../engine/events.js';
import type { Diagnostic } from '../../spec/diagnostic.js';
import { openConnection } from '../../transport/index.js';
import { RegexCache } from '../../template/index.js';
import { REPORTERS } from '../../report/registry.js';
import type { Reporter, ReporterContext } from '../../report/types.js';
import { dispatchEvent } from '../../report/dispatch.js';
import { EXIT, UsageError, useColor, type Io } from '../io.js';
import { parseDurationFlag, parsePositiveInt, parseRegexFlag, parseVars } from '../flags.js';
import { shardSuites } from '../../engine/shard.js';
import { parseLoadFlags, parseShardFlag } from '../../load/flags.js';

export interface RunFlags {
  junit?: string;
  json?: string;
  transcripts?: string;
  var: string[];
  envFile?: string;
  grep?: string;
  tag: string[];
  list?: boolean;
  timeout?: string;
  concurrency: string;
  bail?: boolean;
  insecure?: boolean;
  ca: string[];
  verbose?: boolean;
  color?: boolean;
  repeat?: string;
  duration?: string;
  rate?: string;
  shard?: string;
}

export async function runCommand(paths: string[], flags: RunFlags, io: Io, extraEnv: Record<string, string> = {}): Promise<number> {
  const cliVars = parseVars(flags.var);
  const concurrency = parsePositiveInt('--concurrency', flags.concurrency);
  const defaultTimeoutMs = flags.timeout !== undefined ? parseDurationFlag('--timeout', flags.timeout) : undefined;
  const grep = flags.grep !== undefined ? parseRegexFlag('--grep', flags.grep) : undefined;
  const load = parseLoadFlags(flags);
  const shard = parseShardFlag(flags.shard);
  const env = { ...(await readEnvFile(flags.envFile, io)), ...io.env, ...extraEnv };
  const extraCa = await Promise.all(
    flags.ca.map((file) =>
      readFile(resolve(io.cwd, file)).catch((error: unknown) => {
        throw new UsageError(`--ca: cannot read ${file}: ${(error as Error).message}`);
      }),
    ),
  );
  const color = flags.color ?? useColor(io);

  const loaded = await loadSpecs(paths, { cwd: io.cwd, vars: cliVars, env });
  const reporters = await createReporters(flags, io, color);
  const redact = secretRedactor(loaded.secretLiterals ?? []);

  if (loaded.diagnostics.length > 0) {
    const byFile = new Map<string, Diagnostic[]>();
    for (const d of loaded.diagnostics) {
      const safe: Diagnostic = { ...d, message: redact(d.message), ...(d.hint !== undefined ? { hint: redact(d.hint) } : {}) };
      byFile.set(d.span.file, [...(byFile.get(d.span.file) ?? []), safe]);
    }
    const invalid: InvalidFile[] = [...byFile].map(([file, diagnostics]) => ({
      file,
      diagnostics,
      rendered: redact(renderDiagnostics(diagnostics, loaded.sources, { color: false, redact })),
    }));
    // The console reporter prints them (stderr), file reporters write them (spec §8).
    for (const r of reporters) await r.onInvalidSpecs?.(invalid);
    return EXIT.invalid;
  }

  let suites = selectTests(loaded.suites, { ...(grep ? { grep } : {}), tags: flags.tag });
  if (suites.length === 0) {
    io.stderr.write(loaded.suites.length ? 'convospec: no test matched --grep/--tag\n' : `convospec: no spec found in ${paths.join(', ')}\n`);
    return EXIT.invalid;
  }
  if (shard) {
    suites = shardSuites(suites, shard);
    // More shards than tests is no error: a CI matrix may be wider than a small suite.
    if (suites.length === 0) io.stderr.write(`convospec: shard ${shard.index}/${shard.count} holds no test\n`);
  }
  if (flags.list) {
    for (const s of suiteInfos(suites)) for (const t of s.tests) io.stdout.write(`${t.file}:${t.span.line}: ${s.name} › ${t.name}\n`);
    return EXIT.ok;
  }

  const world: EngineEnvironment = {
    env,
    cliVars,
    clock: { now: () => performance.now() },
    now: io.now,
    randomBytes: (n) => randomBytes(n),
    sleep: (ms, signal) => delay(ms, undefined, { signal }),
    readFile: (path, kind) => readBounded(path, kind),
    openConnection,
    regexCache: new RegexCache(),
    insecure: Boolean(flags.insecure),
    extraCa,
    ...(defaultTimeoutMs !== undefined ? { defaultTimeoutMs } : {}),
  };
  if (load) {
    const { loadCommand } = await import('../../load/command.js');
    return loadCommand({ suites, world, limits: load, concurrency, ...(shard ? { shard } : {}), junit: flags.junit, json: flags.json, io, color, redact });
  }
  const emit = dispatcher(reporters);
  const { summary } = await runSuites(suites, world, {
    concurrency,
    bail: Boolean(flags.bail),
    signal: io.signal,
    liveTranscripts: Boolean(flags.verbose),
  }, emit);
  if (summary.interrupted) return EXIT.interrupted;
  return summary.failed + summary.errored > 0 ? EXIT.failed : EXIT.ok;
}

async function readEnvFile(file: string | undefined, io: Io): Promise<Record<string, string>> {
  if (file === undefined) return {};
  try {
    return parseEnv(await readFile(resolve(io.cwd, file), 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new UsageError(`--env-file: cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Reporters are imported only when asked for (start-up stays fast). */
async function createReporters(flags: RunFlags, io: Io, color: boolean): Promise<Reporter[]> {
  const base: Omit<ReporterContext, 'outputPath'> = {
    cwd: io.cwd,
    stdout: io.stdout,
    stderr: io.stderr,
    color,
    isTTY: io.isTTY,
    verbose: Boolean(flags.verbose),
    now: io.now,
  };
  const wanted: [string, string | undefined][] = [
    ['console', undefined],
    ['junit', flags.junit],
    ['json', flags.json],
    ['transcripts', flags.transcripts],
  ];
  const reporters: Reporter[] = [];
  for (const [name, output] of wanted) {
    if (name !== 'console' && output === undefined) continue;
    const factory = await REPORTERS[name]!();
    reporters.push(factory({ ...base, ...(output !== undefined ? { outputPath: resolve(io.cwd, output) } : {}) }));
  }
  return reporters;
}

/** Each reporter sees events in order; a slow file reporter never reorders the console. */
function dispatcher(reporters: readonly Reporter[]): (event: RunEvent) => Promise<void> {
  let chain = Promise.resolve();
  return (event) => {
    chain = chain.then(async () => {
      for (const r of reporters) await dispatchEvent(r, event);
    });
    return chain;
  };
}
