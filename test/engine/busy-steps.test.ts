/**
 * Steps that never wait (`set`, and `repeat`s of them, even of nothing): the test's
 * deadline and Ctrl-C still end them, and the other tests of the run go on (spec §3).
 */
import { describe, expect, it } from 'vitest';
import { hold, send } from '../helpers/peer.js';
import { expectFailed, positionOf, runSpec, setup } from './harness.js';

const { ws, peer } = setup();

/** 10^8 steps in all: hours of work, unless something ends it. */
const OUTER = 10_000;
const INNER = 10_000;

const busy = (port: number, deadline: string): string => `name: busy
connect: { port: ${port}, protocol: smtp }
tests:
  - name: nested
    deadline: ${deadline}
    steps:
      - repeat:
          times: ${OUTER}
          steps:
            - repeat:
                times: ${INNER}
                as: j
                steps:
                  - set: { x: "\${j}" } #busy
  - name: empty
    deadline: ${deadline}
    steps:
      - repeat: { times: ${OUTER * INNER}, steps: [] } #empty
  - name: quick
    steps:
      - set: { y: "1" }
`;

describe('steps that never wait', () => {
  it("end at the test's deadline, at the step that was running; the next test runs", async () => {
    const p = await peer([send('220 mx\r\n'), hold()]);
    const text = busy(p.port, '300ms');
    const run = await runSpec(ws(), 'busy.yaml', text);
    const nested = expectFailed(run, 'nested', "the test's deadline of 300ms was reached");
    expect(nested.failure).toMatchObject(positionOf(text, 'set', '#busy'));
    const empty = expectFailed(run, 'empty', "the test's deadline of 300ms was reached");
    expect(empty.failure).toMatchObject(positionOf(text, 'repeat', '#empty'));
    expect(run.test('quick').status).toBe('passed');
  });

  it('end at Ctrl-C: the run stops with 130', async () => {
    const p = await peer([send('220 mx\r\n'), hold()]);
    const file = await ws().write('busy-interrupted.yaml', busy(p.port, '10m'));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 300);
    const cli = await ws().run(['run', file], { signal: controller.signal }).finally(() => clearTimeout(timer));
    expect(cli.code, cli.stdout + cli.stderr).toBe(130);
  });
});
