import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/report/dispatch.js';
import { ReportWriteError } from '../../src/report/output-file.js';
import type { Reporter } from '../../src/report/types.js';
import { RESULTS, SUMMARY, runEvents } from './fixtures.js';

describe('the dispatcher', () => {
  it('hands every event to every reporter in order; a report that cannot be written is dropped once, the others go on', async () => {
    const heard: string[] = [];
    const listener = (name: string): Reporter => ({
      onRunStart: () => void heard.push(`${name} run-start`),
      onTestEnd: (r) => void heard.push(`${name} ${r.test.name}`),
      onLoadEnd: () => void heard.push(`${name} load-end`),
      onRunEnd: () => void heard.push(`${name} run-end`),
    });
    let calls = 0;
    const broken: Reporter = {
      onTestEnd: () => {
        calls += 1;
        throw new ReportWriteError('cannot write /x/y: no space left on the device');
      },
    };
    const reports = createDispatcher([listener('a'), broken, listener('b')]);
    const events = runEvents().filter((e) => e.type !== 'run-end');
    // As the engine emits them: without waiting for the one before.
    await Promise.all([...events, { type: 'load-end', statistics: {} } as const, { type: 'run-end', results: RESULTS, summary: SUMMARY } as const].map((e) => reports.emit(e)));
    expect(calls).toBe(1);
    expect(reports.failures()).toEqual(['cannot write /x/y: no space left on the device']);
    expect(heard.filter((h) => h.startsWith('a '))).toEqual(heard.filter((h) => h.startsWith('b ')).map((h) => h.replace(/^b/, 'a')));
    expect(heard.filter((h) => h.startsWith('a '))).toEqual([
      'a run-start',
      'a AUTH PLAIN after STARTTLS',
      'a EHLO lists STARTTLS',
      'a relay is refused',
      'a delivers over LMTP',
      'a greeting under load',
      'a load-end',
      'a run-end',
    ]);
  });

  it('lets any other error through: a reporter bug is no report-write failure', async () => {
    const reports = createDispatcher([{ onRunStart: () => { throw new TypeError('bug'); } }]);
    await expect(reports.emit(runEvents()[0]!)).rejects.toThrow('bug');
  });
});
