/**
 * `convospec run`: load every file first (nothing connects if any is invalid), select,
 * run, report (format §8).
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { loadSpecs } from '../../loader/load.js';
import { renderDiagnostics } from '../../loader/render.js';
import { fileRedactor } from '../../loader/secrets.js';
import { selectTests } from '../../engine/select.js';
import { runSuites, suiteInfos } from '../../engine/run.js';
import { createReporters, type ReportRequest } from '../../report/registry.js';
import { createDispatcher } from '../../report/dispatch.js';
import { EXIT, UsageError, useColor, type Io } from '../io.js';
import { checkReportPaths, loadModeRefusals, printReportFailures, reporterContext } from '../reports.js';
import { engineWorld, reportInvalidSpecs } from '../specs.js';
import { parseDurationFlag, parsePositiveInt, parseRegexFlag, parseVars } from '../flags.js';
import { shardSuites } from '../../engine/shard.js';
import { parseLoadFlags, parseShardFlag } from '../load-flags.js';

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
  shard?: string;
}

export async function runCommand(paths: string[], flags: RunFlags, io: Io, extraEnv: Record<string, string> = {}): Promise<number> {
  const cliVars = parseVars(flags.var);
  const concurrency = parsePositiveInt('--concurrency', flags.concurrency);
  const defaultTimeoutMs = flags.timeout !== undefined ? parseDurationFlag('--timeout', flags.timeout) : undefined;
  const grep = flags.grep !== undefined ? parseRegexFlag('--grep', flags.grep) : undefined;
  const load = parseLoadFlags(flags, loadModeRefusals(flags.reports));
  const shard = parseShardFlag(flags.shard);
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

  const loaded = await loadSpecs(paths, { cwd: io.cwd, vars: cliVars, env });
  const context = reporterContext(io, color, Boolean(flags.verbose));
  // Each file's literal secrets hide its own values, never paths or keys (docs/format.md §7).
  const redact = fileRedactor(loaded.secretLiteralsByFile, loaded.sources.keys());
  // Warnings do not stop the run (docs/format.md §7: short secrets).
  if (loaded.warnings.length > 0) io.stderr.write(`${renderDiagnostics(loaded.warnings, loaded.sources, { color, redact })}\n`);

  // The console reporter prints them (stderr), file reporters write them (format §8); in
  // load mode too, as nothing ran.
  if (loaded.diagnostics.length > 0) return reportInvalidSpecs(loaded.diagnostics, loaded, redact, flags.reports, context, io);

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

  const world = engineWorld(io, {
    env,
    cliVars,
    insecure: Boolean(flags.insecure),
    extraCa,
    ...(servername !== undefined ? { servername } : {}),
    ...(defaultTimeoutMs !== undefined ? { defaultTimeoutMs } : {}),
  });
  if (load) {
    const { loadCommand } = await import('./loadtest.js');
    return loadCommand({ suites, world, limits: load, concurrency, ...(shard ? { shard } : {}), reports: flags.reports, io, color, redact });
  }
  const reporters = await createReporters(flags.reports, 'run', context);
  const reports = createDispatcher(reporters);
  const { summary } = await runSuites(suites, world, {
    concurrency,
    bail: Boolean(flags.bail),
    signal: io.signal,
    liveTranscripts: reporters.some((r) => r.onTranscript !== undefined),
  }, reports.emit);
  printReportFailures(reports.failures(), io);
  if (summary.interrupted) return EXIT.interrupted;
  if (reports.failures().length > 0) return EXIT.invalid;
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
