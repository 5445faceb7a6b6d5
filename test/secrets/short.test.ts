/**
 * Spec §7: a secret is masked as text wherever it occurs, so one of 1 character turns
 * `250` into `2***0`. A secret known at load time to be shorter than 4 characters (written
 * in the spec, from the environment or `--var`, or a `repeat` counter) is a warning at its
 * `secrets` entry: `validate` and `run` print it and go on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace, type Workspace } from '../helpers/cli.js';
import { goodPeer, type Peer } from '../hostile/peers.js';

let ws: Workspace;
let peer: Peer;

beforeAll(async () => {
  ws = await workspace();
  peer = await goodPeer();
});

afterAll(async () => {
  await peer.close();
  await ws.dispose();
});

function spec(vars: string, secrets: string, steps = ''): string {
  return `name: short
connect: { host: 127.0.0.1, port: ${peer.port}, protocol: smtp }
vars: ${vars}
secrets: ${secrets}
steps:
  - s: 220
${steps}  - c: NOOP
  - s: 250
`;
}

describe('a secret shorter than 4 characters', () => {
  it('is a warning at its `secrets` entry; validate passes', async () => {
    const file = await ws.write('one.yaml', spec('{ pass: "5", long: long-enough }', '[long, pass]'));
    const run = await ws.run(['validate', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('1 file valid (1 spec, 0 fragments)\n');
    expect(run.stderr).toContain('one.yaml:4:17: warning: the secret `pass` is 1 character long');
    expect(run.stderr).toContain('   4 | secrets: [long, pass]\n     |                 ^^^^ give it a value of 4 characters or more');
    expect(run.stderr).not.toContain('`long`');
  });

  it('run prints it and runs the tests', async () => {
    const file = await ws.write('run.yaml', spec('{ pass: "5" }', '[pass]'));
    const run = await ws.run(['run', file]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('run.yaml:4:11: warning: the secret `pass` is 1 character long');
    expect(run.stdout).toContain('1 passed');
  });

  it('from the environment, --var, `set`, `with:` and a repeat counter', async () => {
    await ws.write('frag.yaml', 'fragment: uses w\nsteps:\n  - c: NOOP ${w}\n  - s: 250\n');
    const steps = `  - set: { s: ab }
  - include: frag.yaml
    with: { w: xyz }
  - repeat: { times: 2, as: i, steps: [ { c: NOOP }, { s: 250 } ] }
`;
    const file = await ws.write('all.yaml', spec('{ e: "${env.SHORT_SECRET}", c: placeholder }', '[e, c, s, w, i]', steps));
    const run = await ws.run(['validate', file, '--var', 'c=no'], { env: { SHORT_SECRET: 'xy' } });
    expect(run.code).toBe(0);
    for (const name of ['e', 'c', 's', 'w']) expect(run.stderr).toMatch(new RegExp(`warning: the secret \`${name}\` is [23] characters long`));
    expect(run.stderr).toContain('warning: the secret `i` is a `repeat` counter');
  });

  it('no warning for 4 characters or more, nor for a value not known before the run', async () => {
    const file = await ws.write('fine.yaml', spec('{ pass: abcd, user: u, derived: "${user}" }', '[pass, derived]'));
    const run = await ws.run(['validate', file]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });

  it('an invalid file still fails, with its errors', async () => {
    const file = await ws.write('bad.yaml', spec('{ pass: "5", x: "${nope}" }', '[pass]'));
    const run = await ws.run(['validate', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown variable `nope`');
  });
});
