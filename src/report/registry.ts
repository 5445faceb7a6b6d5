/**
 * Reporters by name: a new reporter is one file and one entry here. The CLI's report flags,
 * the paths it checks before a run, what load mode refuses, and which reporters a run or a
 * load run creates all come from this map. Each entry imports its module only when
 * created, so the CLI never loads a reporter nobody asked for (start-up stays fast).
 */
import { resolve } from 'node:path';
import type { Reporter, ReporterContext, ReporterDef, ReporterFactory, ReporterMap } from './types.js';

export const REPORTERS = Object.freeze({
  /** Results on stdout, diagnostics on stderr; progress on a TTY; `verbose` prints transcripts. */
  console: {
    create: async () => (await import('./console.js')).createConsoleReporter,
    loadMode: 'none',
  },
  /** JUnit XML (format §8); in load mode one test case per test, with its runs. */
  junit: {
    create: async () => (await import('./junit.js')).createJunitReporter,
    flag: { name: '--junit', argument: 'file', help: 'write a JUnit XML report', output: 'file' },
    loadMode: 'events',
  },
  /** Versioned JSON (docs/json-report.md); in load mode with the statistics under `load`. */
  json: {
    create: async () => (await import('./json.js')).createJsonReporter,
    flag: { name: '--json', argument: 'file', help: 'write a JSON report (docs/json-report.md)', output: 'file' },
    loadMode: 'events',
  },
  /** One self-contained page (docs/reports.md): conversations, failures, filters; in load mode, latency plots. */
  html: {
    create: async () => (await import('./html.js')).createHtmlReporter,
    flag: { name: '--html', argument: 'file', help: 'write a self-contained HTML report (docs/reports.md)', output: 'file' },
    loadMode: 'events',
  },
  /** TAP 14: a test point per test, failures with a YAML diagnostic block. */
  tap: {
    create: async () => (await import('./tap.js')).createTapReporter,
    flag: { name: '--tap', argument: 'file', help: 'write a TAP 14 report', output: 'file' },
    loadMode: 'events',
  },
  /** GitHub Actions: `::error` annotations on the failing step's line, a Markdown step summary. */
  github: {
    create: async () => (await import('./github.js')).createGithubReporter,
    flag: { name: '--github', help: 'GitHub Actions annotations and step summary (on by itself when GITHUB_ACTIONS=true)' },
    env: { name: 'GITHUB_ACTIONS', value: 'true' },
    loadMode: 'events',
  },
  /** One transcript file per test, under a folder. */
  transcripts: {
    create: async () => (await import('./transcripts.js')).createTranscriptsReporter,
    flag: { name: '--transcripts', argument: 'dir', help: 'write one transcript file per test', output: 'folder' },
    loadMode: { refused: 'no transcript is kept' },
  },
} as const satisfies ReporterMap);

export type ReporterName = keyof typeof REPORTERS;

/** The factory for `name`, or an error listing the known names. */
export async function loadReporter(name: string, reporters: ReporterMap = REPORTERS): Promise<ReporterFactory> {
  const def = Object.hasOwn(reporters, name) ? reporters[name] : undefined;
  if (def === undefined) {
    throw new Error(`unknown reporter "${name}"; known: ${Object.keys(reporters).join(', ')}`);
  }
  return def.create();
}

export type ReportMode = 'run' | 'load';

/** What a run asked of the reporter map. */
export interface ReportRequest {
  readonly reporters: ReporterMap;
  /** Each file reporter asked for, by name: the path given to its flag (relative to cwd). */
  readonly paths: Readonly<Record<string, string>>;
  /** Reporters without a file turned on, by name: by their switch (`--github`) or the environment. */
  readonly on?: readonly string[];
}

/** Whether `def` takes part in a run of `mode`, with `path` given to its flag (or not), or turned on. */
function wanted(def: ReporterDef, given: string | undefined, on: boolean, mode: ReportMode): boolean {
  if (def.flag !== undefined && given === undefined && !on) return false;
  if (mode === 'run') return true;
  return def.loadMode === 'events';
}

/** The reporters of a run, in map order: those without a flag, those whose path was given, those turned on. */
export async function createReporters(request: ReportRequest, mode: ReportMode, context: Omit<ReporterContext, 'outputPath'>): Promise<Reporter[]> {
  const reporters: Reporter[] = [];
  for (const [name, def] of Object.entries(request.reporters)) {
    const given = Object.hasOwn(request.paths, name) ? request.paths[name] : undefined;
    if (!wanted(def, given, request.on?.includes(name) ?? false, mode)) continue;
    const factory = await def.create();
    reporters.push(factory({ ...context, ...(given !== undefined ? { outputPath: resolve(context.cwd, given) } : {}) }));
  }
  return reporters;
}
