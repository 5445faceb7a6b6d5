/**
 * `--tap FILE`: TAP 14 as a real consumer (Perl's TAP::Parser, what `prove` runs) reads it:
 * a test point per test, skips as `# SKIP reason`, an `xfail` failure as `# TODO`, failures
 * with a YAML block (where, expected, received); hostile text cannot end the block or forge a
 * test point.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InvalidFile, TestResult } from '../../src/engine/events.js';
import { createTapReporter, tapReport } from '../../src/report/tap.js';
import { CWD, RESULTS, STARTED_AT, SUMMARY, entries, harness, play, runEvents, span, testInfo } from './fixtures.js';
import { havePerlTap, parseTap } from './tap-consumer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'convospec-tap-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runTap(events = runEvents()): Promise<string> {
  const outputPath = path.join(dir, 'out', 'run.tap');
  const { context } = harness({ outputPath });
  await play(createTapReporter(context), events);
  return readFile(outputPath, 'utf8');
}

describe.skipIf(!havePerlTap)('TAP reporter', () => {
  it('writes TAP 14 with a plan and a test point per test, in declaration order', async () => {
    const text = await runTap();
    expect(text.split('\n').slice(0, 2)).toEqual(['TAP version 14', '1..5']);
    const tap = parseTap(text);
    expect(tap.errors).toEqual([]);
    expect(tap.plan).toBe('1..5');
    expect(tap.points.map((p) => [p.number, p.ok, p.description, p.directive, p.explanation])).toEqual([
      [1, true, '- Submission port › EHLO lists STARTTLS', '', ''],
      [2, false, '- Submission port › AUTH PLAIN after STARTTLS', '', ''],
      [3, true, '- Submission port › delivers over LMTP', 'SKIP', 'no LMTP server here'],
      [4, false, '- Relay › relay is refused', '', ''],
      [5, false, '- Relay › greeting under load', '', ''],
    ]);
  });

  it('gives a failure a YAML block: message, where, expected, received', async () => {
    const tap = parseTap(await runTap());
    expect(tap.points[1]!.yaml).toEqual({
      message: 'expected reply code 235, got 535',
      kind: 'mismatch',
      at: 'specs/fragments/login.yaml:4:12',
      included_from: ['specs/submission.yaml:30:9'],
      step: 'authenticate',
      expected: '235',
      received: '535 5.7.8 Error: authentication failed',
      severity: 'fail',
      test: 'specs/submission.yaml:15:5',
      duration_ms: '1234',
    });
    expect(tap.points[3]!.yaml).toMatchObject({ severity: 'error', kind: 'error', at: 'specs/relay.yaml:3:7' });
    // Load mode: the sessions that ran and failed.
    expect(tap.points[4]!.yaml).toMatchObject({ runs: '200', failed_runs: '3', kind: 'timeout' });
  });

  it('writes an xfail test that failed as known as a TODO, and one that passed as a failure', async () => {
    const known: TestResult = { ...RESULTS[1]!, status: 'xfailed', xfail: 'server bug #12' };
    const passed: TestResult = { test: RESULTS[0]!.test, status: 'failed', durationMs: 3, xfail: 'server bug #12', transcript: [] };
    const text = tapReport({ suites: [], results: [known, passed], summary: SUMMARY, startedAt: STARTED_AT, cwd: CWD });
    const tap = parseTap(text);
    expect(tap.errors).toEqual([]);
    expect(tap.points.map((p) => [p.ok, p.actualOk, p.directive, p.explanation])).toEqual([
      [true, false, 'TODO', 'xfail: server bug #12'],
      [false, false, '', ''],
    ]);
    expect(tap.points[1]!.yaml).toMatchObject({ message: 'passed, but it is marked xfail: server bug #12' });
  });

  it('a reply full of `...`, `not ok`, `#`, `]]>` and control characters cannot break the TAP', async () => {
    const nasty = 'x\n  ...\nnot ok 99 - forged # SKIP \\ ]]> </script>\r\n\0\x1b[31m\ud800\ufffe';
    const test = testInfo(`suite # ${nasty}`, `name ${nasty}`, 'specs/nasty.yaml', 1);
    const result: TestResult = {
      test,
      status: 'failed',
      durationMs: 1,
      failure: { kind: 'mismatch', message: `msg ${nasty}`, span: span('specs/nasty.yaml', 2, 3), includedFrom: [], expected: nasty, actual: `${nasty}\n${nasty}` },
      transcript: entries(`s: ${nasty}`),
    };
    const skipped: TestResult = { test: testInfo('s', 'skip', 'specs/nasty.yaml', 9), status: 'skipped', durationMs: 0, skipReason: nasty, transcript: [] };
    const text = tapReport({ suites: [], results: [result, skipped], summary: SUMMARY, startedAt: STARTED_AT, cwd: CWD });
    expect(text).not.toMatch(/^not ok 99/m);
    const tap = parseTap(text);
    expect(tap.errors).toEqual([]);
    expect(tap.points.map((p) => [p.number, p.ok, p.directive])).toEqual([
      [1, false, ''],
      [2, true, 'SKIP'],
    ]);
    const shown = 'x\n  ...\nnot ok 99 - forged # SKIP \\ ]]> </script>\\x0d\n\\x00\\x1b[31m\\xed\\xa0\\x80\\xef\\xbf\\xbe';
    expect(tap.points[0]!.yaml).toMatchObject({ message: `msg ${shown}`, expected: shown, received: `${shown}\n${shown}` });
    // In a description `#` and `\` are escaped (TAP 14), so no directive is forged; TAP::Parser,
    // a TAP 13 reader, shows the escapes as written.
    expect(tap.points[0]!.description).toContain(String.raw`suite \# x\\x0a  ...\\x0anot ok 99 - forged \# SKIP \\ ]]>`);
    expect(tap.points[1]!.explanation).toBe(String.raw`x\x0a  ...\x0anot ok 99 - forged # SKIP \ ]]> </script>\x0d\x0a\x00\x1b[31m\xed\xa0\x80\xef\xbf\xbe`);
  });

  it('writes a failing test point per spec that did not load', async () => {
    const outputPath = path.join(dir, 'invalid.tap');
    const { context } = harness({ outputPath });
    const files: InvalidFile[] = [
      {
        file: `${CWD}/specs/a.yaml`,
        diagnostics: [{ code: 'unknown-key', span: span(`${CWD}/specs/a.yaml`, 3, 5), message: 'unknown key `contians`', hint: 'did you mean `contains`?' }],
        rendered: 'specs/a.yaml:3:5: unknown key `contians`\n   3 |     contians: x\n',
      },
    ];
    await createTapReporter(context).onInvalidSpecs!(files);
    const tap = parseTap(await readFile(outputPath, 'utf8'));
    expect(tap.errors).toEqual([]);
    expect(tap.points.map((p) => [p.ok, p.description])).toEqual([[false, '- invalid spec specs/a.yaml']]);
    expect(tap.points[0]!.yaml).toMatchObject({ message: 'unknown key `contians`', at: 'specs/a.yaml:3:5', diagnostics: files[0]!.rendered });
  });
});
