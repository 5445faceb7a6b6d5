/**
 * `--shard auto/n`: in a Kubernetes Indexed Job each pod has `JOB_COMPLETION_INDEX` (0-based);
 * convospec takes shard index + 1 of n from it, and says what is wrong when it is missing
 * or out of range.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace, type Workspace } from '../helpers/cli.js';

let ws: Workspace;

beforeAll(async () => {
  ws = await workspace();
  const tests = ['t1', 't2', 't3', 't4'].map((n) => `  - name: ${n}\n    steps: [{ s: 220 }]\n`).join('');
  await ws.write('four.yaml', `name: four\nconnect: { host: 127.0.0.1, port: 25, protocol: smtp }\ntests:\n${tests}`);
});
afterAll(async () => {
  await ws.dispose();
});

const listed = (stdout: string): string[] => stdout.trim().split('\n').map((l) => l.replace(/^.* › /, ''));

describe('--shard auto/n', () => {
  it('is shard JOB_COMPLETION_INDEX + 1 of n, the same as i/n', async () => {
    for (const index of [0, 1, 2, 3]) {
      const auto = await ws.run(['run', 'four.yaml', '--shard', 'auto/4', '--list'], { env: { JOB_COMPLETION_INDEX: String(index) } });
      const given = await ws.run(['run', 'four.yaml', '--shard', `${index + 1}/4`, '--list']);
      expect(auto.code).toBe(0);
      expect(listed(auto.stdout)).toEqual([`t${index + 1}`]);
      expect(auto.stdout).toBe(given.stdout);
    }
  });

  it('says what is wrong without JOB_COMPLETION_INDEX, or with one out of range', async () => {
    const unset = await ws.run(['run', 'four.yaml', '--shard', 'auto/4', '--list']);
    expect([unset.code, unset.stderr]).toEqual([2, 'convospec: --shard auto/4 takes its index from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job\'s pod), which is not set: give --shard i/n\n']);
    const out = await ws.run(['run', 'four.yaml', '--shard', 'auto/4', '--list'], { env: { JOB_COMPLETION_INDEX: '4' } });
    expect([out.code, out.stderr]).toEqual([2, 'convospec: --shard auto/4: JOB_COMPLETION_INDEX is "4", not a whole number from 0 to 3 (the Job\'s completions must equal n)\n']);
    const junk = await ws.run(['run', 'four.yaml', '--shard', 'auto/4', '--list'], { env: { JOB_COMPLETION_INDEX: '-1' } });
    expect(junk.code).toBe(2);
  });
});
