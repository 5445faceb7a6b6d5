/**
 * Running a spec through the real CLI (in-process) with every report asked for, and reading
 * the reports back strictly: the JSON must parse, the JUnit XML must be well-formed XML 1.0
 * (checked by a strict reader), the HTML page must parse with no error (the WHATWG parser), the
 * TAP must read back in a real TAP consumer without a parse error (Perl's TAP::Parser, where
 * installed), whatever bytes the server sent.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { workspace, type CliRun, type Workspace } from '../helpers/cli.js';
import { lineOf } from '../helpers/source.js';
import { goodPeer, type Peer } from './peers.js';

export { lineOf };
import { findAll, parseXml, type XmlElement } from '../report/xml.js';
import type { JsonReport, JsonTest } from '../../src/report/json.js';
import { parsePage } from '../report/html-dom.js';
import { havePerlTap, parseTap, type TapParse } from '../report/tap-consumer.js';

export interface Reports {
  readonly cli: CliRun;
  /** Wall-clock milliseconds of the whole run (a hang guard, never a speed test). */
  readonly elapsedMs: number;
  /** Console output: stdout and stderr together. */
  readonly console: string;
  readonly junitText: string;
  readonly junit: XmlElement;
  readonly jsonText: string;
  readonly json: JsonReport;
  readonly htmlText: string;
  /** Transcript files by name. */
  readonly transcripts: ReadonlyMap<string, string>;
  readonly tapText: string;
  /** As TAP::Parser read it; undefined where Perl's TAP::Parser is not installed. */
  readonly tap: TapParse | undefined;
}

let runs = 0;

/** `convospec run <file> --junit --json --html --transcripts`, reports parsed (fails the test if malformed). */
export async function runWithReports(ws: Workspace, file: string, extra: readonly string[] = []): Promise<Reports> {
  const n = ++runs;
  const out = `out-${n}`;
  const started = Date.now();
  const cli = await ws.run(['run', file, '--junit', `${out}/junit.xml`, '--json', `${out}/report.json`, '--html', `${out}/report.html`, '--tap', `${out}/run.tap`, '--transcripts', `${out}/transcripts`, ...extra]);
  const elapsedMs = Date.now() - started;
  const junitText = await readFile(join(ws.dir, out, 'junit.xml'), 'utf8');
  const jsonText = await readFile(join(ws.dir, out, 'report.json'), 'utf8');
  const htmlText = await readFile(join(ws.dir, out, 'report.html'), 'utf8');
  expect(parsePage(htmlText).errors, 'parse errors in the HTML report').toEqual([]);
  const tapText = await readFile(join(ws.dir, out, 'run.tap'), 'utf8');
  const tap = havePerlTap ? parseTap(tapText) : undefined;
  expect(tap?.errors ?? [], 'TAP parse errors').toEqual([]);
  const transcripts = new Map<string, string>();
  const dir = join(ws.dir, out, 'transcripts');
  for (const name of await readdir(dir, { recursive: true }).catch(() => [] as string[])) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
    if (text !== undefined) transcripts.set(name, text);
  }
  return {
    cli,
    elapsedMs,
    console: cli.stdout + cli.stderr,
    junitText,
    junit: parseXml(junitText),
    jsonText,
    json: JSON.parse(jsonText) as JsonReport,
    htmlText,
    transcripts,
    tapText,
    tap,
  };
}

/** The JSON report's test of this name (fails if missing). */
export function jsonTest(reports: Reports, name: string): JsonTest {
  const test = reports.json.suites.flatMap((s) => s.tests).find((t) => t.name === name);
  expect(test, `test "${name}" in the JSON report`).toBeDefined();
  return test!;
}

/** The JUnit testcase of this name (fails if missing). */
export function junitCase(reports: Reports, name: string): XmlElement {
  const found = findAll(reports.junit, 'testcase').find((c) => c.attrs.name === name);
  expect(found, `testcase "${name}" in the JUnit report`).toBeDefined();
  return found!;
}

