/** docs/testing-your-mailer.md shows the spec and the test of test/serve/mailer/ as they are. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const doc = readFileSync(new URL('../../docs/testing-your-mailer.md', import.meta.url), 'utf8');
const blocks = [...doc.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], text: m[2] }));

describe('docs/testing-your-mailer.md', () => {
  it('shows the spec the example test serves', () => {
    expect(blocks.find((b) => b.lang === 'yaml')?.text).toBe(readFileSync(new URL('mailer/mailer-faults.yaml', import.meta.url), 'utf8'));
  });

  it('shows the example test, with npx instead of the repository build', () => {
    const test = readFileSync(new URL('mailer/mailer.test.ts', import.meta.url), 'utf8');
    const shown = test
      .slice(test.indexOf('import { spawn'))
      .replace("import { builtCli } from '../../helpers/build.js';\n", '')
      .replace(/ {2}\/\/ In a project of your own: .*\n {2}server = spawn\(process\.execPath, \[builtCli\(\), /, "  server = spawn('npx', ['convospec', ");
    expect(blocks.find((b) => b.lang === 'ts')?.text).toBe(shown);
  });
});
