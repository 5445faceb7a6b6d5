/**
 * `convospec run`: load every file first (nothing connects if any is invalid), select,
 * run, report (format §8).
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { renderDiagnostics } from '../../loader/render.js';
import { selectTests } from '../../engine/select.js';
import { runSuites, suiteInfos } from '../../engine/run.js';
import { loadSpecs } from '../../loader/load.js';
import { loadForRun } from '../../api/load.js';
import { createWorld } from '../../api/world.js';
import { executeRun } from '../../api/execute.js';
import { createReporters, type ReportRequest } from '../../report/registry.js';
import { EXIT, UsageError, useColor, type Io } from '../io.js';
import { checkReportPaths, loadModeRefusals, printReportFailures, reporterContext, reportInvalidSpecs } from '../reports.js';
import { parseDurationFlag, parsePositiveInt, parseRegexFlag, parseVars } from '../flags.js';
import { shardSuites } from '../../engine/shard.js';
import { parseLoadFlags, parseShardFlag, parseThresholdFlags } from '../load-flags.js';

export interface RunFlags {
  /** The report flags given (`--junit FILE`…), by reporter, and the map they come from. */
  reports: ReportRequest;
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
  servername?: string;
  verbose?: boolean;
  color?: boolean;
  repeat?: string;
  duration?: string;
  rate?: string;
  threshold?: string[];
  shard?: string;
  /** Rewrite each `s:` whose reply differed with what came (format §11). */
  update?: boolean;
}

export async function runCommand(paths: string[], flags: RunFlags, io: Io, extraEnv: Record<string, string> = {}): Promise<number> {
  const cliVars = parseVars(flags.var);
  const concurrency = parsePositiveInt('--concurrency', flags.concurrency);
  const defaultTimeoutMs = flags.timeout !== undefined ? parseDurationFlag('--timeout', flags.timeout) : undefined;
  const grep = flags.grep !== undefined ? parseRegexFlag('--grep', flags.grep) : undefined;
  const load = parseLoadFlags(flags, loadModeRefusals(flags.reports));
  const thresholds = parseThresholdFlags(flags.threshold, load !== undefined);
  const shard = parseShardFlag(flags.shard, io.env);
  const env = { ...(await readEnvFile(flags.envFile, io)), ...io.env, ...extraEnv };
  const extraCa = await Promise.all(
    flags.ca.map((file) =>
      readFile(resolve(io.cwd, file)).catch((error: unknown) => {
        throw new UsageError(`--ca: cannot read ${file}: ${(error as Error).message}`);
      }),
    ),
  );
  const servername = parseServername(flags.servername);
  const color = flags.color ?? useColor(io);
  await checkReportPaths(flags.reports, io.cwd);

  const { loaded, redact, invalid } = await loadForRun(paths, { cwd: io.cwd, vars: cliVars, env });
  const context = reporterContext(io, color, Boolean(flags.verbose), shard);
  // Warnings do not stop the run (docs/format.md §7: short secrets).
  if (loaded.warnings.length > 0) io.stderr.write(`${renderDiagnostics(loaded.warnings, loaded.sources, { color, redact })}\n`);

  // The console reporter prints them (stderr), file reporters write them (format §8); in
  // load mode too, as nothing ran.
  if (invalid.length > 0) return reportInvalidSpecs(invalid, flags.reports, context, io);

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

  const world = createWorld({
    env,
    cliVars,
    now: io.now,
    insecure: Boolean(flags.insecure),
    extraCa,
    ...(servername !== undefined ? { servername } : {}),
    ...(defaultTimeoutMs !== undefined ? { defaultTimeoutMs } : {}),
  });
  if (load && flags.update) throw new UsageError('--update does not apply to load mode (--repeat, --duration, --rate)');
  if (load) {
    const { loadCommand } = await import('./loadtest.js');
    return loadCommand({ suites, world, limits: load, concurrency, ...(shard ? { shard } : {}), thresholds, reports: flags.reports, io, color, redact });
  }
  const reporters = await createReporters(flags.reports, 'run', context);
  const options = { concurrency, bail: Boolean(flags.bail), signal: io.signal };
  const { summary, results, reportFailures } = await executeRun(suites, world, options, reporters);
  printReportFailures(reportFailures, io);
  if (summary.interrupted) return EXIT.interrupted;
  if (reportFailures.length > 0) return EXIT.invalid;
  if (flags.update) {
    const { updateAfterRun } = await import('./update.js');
    return updateAfterRun(results, {
      io,
      rerun: async (choose) => {
        const again = await loadSpecs(paths, { cwd: io.cwd, vars: cliVars, env });
        if (again.diagnostics.length > 0) return undefined;
        return (await runSuites(choose(again.suites), world, { ...options, liveTranscripts: false }, () => undefined)).results;
      },
    });
  }
  return summary.failed + summary.errored > 0 ? EXIT.failed : EXIT.ok;
}

/** A host name: no IP address (a certificate is checked against names here), no blanks. */
function parseServername(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const name = text.trim();
  if (!/^[A-Za-z0-9*]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(name) || isIP(name) !== 0) {
    throw new UsageError(`--servername takes a host name such as mail.example.org, got "${text}"`);
  }
  return name;
}

async function readEnvFile(file: string | undefined, io: Io): Promise<Record<string, string>> {
  if (file === undefined) return {};
  try {
    return parseEnv(await readFile(resolve(io.cwd, file), 'utf8')) as Record<string, string>;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    const why = missing ? 'no such file' : (error as Error).message;
    throw new UsageError(`--env-file: cannot read ${file}: ${why}${missing ? ' (a path to a .env file, relative to the working folder)' : ''}`);
  }
}
