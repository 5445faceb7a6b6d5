import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SuiteInfo, TestResult } from '../../src/engine/events.js';
import { createTranscriptsReporter } from '../../src/report/transcripts.js';
import { slugify } from '../../src/report/slug.js';
import { RESULTS, entries, harness, play, runEvents, testInfo } from './fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'convospec-transcripts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function listing(root: string): Promise<string[]> {
  const found = await readdir(root, { recursive: true, withFileTypes: true });
  return found.filter((d) => d.isFile()).map((d) => path.relative(root, path.join(d.parentPath, d.name))).sort();
}

describe('transcripts reporter', () => {
  it('writes <dir>/<file-slug>/<test-slug>.txt per test', async () => {
    const outputPath = path.join(dir, 'transcripts');
    await play(createTranscriptsReporter(harness({ outputPath }).context), runEvents());
    expect(await listing(outputPath)).toEqual([
      'specs-relay/greeting-under-load.txt',
      'specs-relay/relay-is-refused.txt',
      'specs-submission/auth-plain-after-starttls.txt',
      'specs-submission/delivers-over-lmtp.txt',
      'specs-submission/ehlo-lists-starttls.txt',
    ]);
    const text = await readFile(path.join(outputPath, 'specs-submission/auth-plain-after-starttls.txt'), 'utf8');
    await expect(text).toMatchFileSnapshot('goldens/transcript-failed.txt');
    expect(await readFile(path.join(outputPath, 'specs-submission/delivers-over-lmtp.txt'), 'utf8')).toBe(
      'suite: Submission port\ntest: delivers over LMTP\nfile: specs/submission.yaml:40:5\nstatus: skipped (no LMTP server here)\n\n',
    );
  });

  it('gives the same names whatever order tests finish in, numbering clashes', async () => {
    const file = 'specs/clash.yaml';
    const tests = [testInfo('Clash', 'Send mail!', file, 1), testInfo('Clash', 'send  mail', file, 2), testInfo('Clash', 'SEND-MAIL', file, 3)];
    const suites: SuiteInfo[] = [{ file, name: 'Clash', tests }];
    const results: TestResult[] = tests.map((test) => ({ test, status: 'passed', durationMs: 1, transcript: entries(`c: ${test.name}`) }));
    for (const order of [[0, 1, 2], [2, 1, 0]]) {
      const outputPath = path.join(dir, order.join(''));
      const reporter = createTranscriptsReporter(harness({ outputPath }).context);
      await reporter.onRunStart!(suites, new Date(0));
      for (const i of order) await reporter.onTestEnd!(results[i]!);
      const names = await listing(outputPath);
      expect(names).toEqual(['specs-clash/send-mail-2.txt', 'specs-clash/send-mail-3.txt', 'specs-clash/send-mail.txt']);
      expect(await readFile(path.join(outputPath, 'specs-clash/send-mail-3.txt'), 'utf8')).toContain('c: SEND-MAIL');
    }
  });

  it('a test it was not told about still gets a file', async () => {
    const outputPath = path.join(dir, 't');
    await createTranscriptsReporter(harness({ outputPath }).context).onTestEnd!(RESULTS[0]!);
    expect(await listing(outputPath)).toEqual(['specs-submission/ehlo-lists-starttls.txt']);
  });
});

describe('slugify', () => {
  it.each([
    ['specs/Auth & TLS.yaml', 'specs-auth-tls'],
    ['../x/../y.yml', 'x-y'],
    ['Ünïcödé', 'unicode'],
    ['***', 'test'],
    ['a'.repeat(200), 'a'.repeat(80)],
    ['v1.2 greeting', 'v1.2-greeting'],
  ])('%s → %s', (text, slug) => {
    expect(slugify(text)).toBe(slug);
  });
});
