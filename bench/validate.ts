/**
 * How fast specs load and validate: generates N specs (default 1,000; pass 10000 for the
 * big run) in a temporary folder, then times one `loadSpecs` over the folder, as
 * `convospec validate <dir>` does. Prints the wall and CPU time and the peak RSS (CPU time
 * says more than wall time on a busy machine). Not a test.
 *
 *   npx tsc --module nodenext --moduleResolution nodenext --target es2022 --skipLibCheck \
 *     --types node --outDir bench/out/validate bench/validate.ts
 *   node bench/out/validate/bench/validate.js [N]
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const count = Number(process.argv[2] ?? 1000);
if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new Error(`usage: validate.js [N from 1 to 100000], got ${process.argv[2]}`);

/** A spec of the usual size: three tests, templates, every matcher form, a fragment. */
function spec(i: number): string {
  return `# yaml-language-server: $schema=../schemas/convospec.schema.json
name: Submission ${i}
connect: { host: "\${env.MAIL_HOST:-127.0.0.1}", port: "\${env.SUBMISSION_PORT:-587}", protocol: smtp, timeout: 5s }
tls: { ca: ../certs/ca.pem, servername: mail.convospec.test }
vars: { user: "alice${i}@example.test", pass: "\${env.MAIL_PASS:-secret}" }
secrets: [pass]
timeout: 5s
tests:
  - name: AUTH after STARTTLS ${i}
    steps:
      - s: 220
      - c: EHLO client.test
      - s: { code: 250, contains: [STARTTLS, '/AUTH .*PLAIN/'] }
      - c: STARTTLS
      - s: 220
      - tls: { expect: { protocol: '/^TLSv1\\.[23]$/', authorized: true } }
      - include: ../fragments/ehlo.yaml
      - c: AUTH PLAIN \${sasl_plain(user, pass)}
      - s: { code: 235, enhanced: 2.7.0 }
  - name: mail ${i}
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

const dir = mkdtempSync(join(tmpdir(), 'convospec-bench-'));
try {
  mkdirSync(join(dir, 'specs'));
  mkdirSync(join(dir, 'fragments'));
  writeFileSync(join(dir, 'fragments', 'ehlo.yaml'), FRAGMENT);
  for (let i = 0; i < count; i += 1) writeFileSync(join(dir, 'specs', `spec-${String(i).padStart(6, '0')}.yaml`), spec(i));

  const imported = performance.now();
  const { loadSpecs } = await import('../src/spec/load.js');
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await loadSpecs(['specs', 'fragments'], { cwd: dir, vars: {}, env: {}, checkEnv: true });
  const done = performance.now();
  const used = process.cpuUsage(cpu);
  if (result.diagnostics.length > 0) throw new Error(`the generated specs should be valid: ${result.diagnostics[0]?.message}`);
  if (result.suites.length !== count) throw new Error(`expected ${count} suites, got ${result.suites.length}`);

  const loadMs = done - started;
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    [
      `specs:        ${count} (+1 fragment), ${result.suites.reduce((n, s) => n + s.tests.length, 0)} tests`,
      `import:       ${(started - imported).toFixed(0)} ms`,
      `loadSpecs:    ${loadMs.toFixed(0)} ms wall (${((loadMs * 1000) / count).toFixed(0)} µs per spec), ${((used.user + used.system) / 1000).toFixed(0)} ms CPU`,
      `peak RSS:     ${peakMiB.toFixed(0)} MiB`,
      '',
    ].join('\n'),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
