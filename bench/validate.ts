/**
 * How fast specs load and validate: generates N specs (default 1,000; pass 10000 for the
 * big run) in a temporary folder, then times one pass over the folder, in-process. Two
 * paths, each measured in a process of its own (peak RSS is per process):
 *   validate   what `convospec validate <dir>` does: `validateCommand`, file by file
 *              (`loadEach`), keeping only diagnostics;
 *   loadSpecs  the whole load result, suites and all, as `convospec run` needs it.
 * Prints the wall and CPU time and the peak RSS of each (CPU time says more than wall
 * time on a busy machine). Not a test.
 *
 *   npx tsc --module nodenext --moduleResolution nodenext --target es2022 --skipLibCheck \
 *     --types node --outDir bench/out/validate bench/validate.ts
 *   node bench/out/validate/bench/validate.js [N] [validate|loadSpecs]   (no path: both)
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const PATHS = ['validate', 'loadSpecs'] as const;
type BenchPath = (typeof PATHS)[number];

const count = Number(process.argv[2] ?? 1000);
if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new Error(`usage: validate.js [N from 1 to 100000] [validate|loadSpecs], got ${process.argv[2]}`);
const only = process.argv[3];
if (only !== undefined && !PATHS.includes(only as BenchPath)) throw new Error(`usage: validate.js [N] [validate|loadSpecs], got ${only}`);

/**
 * A spec of the usual size: the format page's opening example (one test of 15 steps:
 * templates, codes, `contains`, a TLS check), plus an include of a shared fragment. Every
 * tenth spec is three times that: more tests, every matcher form, `data`, `repeat`.
 */
function spec(i: number): string {
  const head = `# yaml-language-server: $schema=../schemas/convospec.schema.json
name: Submission port ${i}
connect: { host: "\${env.REMOTE_SRV:-127.0.0.1}", port: 587, protocol: smtp }
tls: { ca: ../certs/ca.pem }
vars: { user: alice${i}, pass: "\${env.MAIL_PASS:-secret}" }
secrets: [pass]
tests:
  - name: AUTH is refused before STARTTLS, accepted after
    steps:
      - s: 220
      - c: EHLO client.test
      - s: { code: 250, contains: [STARTTLS, /AUTH .*PLAIN/] }
      - c: AUTH PLAIN \${sasl_plain(user, pass)}
      - s: { code: 530, enhanced: 5.7.0 }
      - c: STARTTLS
      - s: 220
      - tls:
          expect: { protocol: '/^TLSv1\\.[23]$/', authorized: true }
      - include: ../fragments/ehlo.yaml
      - c: AUTH PLAIN \${sasl_plain(user, pass)}
      - s: 235
      - c: QUIT
      - s: 221
      - s: { closed: true }
`;
  if (i % 10 !== 0) return head;
  return `${head}  - name: mail ${i}
    vars: { rcpt: "bob@example.test" }
    steps:
      - s: "2xx"
      - c: [EHLO client.test, "MAIL FROM:<\${user}>", "RCPT TO:<\${rcpt}>", DATA]
      - s: ['/^250/', '...']
      - s: 250
      - s: { oneOf: [250, 251] }
      - s: 354
      - data: |
          Subject: test ${i} \${uuid()}

          .a line with a dot
      - s: { code: 250, capture: { queued: '/queued as (\\S+)/' } }
      - c: NOOP \${queued}
      - s: 250 2.0.0 Ok
  - name: IMAP ${i}
    connect: { port: 143, protocol: imap }
    steps:
      - s: { status: OK, text: '/IMAP4rev1/' }
      - c: a1 LOGIN \${user} \${pass}
      - s: { status: OK }
      - repeat: { times: 3, as: n, steps: [{ c: "a\${n} NOOP" }, { s: { status: OK } }] }
`;
}

const FRAGMENT = `fragment: EHLO again
steps:
  - c: EHLO client.test
  - s: { code: 250, excludes: [STARTTLS] }
`;

if (only === undefined) {
  // Each path in a fresh process: the peak RSS of one must not hide the other's.
  for (const path of PATHS) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), String(count), path], { stdio: 'inherit' });
    if (child.status !== 0) process.exit(child.status ?? 1);
  }
} else {
  await bench(only as BenchPath);
}

async function bench(path: BenchPath): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'convospec-bench-'));
  try {
    mkdirSync(join(dir, 'specs'));
    mkdirSync(join(dir, 'fragments'));
    mkdirSync(join(dir, 'certs'));
    // The specs name a CA file, which the loader checks is there (its content is read at run time only).
    writeFileSync(join(dir, 'certs', 'ca.pem'), '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
    writeFileSync(join(dir, 'fragments', 'ehlo.yaml'), FRAGMENT);
    let bytes = FRAGMENT.length;
    for (let i = 0; i < count; i += 1) {
      const text = spec(i);
      bytes += text.length;
      writeFileSync(join(dir, 'specs', `spec-${String(i).padStart(6, '0')}.yaml`), text);
    }

    const imported = performance.now();
    const run = path === 'validate' ? await validatePath(dir) : await loadPath(dir);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const outcome = await run();
    const done = performance.now();
    const used = process.cpuUsage(cpu);

    const ms = done - started;
    const peakMiB = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(
      [
        `path:         ${path}`,
        `specs:        ${count} (+1 fragment), ${(bytes / 1024).toFixed(0)} KiB of YAML; ${outcome}`,
        `import:       ${(started - imported).toFixed(0)} ms`,
        `${path}:${' '.repeat(Math.max(1, 13 - path.length))}${ms.toFixed(0)} ms wall (${((ms * 1000) / count).toFixed(0)} µs per spec), ${((used.user + used.system) / 1000).toFixed(0)} ms CPU`,
        `peak RSS:     ${peakMiB.toFixed(0)} MiB`,
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `convospec validate specs fragments`, with its output caught; throws unless all are valid. */
async function validatePath(dir: string): Promise<() => Promise<string>> {
  const { validateCommand } = await import('../src/cli/commands/validate.js');
  return async () => {
    let stdout = '';
    let stderr = '';
    const sink = (write: (text: string) => void): Writable => new Writable({
      write(chunk: Buffer, _encoding, done) {
        write(chunk.toString());
        done();
      },
    });
    const io = {
      cwd: dir,
      env: {},
      stdout: sink((t) => (stdout += t)),
      stderr: sink((t) => (stderr += t)),
      isTTY: false,
      signal: new AbortController().signal,
      now: () => new Date(),
    };
    const code = await validateCommand(['specs', 'fragments'], { var: [] }, io);
    if (code !== 0) throw new Error(`the generated specs should be valid: ${stderr.slice(0, 500)}`);
    return stdout.trim();
  };
}

/** `loadSpecs` over the folder, every suite kept (as `run` does); throws unless all are valid. */
async function loadPath(dir: string): Promise<() => Promise<string>> {
  const { loadSpecs } = await import('../src/loader/load.js');
  return async () => {
    const result = await loadSpecs(['specs', 'fragments'], { cwd: dir, vars: {}, env: {}, checkEnv: true });
    if (result.diagnostics.length > 0) throw new Error(`the generated specs should be valid: ${result.diagnostics[0]?.message}`);
    if (result.suites.length !== count) throw new Error(`expected ${count} suites, got ${result.suites.length}`);
    return `${result.suites.reduce((n, s) => n + s.tests.length, 0)} tests`;
  };
}