/** No raw C0/C1 control characters (tab and line ends aside) in any text a person reads. */
export function expectPrintable(text: string): void {
  const bad = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/.exec(text);
  expect(bad ? `raw ${JSON.stringify(bad[0])} at ${bad.index}: ${JSON.stringify(text.slice(Math.max(0, bad.index - 40), bad.index + 40))}` : 'none').toBe('none');
}

/**
 * The hostile test failed at `line:col` of `file` with a message matching `message`, in the
 * console, the JSON and the JUnit report alike; the good test of the same run passed.
 */
export function expectFailure(
  reports: Reports,
  where: { file: string; line: number; col?: number },
  message: RegExp,
  names: { hostile: string; good?: string } = { hostile: 'hostile', good: 'good' },
): void {
  const t = jsonTest(reports, names.hostile);
  expect(t.status, JSON.stringify(t.failure)).toBe('failed');
  expect(t.failure?.message).toMatch(message);
  expect(t.failure?.line).toBe(where.line);
  if (where.col !== undefined) expect(t.failure?.col).toBe(where.col);
  const location = `${where.file}:${where.line}:${where.col ?? ''}`;
  expect(reports.cli.stdout).toContain(location);
  expect(reports.cli.stdout).toMatch(message);
  const failure = junitCase(reports, names.hostile).children.find((c) => c.name === 'failure');
  expect(failure, 'a JUnit <failure>').toBeDefined();
  expect(`${failure!.attrs.message ?? ''}\n${failure!.text}`).toMatch(message);
  if (reports.tap !== undefined) {
    const point = reports.tap.points.find((p) => p.description.endsWith(` › ${names.hostile}`));
    expect(point?.ok, 'a TAP `not ok`').toBe(false);
    expect(String((point?.yaml as { message?: string } | undefined)?.message)).toMatch(message);
  }
  if (names.good) {
    expect(jsonTest(reports, names.good).status).toBe('passed');
    expect(junitCase(reports, names.good).children.some((c) => c.name === 'failure' || c.name === 'error')).toBe(false);
  }
  expect(reports.cli.code).toBe(1);
  expectPrintable(reports.cli.stdout);
  expectPrintable(reports.cli.stderr);
}


export interface Location {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** Where a matcher's value starts (`s: ` → after it), on the line marked `#fails`. */
export function matcherAt(file: string, text: string, marker = '#fails'): Location {
  const line = lineOf(text, marker);
  const m = /^(\s*- [a-z]+: )/.exec(text.split('\n')[line - 1]!);
  if (!m) throw new Error(`no step on the line marked ${marker}`);
  return { file, line, col: m[1]!.length + 1 };
}

/** Where a step starts (its key, after `- `), or a key such as `connect:`, on the marked line. */
export function keyAt(file: string, text: string, marker: string, key?: string): Location {
  const line = lineOf(text, marker);
  const source = text.split('\n')[line - 1]!;
  const col = key ? source.indexOf(`${key}:`) + 1 : /^\s*- /.exec(source)![0].length + 1;
  return { file, line, col };
}

export interface HostileSetup {
  /** The run's workspace (valid once `beforeAll` ran). */
  ws(): Workspace;
  /** A well-behaved SMTP peer shared by the file: its test must pass beside each hostile one. */
  good(): Peer;
  /** Register a hostile peer so it is closed after the test. */
  start(peer: Promise<Peer>): Promise<Peer>;
}

/** Workspace, a good peer, and hostile peers closed after each test: the hooks every hostile file needs. */
export function hostileSetup(prepare: (ws: Workspace) => Promise<void> = async () => {}): HostileSetup {
  let ws: Workspace | undefined;
  let good: Peer | undefined;
  const peers: Peer[] = [];
  beforeAll(async () => {
    ws = await workspace();
    await prepare(ws);
    good = await goodPeer();
  });
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
  });
  afterAll(async () => {
    await good?.close();
    await ws?.dispose();
  });
  return {
    ws: () => ws!,
    good: () => good!,
    start: async (peer) => {
      const p = await peer;
      peers.push(p);
      return p;
    },
  };
}
