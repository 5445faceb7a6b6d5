import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InvalidFile, TestResult } from '../../src/engine/events.js';
import { createJunitReporter, junitXml } from '../../src/report/junit.js';
import { REPLY_CAP_CHARS } from '../../src/report/reply-cap.js';
import { findAll, parseXml } from './xml.js';
import { CWD, RESULTS, STARTED_AT, entries, harness, play, runEvents, span, testInfo } from './fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'convospec-junit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runJunit(events = runEvents()): Promise<string> {
  const outputPath = path.join(dir, 'nested', 'reports', 'junit.xml');
  const { context } = harness({ outputPath });
  await play(createJunitReporter(context), events);
  return readFile(outputPath, 'utf8');
}

describe('JUnit reporter', () => {
  it('writes the report, creating parent folders (golden)', async () => {
    await expect(await runJunit()).toMatchFileSnapshot('goldens/junit-run.xml');
  });

  it('has a <testsuite> per file and a <testcase> per test, in declaration order', async () => {
    const root = parseXml(await runJunit());
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ name: 'convospec', tests: '5', failures: '2', errors: '1', skipped: '1' });
    const suites = findAll(root, 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual(['Submission port', 'Relay']);
    expect(suites[0]!.attrs).toMatchObject({ tests: '3', failures: '1', errors: '0', skipped: '1', time: '1.246', timestamp: '2025-01-02T03:04:05.678Z' });
    const cases = findAll(root, 'testcase');
    expect(cases.map((c) => [c.attrs.classname, c.attrs.name, c.attrs.file, c.attrs.time])).toEqual([
      // The class is the file without `.yaml`: Jenkins splits a class name at its last dot.
      ['specs/submission', 'EHLO lists STARTTLS', 'specs/submission.yaml', '0.012'],
      ['specs/submission', 'AUTH PLAIN after STARTTLS', 'specs/submission.yaml', '1.234'],
      ['specs/submission', 'delivers over LMTP', 'specs/submission.yaml', '0'],
      // An absolute path inside cwd is shown relative to it.
      ['specs/relay', 'relay is refused', 'specs/relay.yaml', '0.003'],
      ['specs/relay', 'greeting under load', 'specs/relay.yaml', '65.432'],
    ]);
  });

  it('uses <failure> for the server\'s doing, <error> for ours, <skipped> for skip', async () => {
    const cases = findAll(parseXml(await runJunit()), 'testcase');
    const [passed, failed, skipped, errored, load] = cases.map((c) => c.children.map((e) => e.name));
    expect([passed, failed, skipped, errored, load]).toEqual([['system-out'], ['failure', 'system-out'], ['skipped', 'system-out'], ['error', 'system-out'], ['failure', 'system-out']]);

    const failure = findAll(cases[1]!, 'failure')[0]!;
    expect(failure.attrs).toEqual({ message: 'expected reply code 235, got 535', type: 'mismatch' });
    expect(failure.text).toBe(
      'specs/fragments/login.yaml:4:12: expected reply code 235, got 535\nincluded from specs/submission.yaml:30:9\nstep: authenticate\nexpected: 235\nactual:   535 5.7.8 Error: authentication failed',
    );
    const error = findAll(cases[3]!, 'error')[0]!;
    expect(error.attrs).toEqual({ message: 'cannot read the CA file certs/ca.pem: ENOENT', type: 'error' });
    expect(findAll(cases[2]!, 'system-out')[0]!.text).toBe('skipped: no LMTP server here\n');
    expect(findAll(cases[2]!, 'skipped')[0]!.attrs).toEqual({ message: 'no LMTP server here' });
  });

  it('puts the transcript in <system-out> in the format\'s own words', async () => {
    const cases = findAll(parseXml(await runJunit()), 'testcase');
    const out = findAll(cases[1]!, 'system-out')[0]!.text.split('\n');
    expect(out.slice(0, 3)).toEqual(['-- connect 127.0.0.1:587', 's: 220 mail.convospec.test ESMTP', 'c: EHLO client.test']);
    expect(out).toContain('-- tls TLSv1.3 TLS_AES_256_GCM_SHA384, authorized');
    expect(out.slice(-3)).toEqual(['c: AUTH PLAIN ***', 's: 535 5.7.8 Error: authentication failed', '']);
  });

  it('load mode: one testcase per test, the run counts in the message and system-out', async () => {
    const load = findAll(parseXml(await runJunit()), 'testcase')[4]!;
    expect(findAll(load, 'failure')[0]!.attrs.message).toBe('3 of 200 runs failed: no reply within 10s (waiting for the greeting)');
    expect(findAll(load, 'system-out')[0]!.text).toBe('runs: 200, failed: 3\n-- connect 127.0.0.1:25\n');
  });

  it('control characters, lone surrogates and `]]>` never break the XML, and stay visible', async () => {
    const nasty = 'a\0b\x1b[31m\x07\ud800\ufffe ]]> x ]]> <&">';
    const test = testInfo(`suite${nasty}`, `name${nasty}`, 'specs/na\x01sty.yaml', 1);
    const result: TestResult = {
      test,
      status: 'failed',
      durationMs: 1,
      failure: { kind: 'mismatch', message: `msg${nasty}`, span: span('specs/na\x01sty.yaml', 2, 3), includedFrom: [], actual: `line1\r\n${nasty}` },
      transcript: entries(`s: ${nasty}`, `s: ${nasty}`),
    };
    const xml = junitXml({ suites: [], results: [result], startedAt: STARTED_AT, cwd: CWD });
    const root = parseXml(xml);
    const shown = 'a\\x00b\\x1b[31m\\x07\\xed\\xa0\\x80\\xef\\xbf\\xbe ]]> x ]]> <&">';
    const testCase = findAll(root, 'testcase')[0]!;
    expect(findAll(root, 'testsuite')[0]!.attrs.name).toBe(`suite${shown}`);
    expect(testCase.attrs).toMatchObject({ name: `name${shown}`, classname: 'specs/na\\x01sty' });
    expect(findAll(testCase, 'failure')[0]!.attrs.message).toBe(`msg${shown}`);
    const cdata = shown.replaceAll(']]>', ']]\\x3e');
    expect(findAll(testCase, 'failure')[0]!.text).toContain(`actual:   line1\\x0d\n          ${cdata}`);
    expect(findAll(testCase, 'system-out')[0]!.text).toBe(`s: ${cdata}\ns: ${cdata}\n`);
  });

  it('keeps at most REPLY_CAP_CHARS of one huge reply, and says how much was left out', async () => {
    // A 4 MB FETCH: 65,536 lines of 64 characters, then the tagged OK, then our next command.
    const line = 'x'.repeat(62);
    const big = Array.from({ length: 65_536 }, () => `s: ${line}`);
    const test = testInfo('IMAP', 'huge fetch', 'specs/imap.yaml', 1);
    const result: TestResult = {
      test,
      status: 'failed',
      durationMs: 1,
      failure: { kind: 'mismatch', message: 'expected OK', span: span('specs/imap.yaml', 2, 3), includedFrom: [], actual: big.join('\n') },
      transcript: entries('c: a1 FETCH 1 BODY[]', ...big, 's: a1 OK done', 'c: a2 LOGOUT', 's: * BYE'),
    };
    const xml = junitXml({ suites: [], results: [result], startedAt: STARTED_AT, cwd: CWD });
    expect(xml.length).toBeLessThan(3 * REPLY_CAP_CHARS);
    const testCase = findAll(parseXml(xml), 'testcase')[0]!;
    const out = findAll(testCase, 'system-out')[0]!.text.split('\n');
    expect(out[0]).toBe('c: a1 FETCH 1 BODY[]');
    // 65,536 × 62 + 10 characters came; 1,057 lines and 2 characters of the next one are kept.
    expect(out).toContain('-- … 3,997,706 more characters of this reply left out (64,480 lines; a report keeps 65,536 per reply)');
    // What follows the reply is kept.
    expect(out.slice(-3)).toEqual(['c: a2 LOGOUT', 's: * BYE', '']);
    expect(findAll(testCase, 'failure')[0]!.text).toMatch(/more characters of this reply left out/);
  });

  it('writes one <error> case per invalid spec file, with the rendered diagnostics', async () => {
    const outputPath = path.join(dir, 'junit.xml');
    const { context } = harness({ outputPath });
    const files: InvalidFile[] = [
      {
        file: `${CWD}/specs/a.yaml`,
        diagnostics: [
          { code: 'unknown-key', span: span(`${CWD}/specs/a.yaml`, 3, 5), message: 'unknown key `contians`', hint: 'did you mean `contains`?' },
          { code: 'missing-key', span: span(`${CWD}/specs/a.yaml`, 9, 1), message: 'missing `steps`' },
        ],
        rendered: 'specs/a.yaml:3:5: unknown key `contians`\n   3 |     contians: x\n',
      },
      { file: 'specs/b.yaml', diagnostics: [{ code: 'missing-key', span: span('specs/b.yaml', 1, 1), message: 'missing `name`' }], rendered: 'specs/b.yaml:1:1: missing `name`\n' },
    ];
    await createJunitReporter(context).onInvalidSpecs!(files);
    const xml = await readFile(outputPath, 'utf8');
    await expect(xml).toMatchFileSnapshot('goldens/junit-invalid.xml');
    const root = parseXml(xml);
    expect(root.attrs).toMatchObject({ tests: '2', failures: '0', errors: '2' });
    const cases = findAll(root, 'testcase');
    expect(cases.map((c) => c.attrs.classname)).toEqual(['specs/a', 'specs/b']);
    const error = findAll(cases[0]!, 'error')[0]!;
    expect(error.attrs).toEqual({ message: 'specs/a.yaml:3:5: unknown key `contians` (and 1 more)', type: 'invalid-spec' });
    expect(error.text).toBe(files[0]!.rendered);
  });

  it('refuses to be created without an output path', () => {
    expect(() => createJunitReporter(harness().context)).toThrow(/junit reporter needs an output path/);
  });

  it('keeps results of tests it was never told about (no run-start)', async () => {
    const xml = junitXml({ suites: [], results: [RESULTS[4]!, RESULTS[0]!], startedAt: STARTED_AT, cwd: CWD });
    expect(findAll(parseXml(xml), 'testsuite').map((s) => s.attrs.name)).toEqual(['Relay', 'Submission port']);
  });
});
