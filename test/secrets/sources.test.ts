/**
 * Spec §7: a variable named in `secrets` is hidden whatever gave it its value — `vars`, `set`,
 * `capture`, a `repeat` counter, a fragment's `vars` or an include's `with:`, `--var`, the
 * environment — in every output: the console (default and `--verbose`), JUnit, JSON, HTML and
 * `--transcripts`, also when the server echoes it back. The built CLI, run as a child
 * process, against a scripted SMTP peer that repeats every secret it is sent.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from '../helpers/build.js';
import { workspace, type Workspace } from '../helpers/cli.js';
import { listen, smtpScript, type Peer } from '../hostile/peers.js';
import { jsonStrings, xmlStrings } from './leaks.js';
import { htmlStrings } from '../report/html-dom.js';

/** The value the server hands out for `capture`. */
const CAPTURED = 'CapSecret-Qx7-Wv2';

/**
 * Echoes what follows the verb, so every secret sent comes back; `X-ISSUE` hands out a
 * value to capture. `X-ECHO` answers 250: the spec expects 550, so each test fails on a
 * reply that holds the secret (the failure's `actual`, and the transcript every report shows).
 */
const echo = (code: number) => (conn: { socket: { write(s: string): void } }, line: string): void => {
  conn.socket.write(`${code} you said ${line.slice(line.indexOf(' ') + 1)}\r\n`);
};
const SCRIPT = {
  VRFY: echo(252),
  'X-ECHO': echo(250),
  'X-ISSUE': `250 2.0.0 Ok: queued as ${CAPTURED}\r\n`,
};

interface Source {
  /** The secret's text as it must never show (what was sent and echoed). */
  readonly secret: string;
  /** Steps that give `x` its value (after the greeting), and the file's other keys. */
  readonly steps?: string;
  readonly head?: string;
  readonly files?: Readonly<Record<string, string>>;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** What is sent and echoed: `${x}` unless the source says otherwise. */
  readonly sent?: string;
}

const SOURCES: Readonly<Record<string, Source>> = {
  vars: { secret: 'VarsSecret-Hd8-Lm3', head: 'vars: { x: VarsSecret-Hd8-Lm3 }' },
  set: { secret: 'SetSecret42-Rt5-Pq1', steps: '      - set: { x: SetSecret42-Rt5-Pq1 }' },
  capture: {
    secret: CAPTURED,
    steps: `      - c: X-ISSUE
      - s: { code: 250, capture: { x: '/queued as (\\S+)/' } }`,
  },
  // The counter is 0 or 1; what is built from it is secret too.
  repeat: {
    secret: 'RepSecret-Zk4-',
    steps: `      - repeat:
          times: 1
          as: x
          steps:
            - c: "VRFY \${concat('RepSecret-Zk4-', x)}"
            - s: 252
            - set: { y: "\${concat('RepSecret-Zk4-', x)}" }`,
    sent: '${y}',
  },
  'fragment vars': {
    secret: 'FragSecret-Nb6-Uy2',
    files: { 'frag-vars.yaml': 'fragment: sets x\nvars: { x: FragSecret-Nb6-Uy2 }\nsteps:\n  - c: VRFY ${x}\n  - s: 252\n  - set: { y: "${x}" }\n' },
    steps: '      - include: frag-vars.yaml',
    sent: '${y}',
  },
  'include with': {
    secret: 'WithSecret-Gf3-Ty9',
    files: { 'frag-with.yaml': 'fragment: uses x\nsteps:\n  - c: VRFY ${x}\n  - s: 252\n' },
    steps: '      - include: frag-with.yaml\n        with: { x: WithSecret-Gf3-Ty9 }',
    sent: 'WithSecret-Gf3-Ty9',
  },
  '--var': { secret: 'CliSecret-Jk2-Op5', head: 'vars: { x: not-the-secret }', args: ['--var', 'x=CliSecret-Jk2-Op5'] },
  env: { secret: 'EnvSecret-Wq1-Zx8', head: 'vars: { x: "${env.SOURCES_SECRET}" }', env: { SOURCES_SECRET: 'EnvSecret-Wq1-Zx8' } },
};

const OUTPUTS: Readonly<Record<string, readonly string[]>> = {
  console: [],
  '--verbose': ['--verbose'],
  '--junit': ['--junit', 'out/junit.xml'],
  '--json': ['--json', 'out/report.json'],
  '--html': ['--html', 'out/report.html'],
  '--transcripts': ['--transcripts', 'out/transcripts'],
};

let cli: string;
let ws: Workspace;
let peer: Peer;

