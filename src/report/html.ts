/**
 * The HTML report (`--html FILE`): one self-contained page (inline style, script and SVG;
 * nothing fetched, so it opens from a file or a mail attachment) to look at rather than
 * read: the counts, and each test's conversation in two columns, client left and server
 * right, with TLS handshakes marked, the failing exchange outlined and its expected and
 * received replies side by side; status chips filter the tests. In load mode it draws each
 * step's latency by percentile (from the HdrHistogram of the JSON report) and sessions/s
 * over time.
 *
 * The page is drawn from the JSON report's data (json.ts), so whatever has a JSON report can
 * have this page. Every text in it, user-given or not, goes through `esc`, which turns
 * markup characters into character references, and control characters, lone surrogates and
 * noncharacters into `\xHH`: no reply can close an element, open a comment or a script, or
 * make the file invalid. Numbers go through `num`, so even a hand-edited JSON report cannot.
 */
import { createRequire } from 'node:module';
import type { Histogram } from 'hdr-histogram-js';
import type { TranscriptEntry } from '../engine/events.js';
import { formatElapsed } from '../kernel/duration.js';
import { escapeMultiline } from './escape.js';
import { HTML_CSP, HTML_SCRIPT, HTML_STYLE } from './html-assets.js';
import { invalidJsonReport, jsonReport, type JsonFailure, type JsonReport, type JsonTest, type JsonTranscriptEntry } from './json.js';
import { createFileReporter } from './output-file.js';
import { failureWindow } from './transcript-text.js';
import type { ReporterFactory } from './types.js';

export const createHtmlReporter: ReporterFactory = (context) =>
  createFileReporter(context, 'html', {
    run: (output) => htmlReport(jsonReport(output)),
    invalid: (files, cwd, at) => htmlReport(invalidJsonReport(files, cwd, at)),
  });

/** A number for the page; anything else (a hand-edited JSON report) shows as `?`. */
function num(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : '?';
}

/** Noncharacters (U+FDD0…U+FDEF, U+xFFFE, U+xFFFF): a parse error in HTML, though XML and JSON take most of them. */
const NONCHARACTER = /\p{Noncharacter_Code_Point}/gu;

