/**
 * Specs against the embedded demo, through the real CLI in-process (`convospec demo`):
 * examples/, which asserts only what the RFCs require of any server (what `npm start` runs),
 * and test/demo/specs/, the demo's own texts and policies that examples/ does not assert.
 * Every test of both must pass: the demo offers every extension the examples require.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace, type Workspace } from '../helpers/cli.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

interface Report {
  readonly summary: { readonly total: number; readonly passed: number };
  readonly suites: readonly { readonly file: string; readonly tests: readonly { readonly name: string; readonly status: string; readonly failure?: { readonly message: string } }[] }[];
}

let ws: Workspace;
beforeAll(async () => {
  ws = await workspace();
});
afterAll(async () => {
  await ws.dispose();
});

/** Runs `convospec demo DIR` and returns what did not pass, as `file › test: status (why)`. A slow shared machine gets 2 minutes per run. */
async function runDemo(dir: string, report: string): Promise<{ code: number; report: Report; notPassed: string[] }> {
  const run = await ws.run(['demo', join(REPO, dir), '--json', report]);
  const json = JSON.parse(await readFile(join(ws.dir, report), 'utf8')) as Report;
  const notPassed = json.suites.flatMap((suite) =>
    suite.tests.filter((t) => t.status !== 'passed').map((t) => `${suite.file} › ${t.name}: ${t.status} (${t.failure?.message ?? ''})`),
  );
  return { code: run.code, report: json, notPassed };
}

describe('the demo', () => {
  it('passes every test of examples/, none skipped (what npm start runs)', async () => {
    const { code, report, notPassed } = await runDemo('examples', 'examples.json');
    expect(notPassed).toEqual([]);
    expect(code).toBe(0);
    expect(report.suites.length).toBeGreaterThanOrEqual(15);
    expect(report.summary.passed).toBe(report.summary.total);
  }, 120_000);

  it('passes its own specs (test/demo/specs/): its texts and policies', async () => {
    const { code, report, notPassed } = await runDemo('test/demo/specs', 'demo-specs.json');
    expect(notPassed).toEqual([]);
    expect(code).toBe(0);
    expect(report.suites.map((s) => s.file.replace(/^.*\//, '')).sort()).toEqual(['imap.yaml', 'smtp.yaml']);
  }, 120_000);
});
