/** docs/format.md stays in step with the loader: its opening example is a fixture that loads. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURES, load, rendered } from './helpers.js';

const page = readFileSync(new URL('../../docs/format.md', import.meta.url), 'utf8');

describe('docs/format.md', () => {
  it('opens with the example that test/fixtures/spec/valid/format-example.yaml holds', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(page)?.[1];
    expect(example).toBe(readFileSync(`${FIXTURES}valid/format-example.yaml`, 'utf8'));
  });

  it('whose example validates', async () => {
    const result = await load(['valid/format-example.yaml']);
    expect(rendered(result)).toBe('');
    expect(result.suites).toHaveLength(1);
  });

  it('names every function the template language has', async () => {
    const { FUNCTIONS } = await import('../../src/template/index.js');
    for (const name of FUNCTIONS.keys()) expect(page).toContain(`\`${name}`);
  });

  it('shows a diagnostic the loader really prints', async () => {
    const shown = /```\n(specs\/auth\.yaml:[\s\S]*?)```/.exec(page)?.[1];
    const golden = readFileSync(`${FIXTURES}invalid/schema-matcher-unknown-key.golden`, 'utf8');
    expect(shown?.replaceAll('specs/auth.yaml', 'invalid/schema-matcher-unknown-key.yaml')).toBe(golden);
  });
});
