/**
 * The package as a user installs it: `npm run build` in a copy of the repository, `npm pack`,
 * the tarball unpacked into a project of its own (outside the repository), whose other
 * packages are links to this repository's. There: an ES module calling `run()` and
 * `validate()` against an in-process smtp-server, a vitest project using `convospec/vitest`
 * with passing, failing, skipped and xfail tests, a TypeScript consumer checked against the
 * shipped `.d.ts`, and the `convospec` command still working.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/build.js';
import { senderRefusedTest, specWithGreeting, startRelay, type Relay } from './relay.js';

const BUILD_MS = 300_000;
/** One process of a test (vitest, tsc) on a busy machine. */
const PROCESS_MS = 120_000;

let tmp: string;
let project: string;
let relay: Relay;
let port: number;

interface Exec {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A command, run without blocking: the smtp-server the specs talk to lives in this process.
 * Only the variables given reach it (and PATH, HOME for npm).
 */
async function exec(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Exec> {
  const child = spawn(command, args, { cwd, timeout: BUILD_MS, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const [status] = (await once(child, 'close')) as [number | null];
  return { status, stdout, stderr };
}

async function ok(running: Promise<Exec>): Promise<Exec> {
  const result = await running;
  if (result.status !== 0) throw new Error(`exit ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** `node_modules/<name>` of the project, a link to this repository's. */
function link(name: string): void {
  const at = join(project, 'node_modules', name);
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules', name), at, 'dir');
}

const PASSING = `${specWithGreeting('Greeting')}  - name: not yet
    skip: waiting for the new relay
    steps:
      - s: 220
  - name: sends with BDAT
    requires: [CHUNKING]
    steps:
      - s: 220
      - c: EHLO client.test
      - s: 250
      - c: BDAT 0 LAST
      - s: 250
  - name: refuses a null sender
    xfail: this server takes it
    steps:
      - s: 220
      - c: EHLO client.test
      - s: 250
      - c: MAIL FROM:<>
      - s: 550
`;

const FAILING = `name: Relay
connect: { host: 127.0.0.1, port: "\${env.SMTP_PORT}", protocol: smtp }
tests:
${senderRefusedTest('refuses a sender', '        name: sender refused\n')}`;

beforeAll(async () => {
  relay = await startRelay();
  port = relay.port;

  tmp = mkdtempSync(join(tmpdir(), 'convospec-package-'));
  // A copy of what `npm run build` and `npm pack` read, so the repository's own dist/ (which
  // other tests run) is never rebuilt under them.
  const repo = join(tmp, 'repo');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const entry of ['src', 'schemas', 'docs', 'README.md', 'package.json', 'rolldown.config.mjs', 'tsconfig.json', 'tsconfig.types.json']) {
    cpSync(join(ROOT, entry), join(repo, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(repo, 'node_modules'), 'dir');
  await ok(exec('npm', ['run', 'build'], repo));
  await ok(exec('npm', ['pack', '--pack-destination', tmp], repo));
  const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'))!;

  project = join(tmp, 'project');
  mkdirSync(join(project, 'node_modules'), { recursive: true });
  await ok(exec('tar', ['-xzf', join(tmp, tarball), '-C', join(project, 'node_modules')], tmp));
  renameSync(join(project, 'node_modules/package'), join(project, 'node_modules/convospec'));
  for (const name of [...Object.keys(pkg.dependencies), 'vitest', 'typescript', '@types/node']) link(name);
  write(join(project, 'package.json'), '{ "name": "mail-checks", "private": true, "type": "module" }\n');
  write(join(project, 'specs/greeting.yaml'), PASSING);
  write(join(project, 'specs/relay.yaml'), FAILING);
}, BUILD_MS);

afterAll(async () => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  await relay.close();
});

describe('the packed package', () => {
  it('ships the entry files, their types and the command, and nothing of the sources', async () => {
    const files = readdirSync(join(project, 'node_modules/convospec'), { recursive: true }).map(String);
    expect(files).toEqual(expect.arrayContaining(['dist/api/index.js', 'dist/api/vitest.js', 'dist/types/api/index.d.ts', 'dist/types/vitest/index.d.ts', 'dist/cli/main.js']));
    expect(files.filter((f) => f.startsWith('src') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  }, PROCESS_MS);

  it('run() and validate() from `import … from "convospec"`: typed results, events, file:line:col', async () => {
    write(join(project, 'check.mjs'), `import { run, validate } from 'convospec';
const checked = await validate(['specs', 'nope.yaml']);
const events = [];
const result = await run('specs', { env: process.env, onEvent: (e) => { events.push(e.type); } });
const failed = result.results.find((r) => r.status === 'failed');
console.log(JSON.stringify({
  checked: { ok: checked.ok, codes: checked.diagnostics.map((d) => d.code), at: checked.diagnostics.map((d) => d.span.file) },
  status: result.status,
  exitCode: result.exitCode,
  statuses: result.results.map((r) => [r.test.name, r.status]),
  failure: { span: failed.failure.span, message: failed.failure.message, expected: failed.failure.expected, actual: failed.failure.actual },
  first: events[0], last: events.at(-1), ends: events.filter((t) => t === 'test-end').length,
}));
`);
    const out = await ok(exec(process.execPath, ['check.mjs'], project, { SMTP_PORT: String(port) }));
    const seen = JSON.parse(out.stdout) as Record<string, unknown>;
    expect(seen.checked).toEqual({ ok: false, codes: ['input-missing'], at: ['nope.yaml'] });
    expect(seen).toMatchObject({
      status: 'failed',
      exitCode: 1,
      statuses: [
        ['greets and says goodbye', 'passed'],
        ['not yet', 'skipped'],
        ['sends with BDAT', 'skipped'],
        ['refuses a null sender', 'xfailed'],
        ['refuses a sender', 'failed'],
      ],
      failure: { span: { file: 'specs/relay.yaml', line: 10, col: 12 }, message: 'expected reply code 550, got 250', expected: '550' },
      first: 'run-start',
      last: 'run-end',
      ends: 5,
    });
    expect((seen.failure as { actual: string }).actual).toMatch(/^250 /);
  }, PROCESS_MS);

  it('convospec/vitest: one `it` per test; a failure points at the YAML line with expected vs received; vitest exits 1', async () => {
    write(join(project, 'mail.test.ts'), `import { defineSpecs } from 'convospec/vitest';

defineSpecs('specs', { env: process.env });
`);
    const result = await exec(process.execPath, [join(project, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=verbose'], project, { SMTP_PORT: String(port) });
    const out = result.stdout + result.stderr;
    expect(result.status, out).toBe(1);
    expect(out).toMatch(/✓ mail\.test\.ts > specs > Greeting > greets and says goodbye/);
    expect(out).toMatch(/↓ mail\.test\.ts > specs > Greeting > not yet \(waiting for the new relay\)/);
    // `requires`: skipped when the test runs and the server's EHLO lacks the capability.
    expect(out).toMatch(/↓ mail\.test\.ts > specs > Greeting > sends with BDAT/);
    expect(out).toContain('the server does not advertise CHUNKING');
    // xfail: it.fails, passing as the server refused as known.
    expect(out).toMatch(/✓ mail\.test\.ts > specs > Greeting > refuses a null sender \(xfail: this server takes it\)/);
    expect(out).toMatch(/× mail\.test\.ts > specs > Relay > refuses a sender/);
    expect(out).toContain('SpecFailure: specs/relay.yaml:10:12: expected reply code 550, got 250');
    expect(out).toContain('step: sender refused');
    expect(out).toMatch(/Expected: "550"\s+Received: "250 Accepted"/);
    expect(out).toContain('> c: MAIL FROM:<a@convospec.test>');
    // The stack's one frame is the step: vitest names the YAML line.
    expect(out).toMatch(/❯ sender refused specs\/relay\.yaml:10:12/);
    expect(out).toMatch(/Tests\s+1 failed \| 1 passed \| 1 expected fail \| 2 skipped \(5\)/);
  }, PROCESS_MS);

  it('a spec that does not load is a failing test that says why, with the code frame; so is a selection of nothing', async () => {
    write(join(project, 'broken/typo.yaml'), 'name: Typo\nconnect: { host: 127.0.0.1, port: 25, protocol: smtp }\ntests:\n  - name: t\n    steps:\n      - s: { cod: 220 }\n');
    write(join(project, 'broken.test.ts'), `import { defineSpecs } from 'convospec/vitest';\n\ndefineSpecs('broken');\ndefineSpecs('specs', { env: process.env, grep: /no such test/ });\n`);
    const result = await exec(process.execPath, [join(project, 'node_modules/vitest/vitest.mjs'), 'run', 'broken.test.ts'], project, { SMTP_PORT: String(port) });
    const out = result.stdout + result.stderr;
    expect(result.status, out).toBe(1);
    expect(out).toMatch(/× broken\/typo\.yaml is not a valid spec/);
    // The stack points at the first problem's line.
    expect(out).toMatch(/❯ unknown-key broken\/typo\.yaml:6:14/);
    expect(out).toContain('broken/typo.yaml:6:14: unknown key `cod`');
    // Nothing selected is a failure too: a suite that silently runs nothing is no suite.
    expect(out).toContain('no test found in specs (with grep/tags)');
    expect(out).toMatch(/Tests\s+2 failed \(2\)/);
  }, PROCESS_MS);

  it('an xfail test that passes, or errors on our side, fails; convospec says why beside vitest', async () => {
    write(join(project, 'known/known.yaml'), `name: Known
connect: { host: 127.0.0.1, port: "\${env.SMTP_PORT}", protocol: smtp }
tests:
  - name: fixed since
    xfail: the greeting was missing
    steps:
      - s: 220
  - name: cannot read its CA
    xfail: the certificate expired
    vars: { ca: missing-ca.pem }
    tls: { ca: "\${ca}" }
    steps:
      - s: 220
      - tls: {}
`);
    write(join(project, 'known.test.ts'), `import { defineSpecs } from 'convospec/vitest';\n\ndefineSpecs('known', { env: process.env });\n`);
    const result = await exec(process.execPath, [join(project, 'node_modules/vitest/vitest.mjs'), 'run', 'known.test.ts'], project, { SMTP_PORT: String(port) });
    const out = result.stdout + result.stderr;
    expect(result.status, out).toBe(1);
    expect(out).toMatch(/Tests\s+2 failed \(2\)/);
    expect(out.match(/Expect test to fail/g)).toHaveLength(2);
    expect(out).toContain('known/known.yaml:4:5: passed but marked xfail: the greeting was missing');
    expect(out).toMatch(/known\/known\.yaml:11:17: error: cannot read the TLS ca file .*missing-ca\.pem/);
  }, PROCESS_MS);

  it('type-checks a TypeScript consumer against the shipped .d.ts, and catches its mistakes', async () => {
    write(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, types: ['node'] }, files: ['consumer.ts'] }));
    write(join(project, 'consumer.ts'), `import { run, validate, type ConvospecEvent, type RunResult, type TestResult, type Diagnostic } from 'convospec';
import { defineSpecs, type SpecOptions } from 'convospec/vitest';

const seen: string[] = [];
const onEvent = (event: ConvospecEvent): void => {
  if (event.type === 'test-end') seen.push(event.result.test.name + ' ' + event.result.status);
  if (event.type === 'transcript') seen.push(event.entry.dir + ': ' + event.entry.text);
};
const result: RunResult = await run(['specs'], { env: process.env, vars: { user: 'alice' }, timeout: 5000, grep: /relay/, tags: ['smoke'], concurrency: 2, signal: AbortSignal.timeout(60_000), onEvent, reports: { junit: 'junit.xml', console: true } });
const failed: readonly TestResult[] = result.results.filter((r) => r.status === 'failed');
for (const r of failed) if (r.failure) console.log(r.failure.span.file, r.failure.span.line, r.failure.expected, r.failure.actual);
const diagnostics: readonly Diagnostic[] = (await validate({ files: { 'a.yaml': 'name: a' } })).diagnostics;
console.log(diagnostics.map((d) => d.code + ' ' + d.span.line), seen, result.summary.passed);
const options: SpecOptions = { env: process.env, name: 'mail' };
defineSpecs('specs', options);

// @ts-expect-error: not a status
if (result.status === 'green') console.log('never');
// @ts-expect-error: not a reporter
await run('specs', { reports: { tapp: 'x.tap' } });
// @ts-expect-error: a file reporter takes a path
await run('specs', { reports: { junit: true } });
// @ts-expect-error: the timeout is in milliseconds
await run('specs', { timeout: '5s' });
`);
    const result = await exec(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], project);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, PROCESS_MS);

  it('keeps the command: `convospec validate` from the installed package', async () => {
    const result = await exec(process.execPath, ['--', join(project, 'node_modules/convospec/dist/cli/main.js'), 'validate', 'specs'], project);
    expect(result.stdout).toBe('2 files valid (2 specs, 0 fragments)\n');
    expect(result.status).toBe(0);
  }, PROCESS_MS);
});
