/**
 * A long test keeps a bounded transcript (docs/guarantees.md): its first and last entries,
 * with one line saying how many were left out between them.
 */
import { describe, expect, it } from 'vitest';
import { TRANSCRIPT_HEAD, TRANSCRIPT_TAIL } from '../../src/engine/transcript.js';
import { goodPeer } from '../hostile/peers.js';
import { expectFailed, runSpec, setup } from './harness.js';

const { ws } = setup();

describe('a long transcript', () => {
  it('keeps its first and last entries and says how many lines were left out', async () => {
    const peer = await goodPeer();
    try {
      const rounds = 3000;
      const text = `name: long
connect: { port: ${peer.port}, protocol: smtp }
timeout: 5s
tests:
  - name: many rounds
    steps:
      - s: 220
      - repeat:
          times: ${rounds}
          as: i
          steps:
            - c: NOOP \${i}
            - s: 250
      - c: RSET
      - s: 550
`;
      const run = await runSpec(ws(), 'long.yaml', text);
      const t = expectFailed(run, 'many rounds', /expected reply code 550, got 250/);
      const transcript = t.transcript;
      // connect, greeting, 2 lines a round, RSET and its reply
      const all = 2 + 2 * rounds + 2;
      expect(transcript).toHaveLength(TRANSCRIPT_HEAD + 1 + TRANSCRIPT_TAIL);
      expect(transcript[0]!.text).toMatch(/^connect /);
      expect(transcript[1]!.text).toMatch(/^220 /);
      expect(transcript[TRANSCRIPT_HEAD]).toMatchObject({ dir: 'info', text: `… ${all - TRANSCRIPT_HEAD - TRANSCRIPT_TAIL} lines left out …` });
      expect(transcript.at(-2)).toMatchObject({ dir: 'c', text: 'RSET' });
      expect(transcript.at(-3)).toMatchObject({ dir: 's', text: '250 2.0.0 OK' });
      expect(transcript.at(-4)).toMatchObject({ dir: 'c', text: `NOOP ${rounds - 1}` });
      // in order of time, the left-out line aside
      const times = transcript.map((e) => e.atMs);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    } finally {
      await peer.close();
    }
  });
});
