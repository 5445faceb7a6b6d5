#!/usr/bin/env node
// The benchmark behind docs/load.md. Run it through `bash bench/run.sh [N] [C]`, which
// installs Postfix/swaks and builds convospec into bench/out/dist first.
//
// Everything is timed from outside, process start included, on loopback against Postfix's
// smtp-sink: convospec `run --repeat N --concurrency C`, `smtp-source -s C -m N`, and a
// loop of SWAKS_N swaks processes (fewer: about 30/s); beside them the Node floor
// (node-floor.mjs: the same session by hand on Node's net, no convospec). Then the cold
// start of `convospec run` on one spec against `node -e 0`, and `validate` time and peak
// RSS for 1,000 and 10,000 specs.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';

const here = dirname(fileURLToPath(import.meta.url));
const BUILD = join(here, '..', 'node_modules', '.cache', 'convospec-bench');
const CLI = join(BUILD, 'dist', 'cli', 'main.js');
const LOADER_BENCH = join(BUILD, 'validate', 'bench', 'validate.js');
const N = Number(process.argv[2] ?? 20000);
const C = Number(process.argv[3] ?? 50);
const SWAKS_N = Number(process.env.SWAKS_N ?? 200);
const PORT = Number(process.env.SINK_PORT ?? 12525);
const RUNS = Number(process.env.RUNS ?? 5);
const COLD_RUNS = Number(process.env.COLD_RUNS ?? 21);
const SPEC_COUNTS = (process.env.SPEC_COUNTS ?? '1000,10000').split(',').map(Number);
const SINK = '/usr/sbin/smtp-sink';
const SOURCE = '/usr/sbin/smtp-source';
const TIME = '/usr/bin/time';
const FLOOR = join(here, 'node-floor.mjs');

