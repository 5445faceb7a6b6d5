/**
 * A `c:` line that a template turns into two (a CR or LF from `${env.X}`, `unbase64()`,
 * a quoted `'\r\n'`) fails its step before anything is written: one `c:` is one command.
 * The literal case is refused when the spec loads (`invalid/sem-c-line-break.yaml`).
 */
import { describe, expect, it } from 'vitest';
import { send, waitClose } from '../helpers/peer.js';
import { connection, positionOf, runSpec, setup } from '../engine/harness.js';

const { ws, peer } = setup();

describe('a c: line with a line break made by a template', () => {
  for (const [what, line, extra] of [
    ['an environment variable', 'EHLO ${env.CONVOSPEC_TEST_SMUGGLE}', ['--env-file', 'smuggle.env']],
    ['unbase64()', "EHLO ${unbase64('YQ0KTUFJTCBGUk9NOjw+')}", []],
    ['a quoted escape', "EHLO ${concat('a', '\\n', 'QUIT')}", []],
  ] as const) {
    it(`from ${what}: the step fails and the server receives nothing of it`, async () => {
      const server = await peer([send('220 mx\r\n'), waitClose()]);
      await ws().write('smuggle.env', 'CONVOSPEC_TEST_SMUGGLE="a\\r\\nMAIL FROM:<x@evil.test>"\n');
      const text = `name: smuggle\nconnect: { port: ${server.port}, protocol: smtp }\ntimeout: 3s\nsteps:\n  - s: 220\n  - c: "${line}"\n  - c: NOOP\n`;
      const run = await runSpec(ws(), 'smuggle.yaml', text, extra);
      // Errored, not failed: the spec (or its environment) is at fault, not the server.
      const failed = run.test('smuggle');
      expect(failed.status, run.console).toBe('errored');
      expect(failed.failure?.message).toMatch(/holds a CR or LF/);
      expect(failed.failure?.line).toBe(positionOf(text, 'c:', 'EHLO').line);
      const { received } = await connection(server);
      expect(received).toBe('');
    });
  }
});
