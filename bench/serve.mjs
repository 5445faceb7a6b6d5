// `convospec serve --repeat N` as a mail sink, against Postfix's `smtp-sink`, side by side:
// both take `smtp-source -s C -m N` (Postfix's load generator, one message per connection),
// timed from outside; messages/s = N / smtp-source's wall time. The tools take turns, RUNS
// times each (default 5), and the ratio printed is the median of the turns' ratios.
//
//   npm run build && node bench/serve.mjs [N] [C]       (default 20000 50)
//
// Needs /usr/sbin/smtp-sink and /usr/sbin/smtp-source (bench/install.sh installs them).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect } from 'node:net';
import console from 'node:console';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';

const N = Number(process.argv[2] ?? 20000);
const C = Number(process.argv[3] ?? 50);
const RUNS = Number(process.env.RUNS ?? 5);
const HERE = import.meta.dirname;
const CLI = join(HERE, '..', 'dist', 'cli', 'main.js');
const SINK = '/usr/sbin/smtp-sink';
const SOURCE = '/usr/sbin/smtp-source';
const PORT = Number(process.env.SINK_PORT ?? 12526);

/** smtp-source against 127.0.0.1:PORT; its wall time in ms. */
function source() {
  const started = performance.now();
  const run = spawnSync(SOURCE, ['-s', String(C), '-m', String(N), `127.0.0.1:${PORT}`], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`smtp-source exited ${run.status}`);
  return performance.now() - started;
}

async function withSmtpSink() {
  // As root, smtp-sink must drop to another user (-u).
  const user = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
  const sink = spawn(SINK, [...user, `127.0.0.1:${PORT}`, '1000'], { stdio: 'ignore' });
  await waitForPort();
  try {
    return source();
  } finally {
    sink.kill();
    await once(sink, 'exit');
  }
}

async function withServe() {
  const serve = spawn(process.execPath, ['--', CLI, 'serve', join(HERE, 'serve-sink.yaml'), '--repeat', String(N)], {
    env: { ...process.env, SINK_PORT: String(PORT) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: serve.stdout });
  const tail = [];
  for await (const line of lines) {
    if (line.startsWith('listening on ')) break;
  }
  lines.on('line', (l) => tail.push(l));
  const ms = source();
  const [code] = await once(serve, 'exit');
  if (code !== 0) throw new Error(`serve exited ${code}:\n${tail.join('\n')}`);
  return ms;
}

async function waitForPort() {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const s = connect(PORT, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`smtp-sink did not listen on 127.0.0.1:${PORT}`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rate = (ms) => Math.round((N * 1000) / ms);

const sinkRates = [];
const serveRates = [];
const ratios = [];
for (let turn = 1; turn <= RUNS; turn++) {
  const sinkMs = await withSmtpSink();
  const serveMs = await withServe();
  sinkRates.push(rate(sinkMs));
  serveRates.push(rate(serveMs));
  ratios.push(sinkMs / serveMs);
  console.log(`turn ${turn}: smtp-sink ${rate(sinkMs)} msg/s, convospec serve ${rate(serveMs)} msg/s, ratio ${(sinkMs / serveMs).toFixed(2)}`);
}
console.log(`N=${N} C=${C}: smtp-sink ${median(sinkRates)} msg/s, convospec serve --repeat ${median(serveRates)} msg/s (medians of ${RUNS}); serve / smtp-sink ${median(ratios).toFixed(2)}`);
