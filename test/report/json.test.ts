import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InvalidFile } from '../../src/engine/events.js';
import { JSON_REPORT_VERSION, createJsonReporter } from '../../src/report/json.js';
import type { JsonReport } from '../../src/report/json.js';
import { CWD, harness, play, runEvents, span } from './fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'convospec-json-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function report(play_: (r: ReturnType<typeof createJsonReporter>) => Promise<void>): Promise<JsonReport> {
  const outputPath = path.join(dir, 'out', 'report.json');
  const reporter = createJsonReporter(harness({ outputPath }).context);
  await play_(reporter);
  return JSON.parse(await readFile(outputPath, 'utf8')) as JsonReport;
}

describe('JSON reporter', () => {
  it('writes the versioned shape of docs/json-report.md', async () => {
    const json = await report((r) => play(r, runEvents()));
    expect(json.convospec).toBe(JSON_REPORT_VERSION);
    expect(json.startedAt).toBe('2025-01-02T03:04:05.678Z');
    expect(json.durationMs).toBe(66_789);
    expect(json.summary).toEqual({ total: 5, passed: 1, failed: 2, errored: 1, skipped: 1, interrupted: false });
    expect(json.invalid).toEqual([]);
    expect(json.suites.map((s) => [s.file, s.name, s.tests.map((t) => [t.name, t.status])])).toEqual([
      ['specs/submission.yaml', 'Submission port', [['EHLO lists STARTTLS', 'passed'], ['AUTH PLAIN after STARTTLS', 'failed'], ['delivers over LMTP', 'skipped']]],
      ['specs/relay.yaml', 'Relay', [['relay is refused', 'errored'], ['greeting under load', 'failed']]],
    ]);
  });

  it('describes a failure with its place, includes, step, expected and actual', async () => {
    const json = await report((r) => play(r, runEvents()));
    const auth = json.suites[0]!.tests[1]!;
    expect(auth).toMatchObject({ line: 15, col: 5, tags: [], durationMs: 1234 });
    expect(auth.failure).toEqual({
      kind: 'mismatch',
      message: 'expected reply code 235, got 535',
      file: 'specs/fragments/login.yaml',
      line: 4,
      col: 12,
      endLine: 4,
      endCol: 15,
      includedFrom: [{ file: 'specs/submission.yaml', line: 30, col: 9 }],
      stepName: 'authenticate',
      expected: '235',
      actual: '535 5.7.8 Error: authentication failed',
    });
    expect(auth.transcript.at(-2)).toEqual({ dir: 'c', text: 'AUTH PLAIN ***', atMs: 54 });
  });

  it('omits what a test does not have, keeps skip reasons and load counts', async () => {
    const json = await report((r) => play(r, runEvents()));
    const [ehlo, , lmtp] = json.suites[0]!.tests;
    expect(Object.keys(ehlo!).sort()).toEqual(['col', 'durationMs', 'line', 'name', 'status', 'tags', 'transcript']);
    expect(lmtp).toMatchObject({ status: 'skipped', skipReason: 'no LMTP server here', transcript: [] });
    expect(json.suites[1]!.tests[1]).toMatchObject({ runs: 200, failedRuns: 3, failure: { kind: 'timeout' } });
  });

  it('writes the invalid-spec shape when nothing ran', async () => {
    const files: InvalidFile[] = [
      {
        file: `${CWD}/specs/a.yaml`,
        diagnostics: [
          { code: 'unknown-key', span: span(`${CWD}/specs/a.yaml`, 3, 5), message: 'unknown key `contians`', hint: 'did you mean `contains`?' },
          { code: 'fragment-param-missing', span: span('specs/frag.yaml', 2, 1), message: 'missing parameter `user`', includedFrom: [span(`${CWD}/specs/a.yaml`, 9, 7)] },
        ],
        rendered: 'specs/a.yaml:3:5: unknown key `contians`\n',
      },
    ];
    const json = await report((r) => r.onInvalidSpecs!(files) as Promise<void>);
    expect(json).toEqual({
      convospec: 1,
      startedAt: '2025-01-02T03:04:05.678Z',
      durationMs: 0,
      summary: { total: 0, passed: 0, failed: 0, errored: 0, skipped: 0, interrupted: false },
      suites: [],
      invalid: [
        {
          file: 'specs/a.yaml',
          diagnostics: [
            { file: 'specs/a.yaml', line: 3, col: 5, endLine: 3, endCol: 8, code: 'unknown-key', message: 'unknown key `contians`', hint: 'did you mean `contains`?', includedFrom: [] },
            { file: 'specs/frag.yaml', line: 2, col: 1, endLine: 2, endCol: 4, code: 'fragment-param-missing', message: 'missing parameter `user`', includedFrom: [{ file: 'specs/a.yaml', line: 9, col: 7 }] },
          ],
          rendered: 'specs/a.yaml:3:5: unknown key `contians`\n',
        },
      ],
    });
  });

  it('stays valid JSON whatever the text holds (NUL, ESC, lone surrogates)', async () => {
    const events = runEvents();
    const nasty = 'a\0b\x1b\ud800';
    const json = await report((r) =>
      play(r, [...events.slice(0, -1), { type: 'run-end', results: [{ test: { ...events.find((e) => e.type === 'test-end')!.result.test }, status: 'passed', durationMs: 1, transcript: [{ dir: 's', text: nasty, atMs: 0 }] }], summary: { passed: 1, failed: 0, errored: 0, skipped: 0, durationMs: 1, interrupted: false } }]),
    );
    expect(json.suites[0]!.tests[0]!.transcript[0]!.text).toBe(nasty);
  });
});
