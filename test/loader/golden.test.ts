/**
 * Every invalid fixture, loaded alone, renders exactly its `.golden` file: the message,
 * the position (the offending key's or value's own line:col), the code frame and the
 * hint. Goldens are reviewed by hand; UPDATE_GOLDEN=1 rewrites them after a change.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, load, rendered } from './helpers.js';

const dir = join(FIXTURES, 'invalid');
const cases = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

describe('invalid specs render their golden diagnostics', () => {
  it('has fixtures', () => {
    expect(cases.length).toBeGreaterThan(50);
  });
  for (const file of cases) {
    it(file, async () => {
      const result = await load([`invalid/${file}`]);
      expect(result.diagnostics.length, 'an invalid fixture must produce diagnostics').toBeGreaterThan(0);
      expect(result.suites).toEqual([]);
      const text = rendered(result);
      const golden = join(dir, file.replace(/\.yaml$/, '.golden'));
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, text);
      expect(existsSync(golden), 'no golden yet: run with UPDATE_GOLDEN=1 and review it').toBe(true);
      expect(text).toBe(readFileSync(golden, 'utf8'));
    });
  }
});