const utf8Hex = (ch: string): string => [...Buffer.from(ch, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');

/**
 * Text for the page: `&<>"'` as character references; control characters, lone surrogates
 * and noncharacters as `\xHH` (their UTF-8 bytes, as every report shows what it must not print).
 */
export function esc(text: string): string {
  return escapeMultiline(text)
    .replace(NONCHARACTER, utf8Hex)
    .replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * Preformatted text. The parser drops a line end right after `<pre>`, so one is written
 * there: a reply that starts with an empty line keeps it.
 */
function pre(text: string): string {
  return `<pre>\n${esc(text)}</pre>`;
}

const STATUSES = ['passed', 'failed', 'errored', 'skipped', 'xfailed'] as const;
type Status = (typeof STATUSES)[number];
const STATUS_COLOR: Record<Status, string> = { passed: '#1a7f37', failed: '#cf222e', errored: '#bc4c00', skipped: '#8c959f', xfailed: '#8250df' };

/** The whole page, from a JSON report. */
export function htmlReport(report: JsonReport): string {
  const { summary } = report;
  const counts: Record<Status, number> = { ...summary, xfailed: summary.xfailed ?? 0 };
  const bad = counts.failed + counts.errored;
  const others = (['skipped', 'xfailed'] as const).filter((s) => counts[s] > 0).map((s) => `, ${num(counts[s])} ${s}`).join('');
  const title = report.invalid.length > 0 ? 'invalid specs' : bad > 0 ? `${num(bad)} of ${num(summary.total)} failed` : `${num(counts.passed)} passed${others}`;
  const tests = report.suites.reduce((n, s) => n + s.tests.length, 0);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="convospec">
<title>convospec: ${esc(title)}</title>
<style>${HTML_STYLE}</style>
</head>
<body>
<header>
<h1>convospec report</h1>
<p class="meta">${esc(String(report.startedAt).replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))} · ${esc(formatElapsed(report.durationMs))} · ${report.suites.length} spec file${report.suites.length === 1 ? '' : 's'}</p>
${summary.interrupted ? '<p class="banner">The run was interrupted (Ctrl-C or a signal): the tests that had not finished are errored, “not finished”.</p>\n' : ''}${statusBar(counts, summary.total)}
${tests > 0 ? filters(counts) : ''}
</header>
${report.invalid.length > 0 ? invalidSection(report) : ''}${report.load !== undefined ? loadSection(report.load as HtmlLoad) : ''}<main>
${report.suites.map((suite) => `<section class="suite">
<h2>${esc(suite.name)}<span class="file">${esc(suite.file)}</span></h2>
${suite.tests.map((test) => testBlock(test, suite.name, suite.file)).join('\n')}
</section>`).join('\n')}
</main>
<footer class="dim"><p>Written by convospec (from its JSON report, version ${num(report.convospec)}).</p></footer>
<script>${HTML_SCRIPT}</script>
</body>
</html>
`;
}

/** Proportions of each status, as one stacked bar. */
function statusBar(counts: Record<Status, number>, total: number): string {
  if (total === 0) return '';
  let x = 0;
  const parts = STATUSES.filter((s) => counts[s] > 0).map((s) => {
    const width = (counts[s] / total) * 1000;
    const rect = `<rect x="${x.toFixed(2)}" y="0" width="${width.toFixed(2)}" height="10" fill="${STATUS_COLOR[s]}"><title>${num(counts[s])} ${s}</title></rect>`;
    x += width;
    return rect;
  });
  return `<svg class="bar" viewBox="0 0 1000 10" preserveAspectRatio="none" role="img" aria-label="results">${parts.join('')}</svg>`;
}

function filters(counts: Record<Status, number>): string {
  const chips = STATUSES.filter((s) => s !== 'xfailed' || counts.xfailed > 0).map(
    (s) => `<button type="button" class="chip ${s}" data-filter="${s}" aria-pressed="true"><b>${num(counts[s])}</b>${s}</button>`,
  );
  return `<div class="filters">${chips.join('')}
<input type="search" id="search" placeholder="filter by name, file or tag" aria-label="filter tests">
<button type="button" class="tool" data-open="all">expand all</button><button type="button" class="tool" data-open="none">collapse all</button>
<span id="shown"></span></div>`;
}

function testBlock(test: JsonTest, suite: string, file: string): string {
  const open = test.status === 'failed' || test.status === 'errored';
  const search = [suite, test.name, file, ...test.tags].join(' ');
  const runs = test.runs !== undefined ? `<span class="where">${num(test.runs)} runs, ${num(test.failedRuns ?? 0)} failed</span>` : '';
  return `<details class="test" data-status="${esc(test.status)}" data-search="${esc(search)}"${open ? ' open' : ''}>
<summary><span class="badge ${esc(test.status)}">${esc(test.status)}</span><span class="name">${esc(test.name)}</span><span class="where">${esc(file)}:${num(test.line)}</span>${test.tags.map((t) => `<span class="tag">${esc(t)}</span>`).join('')}${runs}${test.skipReason !== undefined ? `<span class="reason">${esc(test.skipReason)}</span>` : ''}<span class="time">${esc(formatElapsed(test.durationMs))}</span></summary>
<div class="body">
${test.xfail !== undefined ? `<p class="dim">xfail: ${esc(test.xfail)}</p>` : ''}${test.failure !== undefined ? failureBlock(test.failure) : ''}${conversation(test)}
</div>
</details>`;
}

function location(place: { file: string; line: number; col: number }): string {
  return `${esc(place.file)}:${num(place.line)}:${num(place.col)}`;
}

function failureBlock(failure: JsonFailure): string {
  const via = failure.includedFrom.map((s) => `<br><span class="dim">included from ${location(s)}</span>`).join('');
  return `<div class="failure"><span class="msg">${esc(failure.message)}</span><br><span class="mono">${esc(failure.kind)} at ${location(failure)}</span>${failure.stepName !== undefined ? ` <span class="dim">(step “${esc(failure.stepName)}”)</span>` : ''}${via}</div>`;
}

/** Entries of one side in a row (a multi-line reply, pipelined commands): one bubble. */
interface Turn {
  readonly dir: JsonTranscriptEntry['dir'];
  readonly connection?: string;
  readonly atMs: number;
  readonly lines: string[];
  /** Part of the failing exchange (from the last `c:` on). */
  readonly failing: boolean;
}

function turns(test: JsonTest): Turn[] {
  const entries = test.transcript;
  const failing = test.failure !== undefined && test.status !== 'skipped';
  const exchange = failing ? failureWindow(entries as readonly TranscriptEntry[], entries.length, entries.length).exchangeStart : entries.length;
  const out: Turn[] = [];
  entries.forEach((entry, i) => {
    const last = out.at(-1);
    const inExchange = i >= exchange;
    const joins = last !== undefined && (entry.dir === 'c' || entry.dir === 's') && last.dir === entry.dir && last.connection === entry.connection && last.failing === inExchange;
    if (joins) last.lines.push(entry.text);
    else out.push({ dir: entry.dir, ...(entry.connection !== undefined ? { connection: entry.connection } : {}), atMs: entry.atMs, lines: [entry.text], failing: inExchange });
  });
  return out;
}

/** A padlock, drawn (an emoji needs a font the reader may not have). */
const LOCK = '<svg class="lock" width="11" height="13" viewBox="0 0 11 13" aria-hidden="true"><path d="M2.5 6V4a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" stroke-width="1.6"/><rect x="0.5" y="6" width="10" height="7" rx="1.5" fill="currentColor"/></svg>';

/** The transcript as a two-column exchange, the failure's expected and received at its end. */
function conversation(test: JsonTest): string {
  if (test.transcript.length === 0) {
    return test.runs !== undefined ? '<p class="dim">No transcript in load mode: see the load statistics above.</p>' : '';
  }
  const rows = turns(test).map((turn) => {
    const at = `<span class="at">${esc(formatMs(turn.atMs))}</span>`;
    const conn = turn.connection !== undefined ? `<span class="conn">[${esc(turn.connection)}]</span>` : '';
    if (turn.dir === 'c' || turn.dir === 's') {
      return `<li class="row ${turn.dir}${turn.failing ? ' x' : ''}">${at}<div class="bubble">${conn}${pre(turn.lines.join('\n'))}</div></li>`;
    }
    const text = turn.lines.join(' ');
    return `<li class="row ${esc(turn.dir)}">${at}<div class="note">${turn.dir === 'tls' ? LOCK : ''}${conn}${esc(text)}</div></li>`;
  });
  const failure = test.failure;
  if (failure !== undefined && (failure.expected !== undefined || failure.actual !== undefined)) {
    rows.push(`<li class="row verdict-row"><span class="at"></span><div class="verdict"><div class="head">✗ ${esc(failure.message)}</div><div class="pair">
<div class="exp"><div class="label">expected</div>${pre(failure.expected ?? '')}</div>
<div class="got"><div class="label">received</div>${pre(failure.actual ?? '')}</div></div></div></li>`);
  }
  return `<ol class="conv"><li class="heads"><span></span><span>client</span><span>server</span></li>
${rows.join('\n')}
</ol>`;
}

/** `0.42 ms`, `12.3 ms`, `240 ms`, `1.2 s`: latencies at a glance. */
function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

function invalidSection(report: JsonReport): string {
  return `<section class="invalid"><h2>Specs that did not load: nothing ran</h2>
${report.invalid.map((file) => `<h3>${esc(file.file)}</h3>${pre(file.rendered)}`).join('\n')}
</section>
`;
}

// --- load mode -------------------------------------------------------------------------

/**
 * What the page reads of load statistics (docs/load.md, the JSON report's `load`). The
 * statistics are made in src/loadtest, which reads this folder; here they are read as data.
 */
interface HtmlLatency {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly histogram?: string;
}
interface HtmlLoad {
  readonly settings: { readonly concurrency: number; readonly repeat?: number; readonly durationMs?: number; readonly ratePerSecond?: number; readonly shard?: { readonly index: number; readonly total: number } };
  readonly sessions: { readonly total: number; readonly passed: number; readonly failed: number; readonly errored: number };
  readonly durationMs: number;
  readonly sessionsPerSecond: number;
  readonly timeline?: { readonly intervalMs: number; readonly sessions: readonly number[]; readonly failed: readonly number[]; readonly endMs: number };
  readonly tests: readonly {
    readonly file: string;
    readonly suite: string;
    readonly name: string;
    readonly line: number;
    readonly sessions: { readonly total: number; readonly failed: number; readonly errored: number };
    readonly latency: HtmlLatency;
    readonly steps: readonly { readonly file: string; readonly line: number; readonly col: number; readonly label: string; readonly count: number; readonly failed: number; readonly latency: HtmlLatency }[];
    readonly failures: { readonly samples: readonly { readonly session: number; readonly kind: string; readonly message: string; readonly file: string; readonly line: number; readonly col: number; readonly expected?: string; readonly actual?: string }[] };
  }[];
}

const SERIES = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#0a6b5e', '#bf3989', '#6e7781', '#9a6700', '#1b7c83'];

function stat(value: string, label: string): string {
  return `<div class="stat"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
}

function loadSection(load: HtmlLoad): string {
  const { settings, sessions } = load;
  const given = [
    `concurrency ${num(settings.concurrency)}`,
    ...(settings.repeat !== undefined ? [`repeat ${num(settings.repeat)}`] : []),
    ...(settings.durationMs !== undefined ? [`duration ${formatElapsed(settings.durationMs)}`] : []),
    ...(settings.ratePerSecond !== undefined ? [`rate ${num(settings.ratePerSecond)}/s`] : []),
    ...(settings.shard !== undefined ? [`shard ${num(settings.shard.index)}/${num(settings.shard.total)}`] : []),
  ];
  return `<section class="load"><h2>Load</h2>
<p class="meta">${esc(given.join(', '))}</p>
<div class="stats">${stat(String(sessions.total), 'sessions')}${stat(String(sessions.failed + sessions.errored), 'failed')}${stat(load.sessionsPerSecond.toFixed(1), 'sessions/s')}${stat(formatElapsed(load.durationMs), 'wall clock')}</div>
${load.timeline !== undefined && load.timeline.sessions.length > 0 ? `<h3>Sessions per second</h3>\n${timelineChart(load.timeline)}` : ''}
${load.tests.map(loadTest).join('\n')}
</section>
`;
}

function loadTest(test: HtmlLoad['tests'][number]): string {
  const series = [
    { label: 'session', color: 'currentColor', latency: test.latency },
    ...test.steps.map((step, i) => ({ label: `${num(step.line)}:${num(step.col)} ${step.label}`, color: SERIES[i % SERIES.length]!, latency: step.latency })),
  ];
  const rows = test.steps.map((step, i) => {
    const swatch = `<svg class="sw" width="14" height="4"><rect width="14" height="4" fill="${SERIES[i % SERIES.length]!}"/></svg>`;
    return `<tr${step.failed > 0 ? ' class="failing"' : ''}><td class="l">${swatch} <span class="dim">${num(step.line)}:${num(step.col)}</span> <code>${esc(step.label)}</code></td><td>${num(step.count)}</td><td>${num(step.failed)}</td>${latencyCells(step.latency)}</tr>`;
  });
  const failed = test.sessions.failed + test.sessions.errored;
  return `<h3>${esc(test.suite)} › ${esc(test.name)} <span class="dim">${esc(test.file)}:${num(test.line)} · ${num(test.sessions.total)} sessions${failed > 0 ? `, ${num(failed)} failed` : ''}</span></h3>
${percentileChart(series)}
<table><thead><tr><th class="l">step</th><th>count</th><th>failed</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr></thead><tbody>
<tr><td class="l"><svg class="sw" width="14" height="4"><rect width="14" height="4" fill="currentColor"/></svg> session</td><td>${num(test.sessions.total)}</td><td>${num(failed)}</td>${latencyCells(test.latency)}</tr>
${rows.join('\n')}
</tbody></table>
${test.failures.samples.length > 0 ? `<p class="dim">First failures:</p>\n${test.failures.samples.map(sampleBlock).join('\n')}` : ''}`;
}

function latencyCells(latency: HtmlLatency): string {
  return [latency.p50, latency.p95, latency.p99, latency.max].map((ms) => `<td>${latency.count > 0 ? esc(formatMs(ms)) : '–'}</td>`).join('');
}

function sampleBlock(sample: HtmlLoad['tests'][number]['failures']['samples'][number]): string {
  const pair = sample.expected !== undefined || sample.actual !== undefined
    ? `<div class="pair"><div class="exp"><div class="label">expected</div>${pre(sample.expected ?? '')}</div><div class="got"><div class="label">received</div>${pre(sample.actual ?? '')}</div></div>`
    : '';
  return `<div class="failure"><span class="msg">session ${num(sample.session)}: ${esc(sample.message)}</span><br><span class="mono">${esc(sample.kind)} at ${location(sample)}</span>${pair}</div>`;
}

// --- charts ----------------------------------------------------------------------------

const require = createRequire(import.meta.url);

/** HdrHistogram's V2 compressed base64 (`HISTFAAA…`), decoded by the library's pure-JS code (no WebAssembly to load). */
function decodeHistogram(base64: string): Histogram | undefined {
  const codec = require('hdr-histogram-js/dist/JsHistogram.encoding.js') as {
    inflate(data: Uint8Array): Uint8Array;
    doDecode(data: Uint8Array, bitBucketSize?: number): Histogram;
  };
  try {
    const bytes = Buffer.from(base64.trim(), 'base64');
    const length = bytes.readInt32BE(4);
    return codec.doDecode(codec.inflate(bytes.subarray(8, 8 + length)), 32);
  } catch {
    return undefined;
  }
}

/** A point of a percentile curve: x is 1/(1 − p) in decades (0 = p0, 2 = p99, 3 = p99.9). */
interface CurvePoint {
  readonly nines: number;
  readonly ms: number;
}

/** From the histogram when there is one (every bucket), else from the summary's four points. */
function percentileCurve(latency: HtmlLatency): CurvePoint[] {
  if (latency.count === 0) return [];
  const histogram = latency.histogram !== undefined ? decodeHistogram(latency.histogram) : undefined;
  if (histogram === undefined || histogram.totalCount === 0) {
    return [
      { nines: Math.log10(2), ms: latency.p50 },
      { nines: Math.log10(20), ms: latency.p95 },
      { nines: 2, ms: latency.p99 },
      { nines: Math.max(2, Math.log10(latency.count)), ms: latency.max },
    ];
  }
  const max = histogram.maxValue;
  const top = Math.min(6, Math.log10(histogram.totalCount));
  const points: CurvePoint[] = [];
  for (let i = 0; i <= 60; i++) {
    const nines = (top * i) / 60;
    const p = 100 * (1 - 10 ** -nines);
    points.push({ nines, ms: Math.min(histogram.getValueAtPercentile(p), max) / 1000 });
  }
  points.push({ nines: top, ms: max / 1000 });
  return points;
}

const W = 760;
const H = 280;
const PAD = { left: 64, right: 16, top: 14, bottom: 34 };

/** 1, 2, 5 × 10ⁿ between `low` and `high` (ms); over more than three decades, 10ⁿ alone. */
function logTicks(low: number, high: number): number[] {
  const ticks: number[] = [];
  const steps = Math.log10(high / low) > 3 ? [1] : [1, 2, 5];
  for (let e = Math.floor(Math.log10(low)); e <= Math.ceil(Math.log10(high)); e++) {
    for (const m of steps) {
      const v = m * 10 ** e;
      if (v >= low * 0.999 && v <= high * 1.001) ticks.push(v);
    }
  }
  return ticks;
}

function formatTick(ms: number): string {
  if (ms >= 1000) return `${ms / 1000} s`;
  return `${Number(ms.toPrecision(3))} ms`;
}

/** Latency by percentile, one line per step: y on a log scale, x in nines (p50, p90, p99, p99.9…). */
function percentileChart(series: readonly { label: string; color: string; latency: HtmlLatency }[]): string {
  const curves = series.map((s) => ({ ...s, points: percentileCurve(s.latency) })).filter((s) => s.points.length > 0);
  const all = curves.flatMap((c) => c.points);
  if (all.length === 0) return '';
  const low = 10 ** Math.floor(Math.log10(Math.max(0.001, Math.min(...all.map((p) => p.ms)))));
  const high = 10 ** Math.ceil(Math.log10(Math.max(low * 10, ...all.map((p) => p.ms))));
  const xMax = Math.max(2, Math.ceil(Math.max(...all.map((p) => p.nines))));
  const x = (nines: number): number => PAD.left + (nines / xMax) * (W - PAD.left - PAD.right);
  const y = (ms: number): number => {
    const t = (Math.log10(Math.max(ms, low)) - Math.log10(low)) / (Math.log10(high) - Math.log10(low));
    return H - PAD.bottom - t * (H - PAD.top - PAD.bottom);
  };
  const grid = logTicks(low, high).map((v) => `<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/><text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${esc(formatTick(v))}</text>`);
  const xTicks = Array.from({ length: xMax + 1 }, (_, n) => {
    const name = n === 0 ? 'p0' : `p${(100 * (1 - 10 ** -n)).toFixed(Math.max(0, n - 2))}`;
    return `<line class="grid" x1="${x(n).toFixed(1)}" x2="${x(n).toFixed(1)}" y1="${PAD.top}" y2="${H - PAD.bottom}"/><text x="${x(n).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${name}</text>`;
  });
  const middle = `<line class="grid" x1="${x(Math.log10(2)).toFixed(1)}" x2="${x(Math.log10(2)).toFixed(1)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke-dasharray="3 3"/><text x="${x(Math.log10(2)).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle">p50</text>`;
  const lines = curves.map((c) => {
    const points = c.points.map((p) => `${x(p.nines).toFixed(1)},${y(p.ms).toFixed(1)}`).join(' ');
    return `<polyline points="${points}" stroke="${c.color}"${c.label === 'session' ? ' stroke-dasharray="6 3"' : ''}><title>${esc(c.label)}: p50 ${esc(formatMs(c.latency.p50))}, p99 ${esc(formatMs(c.latency.p99))}, max ${esc(formatMs(c.latency.max))}</title></polyline>`;
  });
  return `<svg class="chart percentiles" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="latency by percentile">
${grid.join('')}${xTicks.join('')}${middle}
<text x="${PAD.left}" y="${H - 4}">percentile →</text>
${lines.join('\n')}
</svg>`;
}

/** Sessions per second in each interval (the failed part in red); the last interval counts only the time it covered. */
function timelineChart(timeline: NonNullable<HtmlLoad['timeline']>): string {
  const { intervalMs, sessions, failed, endMs } = timeline;
  const covered = (i: number): number => Math.max(intervalMs / 4, Math.min(intervalMs, endMs - i * intervalMs));
  const rates = sessions.map((n, i) => (n * 1000) / covered(i));
  const failedRates = failed.map((n, i) => (n * 1000) / covered(i));
  const tick = niceCeiling(Math.max(1, ...rates) / 5);
  const top = tick * Math.ceil(Math.max(1, ...rates) / tick);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const barW = plotW / sessions.length;
  const y = (rate: number): number => H - PAD.bottom - (rate / top) * plotH;
  const grid = Array.from({ length: Math.round(top / tick) + 1 }, (_, i) => {
    const rate = i * tick;
    return `<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(rate).toFixed(1)}" y2="${y(rate).toFixed(1)}"/><text x="${PAD.left - 6}" y="${(y(rate) + 4).toFixed(1)}" text-anchor="end">${Number(rate.toPrecision(3))}/s</text>`;
  });
  const bars = rates.map((rate, i) => {
    const x = PAD.left + i * barW;
    const fr = failedRates[i] ?? 0;
    const title = `<title>${formatElapsed(i * intervalMs)}–${formatElapsed((i + 1) * intervalMs)}: ${num(sessions[i])} sessions, ${num(failed[i] ?? 0)} failed (${rate.toFixed(1)}/s)</title>`;
    return `<g><rect x="${x.toFixed(1)}" y="${y(rate).toFixed(1)}" width="${Math.max(1, barW - 1).toFixed(1)}" height="${(y(0) - y(rate)).toFixed(1)}" fill="#0969da"/>${fr > 0 ? `<rect x="${x.toFixed(1)}" y="${y(fr).toFixed(1)}" width="${Math.max(1, barW - 1).toFixed(1)}" height="${(y(0) - y(fr)).toFixed(1)}" fill="#cf222e"/>` : ''}${title}</g>`;
  });
  const seconds = (sessions.length * intervalMs) / 1000;
  const step = niceCeiling(seconds / 6);
  const xTicks: string[] = [];
  for (let s = 0; s <= seconds + 1e-9; s += step) {
    const x = PAD.left + ((s * 1000) / intervalMs) * barW;
    xTicks.push(`<text x="${x.toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${esc(formatElapsed(s * 1000))}</text>`);
  }
  return `<svg class="chart timeline" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="sessions per second over time">
${grid.join('')}${xTicks.join('')}
<text x="${PAD.left}" y="${H - 4}">time since the run began → (red: failed)</text>
${bars.join('')}
</svg>`;
}

/** The smallest 1, 2 or 5 × 10ⁿ at or above `value`. */
function niceCeiling(value: number): number {
  const e = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * e).find((v) => v >= value) ?? 10 * e;
}