beforeAll(async () => {
  cli = builtCli();
  ws = await workspace();
  peer = await listen(smtpScript(SCRIPT));
}, 200_000);

afterAll(async () => {
  await peer.close();
  await ws.dispose();
});

function spec(name: string, source: Source): string {
  const sent = source.sent ?? '${x}';
  const names = source.sent === '${y}' ? '[x, y]' : '[x]';
  return `name: ${name}
timeout: 2s
connect: { host: 127.0.0.1, port: ${peer.port}, protocol: smtp }
${source.head ?? ''}
secrets: ${names}
tests:
  - name: ${name}
    steps:
      - s: 220
${source.steps ?? ''}
      - c: VRFY ${sent}
      - s: 252
      - c: X-ECHO ${sent}
      - s: 550
`;
}

/** Every file under `dir`, as text (raw and, for reports, decoded from XML or JSON). */
async function filesUnder(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of await readdir(dir, { recursive: true }).catch(() => [] as string[])) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    out.set(name, text);
    if (name.endsWith('.xml')) out.set(`${name} (decoded)`, xmlStrings(text));
    if (name.endsWith('.json')) out.set(`${name} (decoded)`, jsonStrings(text));
    if (name.endsWith('.html')) out.set(`${name} (decoded)`, htmlStrings(text));
  }
  return out;
}

/** `convospec run` as a child process (asynchronously: the peer lives in this process). */
async function runCli(args: readonly string[], cwd: string, env: Readonly<Record<string, string>> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, 'run', ...args], { cwd, env: { PATH: process.env.PATH, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(killer);
  return { status, stdout, stderr };
}

const KILL_AFTER_MS = 30_000;

const cases = Object.keys(SOURCES).flatMap((source) => Object.keys(OUTPUTS).map((output) => [source, output] as const));

describe('a secret variable is hidden whatever its source, in every output', () => {
  it.each(cases)('%s × %s', async (sourceName, outputName) => {
    const source = SOURCES[sourceName]!;
    const dir = `${sourceName.replace(/\W+/g, '-')}-${outputName.replace(/\W+/g, '')}`;
    for (const [file, text] of Object.entries(source.files ?? {})) await ws.write(`${dir}/${file}`, text);
    const file = await ws.write(`${dir}/spec.yaml`, spec(sourceName, source));
    const run = await runCli([file, ...(source.args ?? []), ...OUTPUTS[outputName]!], join(ws.dir, dir), source.env);
    // The run went as far as the last step, which failed on the echo.
    expect(run.status, run.stdout + run.stderr).toBe(1);
    const outputs = new Map<string, string>([
      ['stdout', run.stdout],
      ['stderr', run.stderr],
    ]);
    for (const [name, text] of await filesUnder(join(ws.dir, dir, 'out'))) outputs.set(name, text);
    if (outputName !== 'console' && outputName !== '--verbose') expect(outputs.size, 'the report was written').toBeGreaterThan(2);
    const shown = outputName === 'console' || outputName === '--verbose' ? run.stdout : [...outputs.values()].slice(2).join('\n');
    expect(shown).toContain('you said ***');
    for (const [where, text] of outputs) expect(text.includes(source.secret), `${where} shows the secret:\n${text}`).toBe(false);
  });
});

describe('a captured secret the server said before it was captured', () => {
  it('is hidden in the kept transcript (JSON, JUnit, --transcripts) from its first line', async () => {
    const file = await ws.write(
      'earlier/spec.yaml',
      `name: earlier
timeout: 2s
connect: { host: 127.0.0.1, port: ${peer.port}, protocol: smtp }
secrets: [x]
steps:
  - s: 220
  - c: X-ISSUE
  - s: 250
  - c: X-ISSUE
  - s: { code: 250, capture: { x: '/queued as (\\S+)/' } }
  - c: X-ECHO \${x}
  - s: 550
`,
    );
    const run = await runCli([file, '--json', 'out/report.json', '--junit', 'out/junit.xml', '--transcripts', 'out/transcripts'], join(ws.dir, 'earlier'));
    expect(run.status, run.stdout + run.stderr).toBe(1);
    const outputs = await filesUnder(join(ws.dir, 'earlier/out'));
    expect(outputs.size).toBeGreaterThan(2);
    expect(run.stdout).toContain('250 2.0.0 Ok: queued as ***');
    for (const [where, text] of [['stdout', run.stdout] as const, ...outputs]) {
      expect(text.includes(CAPTURED), `${where} shows the secret:\n${text}`).toBe(false);
    }
  });
});
