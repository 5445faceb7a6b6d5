import { describe, expect, it } from 'vitest';
import { REPORTERS, loadReporter } from '../../src/report/registry.js';
import { harness } from './fixtures.js';

describe('reporter registry', () => {
  it('knows console, junit, json and transcripts, each a factory of reporters', async () => {
    expect(Object.keys(REPORTERS)).toEqual(['console', 'junit', 'json', 'transcripts']);
    for (const name of Object.keys(REPORTERS)) {
      const factory = await loadReporter(name);
      const reporter = factory(harness({ outputPath: '/nonexistent/out' }).context);
      expect(typeof reporter).toBe('object');
    }
  });

  it('names the known reporters when asked for an unknown one', async () => {
    await expect(loadReporter('tap')).rejects.toThrow('unknown reporter "tap"; known: console, junit, json, transcripts');
    await expect(loadReporter('toString')).rejects.toThrow(/unknown reporter/);
  });
});
