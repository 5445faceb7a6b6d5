import { describe, expect, it } from 'vitest';
import { REPORTERS, loadReporter } from '../../src/report/registry.js';
import type { ReportFlag } from '../../src/report/types.js';
import { harness } from './fixtures.js';

describe('reporter registry', () => {
  it('knows console, junit, json, html, tap, github and transcripts, each a factory of reporters', async () => {
    expect(Object.keys(REPORTERS)).toEqual(['console', 'junit', 'json', 'html', 'tap', 'github', 'transcripts']);
    for (const name of Object.keys(REPORTERS)) {
      const factory = await loadReporter(name);
      const reporter = factory(harness({ outputPath: '/nonexistent/out' }).context);
      expect(typeof reporter).toBe('object');
    }
  });

  it('names the known reporters when asked for an unknown one', async () => {
    await expect(loadReporter('tape')).rejects.toThrow('unknown reporter "tape"; known: console, junit, json, html, tap, github, transcripts');
    await expect(loadReporter('toString')).rejects.toThrow(/unknown reporter/);
  });

  it('is a frozen map whose entries are typed by name', () => {
    expect(Object.isFrozen(REPORTERS)).toBe(true);
    // Typed: no `!` or `?.` needed, and a misspelt name does not compile.
    expect(REPORTERS.junit.flag.name).toBe('--junit');
    expect(REPORTERS.transcripts.loadMode.refused).toBe('no transcript is kept');
    // @ts-expect-error a reporter that is not in the map
    expect(REPORTERS.junti).toBeUndefined();
  });

  it('declares a flag for every file reporter, and what each does in load mode', () => {
    const flagOf = (flag: ReportFlag): string => (flag.argument !== undefined ? `${flag.name} <${flag.argument}> (${flag.output})` : flag.name);
    const declared = Object.entries(REPORTERS).map(([name, def]) => [name, 'flag' in def ? flagOf(def.flag) : 'always', def.loadMode]);
    expect(declared).toEqual([
      ['console', 'always', 'none'],
      ['junit', '--junit <file> (file)', 'events'],
      ['json', '--json <file> (file)', 'events'],
      ['html', '--html <file> (file)', 'events'],
      ['tap', '--tap <file> (file)', 'events'],
      ['github', '--github', 'events'],
      ['transcripts', '--transcripts <dir> (folder)', { refused: 'no transcript is kept' }],
    ]);
  });
});