const log = (text) => process.stderr.write(`bench: ${text}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs a command under GNU time; wall ms from spawn to exit, peak RSS in KiB. */
async function timed(cmd, args, { env = {}, cwd } = {}) {
  const rssFile = join(work, `rss-${Math.random().toString(16).slice(2)}`);
  const started = process.hrtime.bigint();
  const child = spawn(TIME, ['-f', '%M', '-o', rssFile, cmd, ...args], { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const rssKiB = Number((await readFile(rssFile, 'utf8').catch(() => '')).trim().split('\n').pop()) || undefined;
  return { ms, code, stdout, stderr, rssKiB };
}

async function waitForPort(port) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`smtp-sink did not listen on 127.0.0.1:${port}`);
}

/** The bench's session; node-floor.mjs sends and expects the same, written as bytes. */
const MESSAGE_SPEC = await readFile(join(import.meta.dirname, 'message.yaml'), 'utf8');

/** A spec as users write them: vars, secrets, templates, regexes, several tests. */
function validateSpec(i) {
  return `name: generated ${i}
connect: { host: "\${env.MAIL_HOST:-127.0.0.1}", port: "\${env.SUBMISSION_PORT:-587}", protocol: smtp }
vars: { user: "user${i}@convospec.test", pass: "\${env.MAIL_PASS:-secret}" }
secrets: [pass]
tests:
  - name: AUTH after STARTTLS ${i}
    steps:
      - s: { code: 220, match: '/ESMTP/' }
      - c: EHLO client${i}.test
      - s: { code: 250, contains: [STARTTLS, '/SIZE \\\\d+/'] }
      - c: STARTTLS
      - s: 220
      - tls: { verify: false }
      - c: EHLO client${i}.test
      - s: { code: 250, contains: ["/AUTH .*PLAIN/"] }
      - c: AUTH PLAIN \${sasl_plain(user, pass)}
      - s: { code: 235, enhanced: 2.7.0 }
      - c: QUIT
      - s: 221
  - name: relay refused ${i}
    steps:
      - s: 220
      - c: [EHLO client.test, "MAIL FROM:<a@example.net>", "RCPT TO:<b\${random(4)}@elsewhere.test>"]
      - s: 250
      - s: 250
      - s: { code: 5xx, text: '/relay/i' }
`;
}

/** Share of CPU time idle over `ms`, all cores: a load average still counts a build that just ended. */
async function idleShare(ms = 2000) {
  const total = (cpus) => cpus.reduce((n, c) => n + Object.values(c.times).reduce((a, b) => a + b, 0), 0);
  const idle = (cpus) => cpus.reduce((n, c) => n + c.times.idle, 0);
  const before = os.cpus();
  await sleep(ms);
  const after = os.cpus();
  return (idle(after) - idle(before)) / Math.max(1, total(after) - total(before));
}

function machine() {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    loadavg: os.loadavg().map((n) => n.toFixed(2)).join(' '),
  };
}

const work = await mkdtemp(join(os.tmpdir(), 'convospec-bench-'));
let sink;
try {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run bash bench/run.sh, which builds it`);
  const m = { ...machine(), idleBefore: Math.round((await idleShare()) * 100) };
  log(`machine: ${m.nproc} × ${m.cpu}, node ${m.node}, load average ${m.loadavg}, CPU idle before the start ${m.idleBefore}%`);
  if (m.idleBefore < 85) log('WARNING: the machine is busy; figures will be low and noisy');

  const sinkArgs = [...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []), `127.0.0.1:${PORT}`, '1000'];
  sink = spawn(SINK, sinkArgs, { stdio: 'ignore' });
  await waitForPort(PORT);
  log(`smtp-sink on 127.0.0.1:${PORT}`);

  const spec = join(work, 'message.yaml');
  await writeFile(spec, MESSAGE_SPEC);
  // The launcher's compile cache (src/cli/launch.ts) is beside the bench's own build of the
  // program: the first run of each command writes it, the runs after it use it.
  const env = { SINK_PORT: String(PORT), NO_COLOR: '1' };

  // convospec and smtp-source take turns (convospec, smtp-source, convospec…): on a shared VM
  // the machine's speed drifts over minutes, and runs of one tool back to back, then of the
  // other, measured the drift as much as the tools. The ratio is the median of each turn's ratio.
  const convospecRuns = [];
  const floorRuns = [];
  const sourceRuns = [];
  for (let r = 0; r < RUNS; r++) {
    // No --json: the console's last line says how many sessions passed, and the run stays
    // exactly what a user would time.
    const run = await timed('node', [CLI, 'run', spec, '--repeat', String(N), '--concurrency', String(C)], { env, cwd: work });
    const headline = /^(\d+) sessions in .*?, ([\d.]+) sessions\/s: all passed/m.exec(run.stdout);
    if (run.code !== 0 || Number(headline?.[1]) !== N) {
      throw new Error(`convospec run failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
    }
    convospecRuns.push({ ...run, inside: Number(headline[2]) });
    log(`convospec: ${N} messages in ${run.ms.toFixed(0)} ms (${((N * 1000) / run.ms).toFixed(0)}/s; ${headline[2]}/s inside), peak RSS ${run.rssKiB} KiB`);
    const floor = await timed('node', [FLOOR, String(N), String(C), String(PORT)]);
    if (floor.code !== 0 || floor.stdout.trim() !== `${N} sessions`) throw new Error(`node-floor failed (exit ${floor.code}): ${floor.stderr}`);
    floorRuns.push(floor);
    log(`node floor: ${N} messages in ${floor.ms.toFixed(0)} ms (${((N * 1000) / floor.ms).toFixed(0)}/s)`);
    const source = await timed(SOURCE, ['-s', String(C), '-m', String(N), '-M', 'bench.convospec.test', '-f', 'sender@example.net', '-t', 'rcpt@example.org', `127.0.0.1:${PORT}`]);
    if (source.code !== 0) throw new Error(`smtp-source failed (exit ${source.code}): ${source.stderr}`);
    sourceRuns.push(source);
    log(`smtp-source: ${N} messages in ${source.ms.toFixed(0)} ms (${((N * 1000) / source.ms).toFixed(0)}/s); this turn's ratio ${(source.ms / run.ms).toFixed(3)}`);
  }
  const lastTable = convospecRuns.at(-1).stdout;

  const swaksLoop = `for i in $(seq ${SWAKS_N}); do swaks --silent 2 -s 127.0.0.1 -p ${PORT} -f sender@example.net -t rcpt@example.org --helo bench.convospec.test || exit 1; done`;
  const swaks = await timed('bash', ['-c', swaksLoop]);
  if (swaks.code !== 0) throw new Error(`swaks loop failed (exit ${swaks.code}): ${swaks.stderr}`);
  log(`swaks loop: ${SWAKS_N} messages in ${swaks.ms.toFixed(0)} ms (${((SWAKS_N * 1000) / swaks.ms).toFixed(1)}/s)`);

  // Cold start: one session against the sink, vs a Node process that does nothing. Also the
  // first run after an install, with an empty compile cache (it compiles and writes the cache).
  const one = join(work, 'one.yaml');
  await writeFile(one, MESSAGE_SPEC);
  const bare = [];
  const cold = [];
  const first = [];
  for (let r = 0; r < COLD_RUNS; r++) {
    bare.push((await timed('node', ['-e', '0'])).ms);
    const run = await timed('node', [CLI, 'run', one], { env, cwd: work });
    if (run.code !== 0) throw new Error(`convospec run one.yaml failed: ${run.stdout}${run.stderr}`);
    cold.push(run.ms);
    await removeCompileCaches();
    const fresh = await timed('node', [CLI, 'run', one], { env, cwd: work });
    if (fresh.code !== 0) throw new Error(`convospec run one.yaml (empty cache) failed: ${fresh.stdout}${fresh.stderr}`);
    first.push(fresh.ms);
  }
  log(`cold start: node -e 0 ${median(bare).toFixed(0)} ms, convospec run (one session) ${median(cold).toFixed(0)} ms, the same with an empty compile cache ${median(first).toFixed(0)} ms`);

  const validate = [];
  const HEAP_HOOK = join(work, 'heap-after-gc.mjs');
  await writeFile(HEAP_HOOK, "process.on('exit', () => { globalThis.gc(); process.stderr.write(`heap-after-gc ${process.memoryUsage().heapUsed}\\n`); });\n");
  for (const count of SPEC_COUNTS) {
    const dir = join(work, `specs-${count}`);
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < count; i += 500) {
      await Promise.all(Array.from({ length: Math.min(500, count - i) }, (_, k) => writeFile(join(dir, `spec-${i + k}.yaml`), validateSpec(i + k))));
    }
    // The median of RUNS runs; the compile cache of `validate` is written before (by a run on one file).
    await timed('node', [CLI, 'validate', one], { cwd: work, env });
    const runs = [];
    for (let r = 0; r < RUNS; r++) {
      const run = await timed('node', [CLI, 'validate', dir], { cwd: work, env });
      if (run.code !== 0) throw new Error(`validate of ${count} specs failed (exit ${run.code}): ${run.stderr.slice(0, 2000)}`);
      runs.push(run);
    }
    const run = [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)];
    // Peak RSS says how far V8 let the heap grow, which it does more readily the more is
    // allocated in all; what the run KEEPS is the heap after a full collection at its end.
    // (No compile cache here: --expose-gc is another V8 flag, for which V8 refuses the cache.)
    const kept = await timed('node', ['--expose-gc', '--import', pathToFileURL(HEAP_HOOK).href, CLI, 'validate', dir], { cwd: work, env: { NO_COLOR: '1', CONVOSPEC_DISABLE_COMPILE_CACHE: '1' } });
    const heapMiB = Number(/^heap-after-gc (\d+)$/m.exec(kept.stderr)?.[1]) / 1048576 || undefined;
    validate.push({ specs: count, ms: run.ms, rssKiB: run.rssKiB, heapMiB });
    log(`validate ${count} specs: ${run.ms.toFixed(0)} ms, peak RSS ${run.rssKiB} KiB, heap kept at the end ${heapMiB?.toFixed(1)} MiB`);
    await rm(dir, { recursive: true, force: true });
    // The loader's own benchmark: in-process loadSpecs, its CPU time and peak RSS.
    if (existsSync(LOADER_BENCH)) {
      const inside = await timed('node', [LOADER_BENCH, String(count)]);
      if (inside.code === 0) validate.at(-1).loaderBench = inside.stdout.trim();
      else log(`bench/validate.ts ${count} failed: ${inside.stderr.slice(0, 500)}`);
    }
  }

  const rate = (n, ms) => (n * 1000) / ms;
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  const convospecRate = rate(N, median(convospecRuns.map((r) => r.ms)));
  const sourceRate = rate(N, median(sourceRuns.map((r) => r.ms)));
  const floorRate = rate(N, median(floorRuns.map((r) => r.ms)));
  const swaksRate = rate(SWAKS_N, swaks.ms);
  const results = {
    machine: m,
    n: N,
    c: C,
    swaksN: SWAKS_N,
    runs: RUNS,
    messagesPerSecond: { convospec: round(convospecRate), nodeFloor: round(floorRate), smtpSource: round(sourceRate), swaks: round(swaksRate) },
    convospecInsidePerSecond: median(convospecRuns.map((r) => r.inside)),
    convospecPeakRssKiB: Math.max(...convospecRuns.map((r) => r.rssKiB ?? 0)),
    ratios: {
      convospecToSmtpSource: round(median(convospecRuns.map((run, i) => sourceRuns[i].ms / run.ms)), 3),
      convospecToSmtpSourceEachTurn: convospecRuns.map((run, i) => round(sourceRuns[i].ms / run.ms, 3)),
      // All of smtp-source's time over all of convospec's: every turn weighs by its length, so
      // one slow or fast moment of the VM moves it less than it can move a median of few turns.
      convospecToSmtpSourcePooled: round(sum(sourceRuns.map((r) => r.ms)) / sum(convospecRuns.map((r) => r.ms)), 3),
      convospecToSwaks: round(convospecRate / swaksRate, 1),
      // Where the gap to smtp-source lies: Node's share (floor / smtp-source) and convospec's
      // (convospec / floor). Medians of the turns, each turn's three runs back to back.
      nodeFloorToSmtpSource: round(median(floorRuns.map((run, i) => sourceRuns[i].ms / run.ms)), 3),
      convospecToNodeFloor: round(median(convospecRuns.map((run, i) => floorRuns[i].ms / run.ms)), 3),
    },
    coldStartMs: {
      node: round(median(bare)),
      convospec: round(median(cold)),
      difference: round(median(cold) - median(bare)),
      emptyCompileCache: round(median(first)),
      emptyCompileCacheDifference: round(median(first) - median(bare)),
    },
    validate: validate.map((v) => ({ specs: v.specs, ms: round(v.ms), peakRssMiB: round((v.rssKiB ?? 0) / 1024, 1), heapKeptMiB: round(v.heapMiB ?? 0, 1), ...(v.loaderBench ? { loaderBench: v.loaderBench } : {}) })),
  };
  await mkdir(join(here, 'out'), { recursive: true });
  await writeFile(join(here, 'out', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(summary(results, lastTable));
} finally {
  sink?.kill();
  await rm(work, { recursive: true, force: true });
}

function round(n, digits = 0) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function summary(r, table) {
  const { messagesPerSecond: mps, ratios, coldStartMs: cold } = r;
  return `
machine: ${r.machine.nproc} × ${r.machine.cpu}, node ${r.machine.node}, ${r.machine.kernel}, CPU idle before the start ${r.machine.idleBefore}%
N = ${r.n} messages, C = ${r.c} concurrent sessions, median of ${r.runs} runs, process start included

| tool | messages/s |
|---|---:|
| convospec run --repeat ${r.n} --concurrency ${r.c} | ${mps.convospec} |
| smtp-source -s ${r.c} -m ${r.n} | ${mps.smtpSource} |
| the Node floor (bench/node-floor.mjs) | ${mps.nodeFloor} |
| swaks, a loop of ${r.swaksN} | ${mps.swaks} |

convospec / smtp-source = ${ratios.convospecToSmtpSource} (median of the turns' ratios: ${ratios.convospecToSmtpSourceEachTurn.join(', ')}; pooled, all smtp-source time over all convospec time: ${ratios.convospecToSmtpSourcePooled}); convospec / swaks = ${ratios.convospecToSwaks}×
the Node floor / smtp-source = ${ratios.nodeFloorToSmtpSource}; convospec / the Node floor = ${ratios.convospecToNodeFloor}
convospec peak RSS during the load: ${(r.convospecPeakRssKiB / 1024).toFixed(1)} MiB

cold start (median of ${COLD_RUNS}): node -e 0 ${cold.node} ms; convospec run one.yaml (one session) ${cold.convospec} ms; difference ${cold.difference} ms
  the same run with an empty compile cache (the first run after an install): ${cold.emptyCompileCache} ms; difference ${cold.emptyCompileCacheDifference} ms

| validate (median of ${r.runs}) | time | peak RSS | heap kept at the end (after a full GC) |
|---|---:|---:|---:|
${r.validate.map((v) => `| ${v.specs} specs | ${v.ms} ms | ${v.peakRssMiB} MiB | ${v.heapKeptMiB} MiB |`).join('\n')}
${r.validate.filter((v) => v.loaderBench).map((v) => `\nbench/validate.ts ${v.specs} (in-process: validate, then loadSpecs):\n${v.loaderBench}`).join('\n')}

last convospec load table:
${table}`;
}

/** The first run after an install: no compile cache beside the program (the next run writes it again). */
async function removeCompileCaches() {
  const folder = dirname(CLI);
  for (const file of await readdir(folder)) if (file.endsWith('.v8cache')) await rm(join(folder, file), { force: true });
}
