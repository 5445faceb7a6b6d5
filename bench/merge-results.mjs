#!/usr/bin/env node
// Merges the reports of `convospec run --shard i/n` (or of the same load run on several
// machines) into one: node bench/merge-results.mjs OUT.xml shard-*.xml
//                    node bench/merge-results.mjs OUT.json shard-*.json
// See docs/load.md. Needs hdr-histogram-js (a dependency of convospec) for JSON load sections.
//
// JUnit: every file is one <testsuites> root; the merge puts all their <testsuite> elements
// under one root and adds up its counts. No XML parser: the root's content is copied as is
// (so a `</testsuite>` a server sent inside a transcript cannot confuse it).
// JSON: counts add up; suites are concatenated (tests of the same file joined); load
// statistics of the same test (file, line, col, name) are combined exactly by adding their
// HdrHistograms, then percentiles are read from the sum. Percentiles are never averaged.
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import process from 'node:process';

const [out, ...inputs] = process.argv.slice(2);
if (!out || inputs.length === 0 || !/\.(xml|json)$/.test(out)) {
  process.stderr.write('usage: node bench/merge-results.mjs OUT.xml|OUT.json INPUT...\n');
  process.exit(2);
}
const texts = await Promise.all(inputs.map((f) => readFile(f, 'utf8')));
const merged = out.endsWith('.xml') ? mergeJunit(texts) : `${JSON.stringify(mergeJson(texts.map((t) => JSON.parse(t))), null, 2)}\n`;
await writeFile(out, merged);
process.stderr.write(`merged ${inputs.length} files into ${out}\n`);

function mergeJunit(files) {
  const COUNTS = ['tests', 'failures', 'errors', 'skipped'];
  const totals = Object.fromEntries(COUNTS.map((k) => [k, 0]));
  let name = 'convospec';
  const bodies = [];
  for (const [i, text] of files.entries()) {
    const root = /<testsuites\b([^>]*?)(\/?)>/.exec(text);
    if (!root) throw new Error(`${inputs[i]}: no <testsuites> root`);
    for (const k of COUNTS) totals[k] += Number(attr(root[1], k) ?? 0);
    name = attr(root[1], 'name') ?? name;
    if (root[2] === '/') continue;
    const end = text.lastIndexOf('</testsuites>');
    if (end < 0) throw new Error(`${inputs[i]}: <testsuites> is not closed`);
    bodies.push(text.slice(root.index + root[0].length, end).replace(/^\n+|\s+$/g, ''));
  }
  const head = `<testsuites name="${name}" ${COUNTS.map((k) => `${k}="${totals[k]}"`).join(' ')}>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${head}\n${bodies.filter(Boolean).join('\n')}\n</testsuites>\n`;
}

function attr(attrs, key) {
  return new RegExp(`\\b${key}="([^"]*)"`).exec(attrs)?.[1];
}

function mergeJson(reports) {
  const starts = reports.map((r) => Date.parse(r.startedAt));
  const ends = reports.map((r, i) => starts[i] + r.durationMs);
  const start = Math.min(...starts);
  const sum = (key) => reports.reduce((n, r) => n + (r.summary?.[key] ?? 0), 0);
  const suites = new Map();
  for (const r of reports) {
    for (const s of r.suites ?? []) {
      const known = suites.get(s.file);
      if (known) known.tests.push(...s.tests);
      else suites.set(s.file, { ...s, tests: [...s.tests] });
    }
  }
  const loads = reports.map((r) => r.load).filter(Boolean);
  return {
    convospec: reports[0].convospec,
    startedAt: new Date(start).toISOString(),
    durationMs: Math.max(...ends) - start,
    summary: {
      total: sum('total'),
      passed: sum('passed'),
      failed: sum('failed'),
      errored: sum('errored'),
      skipped: sum('skipped'),
      // Present, as in each report, only when some test was an expected failure.
      ...(sum('xfailed') > 0 ? { xfailed: sum('xfailed') } : {}),
      interrupted: reports.some((r) => r.summary?.interrupted),
    },
    suites: [...suites.values()],
    invalid: reports.flatMap((r) => r.invalid ?? []),
    ...(loads.length > 0 ? { load: mergeLoads(loads) } : {}),
  };
}

function mergeLoads(loads) {
  const hdr = createRequire(import.meta.url)('hdr-histogram-js');
  const addHistograms = (latencies) => {
    const encoded = latencies.map((l) => l.histogram).filter(Boolean);
    if (encoded.length === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
    if (encoded.length < latencies.filter((l) => l.count > 0).length) throw new Error('a report without histograms: write it with a convospec that has them');
    const total = hdr.decodeFromCompressedBase64(encoded[0]);
    total.autoResize = true;
    for (const e of encoded.slice(1)) total.add(hdr.decodeFromCompressedBase64(e));
    const ms = (us) => Math.round(us) / 1000;
    const at = (p) => ms(Math.min(total.getValueAtPercentile(p), total.maxValue));
    return { count: total.totalCount, p50: at(50), p95: at(95), p99: at(99), max: ms(total.maxValue), mean: ms(total.mean), histogram: hdr.encodeIntoCompressedBase64(total) };
  };
  // `xfailed` and `skipped` sessions are counted only where some were, as in each report.
  const addCounts = (list) => {
    const add = (k) => list.reduce((n, c) => n + (c[k] ?? 0), 0);
    const counts = Object.fromEntries(['total', 'passed', 'failed', 'errored'].map((k) => [k, add(k)]));
    for (const k of ['xfailed', 'skipped']) if (add(k) > 0) counts[k] = add(k);
    return counts;
  };

  const tests = new Map();
  for (const load of loads) {
    for (const t of load.tests) {
      const key = `${t.file}:${t.line}:${t.col}:${t.name}`;
      const group = tests.get(key) ?? [];
      group.push(t);
      tests.set(key, group);
    }
  }
  const mergedTests = [...tests.values()].map((group) => {
    const steps = new Map();
    for (const t of group) for (const s of t.steps) steps.set(s.key, [...(steps.get(s.key) ?? []), s]);
    const byKind = {};
    for (const t of group) for (const [k, n] of Object.entries(t.failures.byKind)) byKind[k] = (byKind[k] ?? 0) + n;
    return {
      ...group[0],
      sessions: addCounts(group.map((t) => t.sessions)),
      latency: addHistograms(group.map((t) => t.latency)),
      steps: [...steps.values()].map((same) => ({
        ...same[0],
        count: same.reduce((n, s) => n + s.count, 0),
        failed: same.reduce((n, s) => n + s.failed, 0),
        latency: addHistograms(same.map((s) => s.latency)),
      })),
      // Session numbers are per report: the samples keep them as they were.
      failures: { byKind, samples: group.flatMap((t) => t.failures.samples).slice(0, 5) },
    };
  });
  const { shard: _shard, ...settings } = loads[0].settings;
  const sessions = addCounts(loads.map((l) => l.sessions));
  return {
    settings: { ...settings, reports: loads.length },
    sessions,
    // The reports ran side by side (one per machine): their rates add up, their durations do not.
    durationMs: Math.max(...loads.map((l) => l.durationMs)),
    sessionsPerSecond: Math.round(loads.reduce((n, l) => n + l.sessionsPerSecond, 0) * 1000) / 1000,
    interrupted: loads.some((l) => l.interrupted),
    tests: mergedTests,
  };
}
