/**
 * Reporters print only what the events hold. The engine redacts secrets before events;
 * a reporter that drew a code frame from the spec file on disk would bypass that. This
 * test puts a secret on the very line a failure points at and checks no output shows it.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { TestResult } from '../../src/engine/events.js';
import { REPORTERS } from '../../src/report/registry.js';
import { entries, harness, play, span, testInfo } from './fixtures.js';

const SECRET = 'hunter2-do-not-print';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'convospec-secret-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('no reporter reads a spec file: a secret on the failing line never reaches any output', async () => {
  await mkdir(path.join(dir, 'specs'));
  await writeFile(path.join(dir, 'specs/auth.yaml'), `name: Auth\ntests:\n  - name: login\n    steps:\n      - c: AUTH PLAIN ${SECRET}\n      - s: 235\n`);
  const file = path.join(dir, 'specs/auth.yaml');
  const test = testInfo('Auth', 'login', file, 3);
  const result: TestResult = {
    test,
    status: 'failed',
    durationMs: 5,
    failure: { kind: 'mismatch', message: 'expected reply code 235, got 535', span: span(file, 5, 9), includedFrom: [span(file, 5, 9)], expected: '235', actual: '535' },
    transcript: entries('c: AUTH PLAIN ***', 's: 535 5.7.8 no'),
  };
  const outputs: string[] = [];
  for (const [name, def] of Object.entries(REPORTERS)) {
    const out = path.join(dir, 'out', name);
    const h = harness({ cwd: dir, verbose: true, color: true, isTTY: true, outputPath: out });
    await play((await def.create())(h.context), [
      { type: 'run-start', suites: [{ file, name: 'Auth', tests: [test] }], startedAt: new Date(0) },
      { type: 'test-start', test },
      ...result.transcript.map((entry) => ({ type: 'transcript' as const, test, entry })),
      { type: 'test-end', result },
      { type: 'run-end', results: [result], summary: { passed: 0, failed: 1, errored: 0, skipped: 0, durationMs: 5, interrupted: false } },
    ]);
    outputs.push(h.stdout.text, h.stderr.text);
  }
  const written = await readdir(path.join(dir, 'out'), { recursive: true, withFileTypes: true });
  for (const f of written.filter((d) => d.isFile())) outputs.push(await readFile(path.join(f.parentPath, f.name), 'utf8'));
  expect(outputs.join('\n')).toContain('AUTH PLAIN ***');
  expect(outputs.join('\n')).toContain('specs/auth.yaml:5:9');
  expect(outputs.join('\n')).not.toContain(SECRET);
});
