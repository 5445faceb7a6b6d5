/**
 * `validate` and `run` over a folder that holds other YAML beside the specs
 * (docker-compose.yml, CI files): the specs are checked and run, the rest is left alone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workspace, type Workspace } from '../helpers/cli.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('specs/a.yaml', 'name: A\nconnect: { port: 25 }\nsteps: [{ s: 220 }]\n');
  await ws.write('specs/docker-compose.yml', 'services:\n  mail: { image: postfix }\n');
  await ws.write('specs/.gitlab-ci.yml', 'stages: [test]\n');
});
afterEach(() => ws.dispose());

describe('a folder with other YAML', () => {
  it('validate checks the specs and says which files it skipped', async () => {
    const out = await ws.run(['validate', 'specs']);
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe('skipped (not a spec): specs/docker-compose.yml\n1 file valid (1 spec, 0 fragments)\n');
    expect(out.code).toBe(0);
  });

  it('run --list lists the spec\'s tests', async () => {
    const out = await ws.run(['run', 'specs', '--list']);
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe('specs/a.yaml:1: A › A\n');
    expect(out.code).toBe(0);
  });

  it('a YAML file named on the command line is checked strictly', async () => {
    const out = await ws.run(['validate', 'specs/docker-compose.yml']);
    expect(out.stderr).toContain('unknown key `services` in a spec file');
    expect(out.code).toBe(2);
  });
});
