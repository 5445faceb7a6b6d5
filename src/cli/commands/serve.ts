/**
 * `convospec serve`: play the server side of specs, to test clients (format §9). Loads and
 * checks like `run` (plus serve's own check: every `s:` must be sendable), listens, prints
 * `listening on HOST:PORT (proto)`, and reports with `run`'s reporters and exit codes.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { renderDiagnostics } from '../../loader/render.js';
import { loadForRun } from '../../api/load.js';
import { createWorld } from '../../api/world.js';
import { selectTests } from '../../engine/select.js';
import type { Suite } from '../../kernel/model.js';
import { createReporters, type ReportRequest } from '../../report/registry.js';
import { createDispatcher } from '../../report/dispatch.js';
import { checkServable, ListenError, listenTcp, serveSuites, tlsNeeds, type CertPair, type ServeEnvironment, type ServeOptions } from '../../serve/index.js';
import { createPki } from '../../pki/index.js';
import { EXIT, UsageError, useColor, type Io } from '../io.js';
import { checkReportPaths, printReportFailures, reporterContext, reportInvalidSpecs } from '../reports.js';
import { parseDurationFlag, parsePositiveInt, parseRegexFlag, parseVars } from '../flags.js';

export interface ServeFlags {
  reports: ReportRequest;
  var: string[];
  grep?: string;
  tag: string[];
  timeout?: string;
  verbose?: boolean;
  color?: boolean;
  repeat?: string;
  loop?: boolean;
  acceptTimeout: string;
  caOut?: string;
}

export async function serveCommand(paths: string[], flags: ServeFlags, io: Io): Promise<number> {
  const cliVars = parseVars(flags.var);
  const defaultTimeoutMs = flags.timeout !== undefined ? parseDurationFlag('--timeout', flags.timeout) : undefined;
  const grep = flags.grep !== undefined ? parseRegexFlag('--grep', flags.grep) : undefined;
  const repeat = flags.repeat !== undefined ? parsePositiveInt('--repeat', flags.repeat) : undefined;
  if (repeat !== undefined && flags.loop) throw new UsageError('--repeat and --loop cannot be used together');
  const acceptTimeoutMs = parseDurationFlag('--accept-timeout', flags.acceptTimeout);
  const color = flags.color ?? useColor(io);
  await checkReportPaths(flags.reports, io.cwd);
  const env = io.env;

  const { loaded, redact, invalid } = await loadForRun(paths, { cwd: io.cwd, vars: cliVars, env }, (l) => checkServable(l.suites));
  const context = reporterContext(io, color, Boolean(flags.verbose));
  if (loaded.warnings.length > 0) io.stderr.write(`${renderDiagnostics(loaded.warnings, loaded.sources, { color, redact })}\n`);
  if (invalid.length > 0) return reportInvalidSpecs(invalid, flags.reports, context, io);
  const suites = selectTests(loaded.suites, { ...(grep ? { grep } : {}), tags: flags.tag });
  if (suites.length === 0) {
    io.stderr.write(loaded.suites.length ? 'convospec: no test matched --grep/--tag\n' : `convospec: no spec found in ${paths.join(', ')}\n`);
    return EXIT.invalid;
  }

  const defaultCert = await startupCert(suites, flags.caOut, io);
  const world: ServeEnvironment = {
    ...createWorld({ env, cliVars, now: io.now, insecure: false, extraCa: [], ...(defaultTimeoutMs !== undefined ? { defaultTimeoutMs } : {}) }),
    listen: listenTcp,
  };
  const options: Omit<ServeOptions, 'liveTranscripts'> = {
    loop: Boolean(flags.loop),
    acceptTimeoutMs,
    signal: io.signal,
    ...(defaultCert ? { defaultCert } : {}),
    onListening: (lines) => io.stdout.write(lines.map((l) => `${l}\n`).join('')),
  };
  try {
    if (repeat !== undefined) {
      const { loadCommand } = await import('./loadtest.js');
      return await loadCommand({
        suites,
        world,
        limits: { repeat },
        // Replaced by the most sessions the clients held at once, once they are played.
        concurrency: 1,
        reports: flags.reports,
        io,
        color,
        redact,
        sessions: async (recorder) => {
          const { summary, concurrency } = await serveSuites(suites, world, { ...options, repeat, liveTranscripts: false, observer: recorder }, () => undefined);
          return { sessions: recorder.sessions, durationMs: summary.durationMs, interrupted: summary.interrupted, concurrency };
        },
      });
    }
    const reporters = await createReporters(flags.reports, 'run', context);
    const reports = createDispatcher(reporters);
    const { summary } = await serveSuites(suites, world, { ...options, liveTranscripts: reporters.some((r) => r.onTranscript !== undefined) }, reports.emit);
    printReportFailures(reports.failures(), io);
    if (summary.interrupted) return EXIT.interrupted;
    if (reports.failures().length > 0) return EXIT.invalid;
    return summary.failed + summary.errored > 0 ? EXIT.failed : EXIT.ok;
  } catch (error) {
    if (error instanceof ListenError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The certificate for TLS without `cert`/`key` (format §9): made at start-up by a fresh CA
 * for every literal `servername` of the specs (default `localhost`) and the loopback
 * addresses; the CA's PEM goes to `--ca-out` for the client to trust.
 */
async function startupCert(suites: readonly Suite[], caOut: string | undefined, io: Io): Promise<CertPair | undefined> {
  const needs = tlsNeeds(suites);
  if (!needs.tls && caOut === undefined) return undefined;
  const names = [...new Set(['localhost', ...needs.names])];
  const pki = await createPki({ hosts: names, now: io.now() });
  if (caOut !== undefined) {
    try {
      await writeFile(resolve(io.cwd, caOut), pki.ca.cert);
    } catch (error) {
      throw new UsageError(`--ca-out ${caOut}: cannot write there: ${(error as Error).message}`);
    }
  }
  return { cert: Buffer.from(pki.server.cert), key: Buffer.from(pki.server.key) };
}
