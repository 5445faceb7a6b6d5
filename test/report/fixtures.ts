/** Synthetic runs: what the engine would emit, built by hand. */
import { Writable } from 'node:stream';
import type { Failure, RunEvent, RunSummary, SuiteInfo, TestInfo, TestResult, TranscriptEntry } from '../../src/engine/events.js';
import { dispatchEvent } from '../../src/report/dispatch.js';
import type { Reporter, ReporterContext } from '../../src/report/types.js';
import type { Span } from '../../src/kernel/span.js';

export const CWD = '/srv/project';
export const STARTED_AT = new Date('2025-01-02T03:04:05.678Z');

export function span(file: string, line: number, col: number, width = 3): Span {
  return { file, line, col, endLine: line, endCol: col + width };
}

export function testInfo(suite: string, name: string, file: string, line: number, tags: string[] = []): TestInfo {
  return { file, suite, name, span: span(file, line, 5, name.length), tags };
}

export function entries(...lines: string[]): TranscriptEntry[] {
  return lines.map((line, i) => {
    const [head, ...rest] = line.split(' ');
    const text = rest.join(' ');
    if (head === 'c:') return { dir: 'c', text, atMs: i * 3 };
    if (head === 's:') return { dir: 's', text, atMs: i * 3 };
    if (head === 'tls') return { dir: 'tls', text, atMs: i * 3 };
    return { dir: 'info', text: line.replace(/^-- /, ''), atMs: i * 3 };
  });
}

/** A captured stream: everything written, as one string. */
export class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

export interface Harness {
  readonly context: ReporterContext;
  readonly stdout: Capture;
  readonly stderr: Capture;
}

export function harness(options: Partial<Omit<ReporterContext, 'stdout' | 'stderr'>> = {}): Harness {
  const stdout = new Capture();
  const stderr = new Capture();
  let tick = 0;
  const context: ReporterContext = {
    cwd: CWD,
    color: false,
    isTTY: false,
    verbose: false,
    // A clock that moves 100ms per reading: deterministic, and "long" after 10 readings.
    now: () => new Date(STARTED_AT.getTime() + 100 * tick++),
    ...options,
    stdout,
    stderr,
  };
  return { context, stdout, stderr };
}

// --- one realistic run -----------------------------------------------------------------

const SUBMISSION = 'specs/submission.yaml';
const RELAY = `${CWD}/specs/relay.yaml`;

const ehlo = testInfo('Submission port', 'EHLO lists STARTTLS', SUBMISSION, 8, ['smtp']);
const auth = testInfo('Submission port', 'AUTH PLAIN after STARTTLS', SUBMISSION, 15);
const lmtp = testInfo('Submission port', 'delivers over LMTP', SUBMISSION, 40);
const relayCa = testInfo('Relay', 'relay is refused', RELAY, 5);
const load = testInfo('Relay', 'greeting under load', RELAY, 20);

const authFailure: Failure = {
  kind: 'mismatch',
  message: 'expected reply code 235, got 535',
  span: span('specs/fragments/login.yaml', 4, 12),
  includedFrom: [span(SUBMISSION, 30, 9)],
  stepName: 'authenticate',
  expected: '235',
  actual: '535 5.7.8 Error: authentication failed',
};

const caFailure: Failure = {
  kind: 'error',
  message: 'cannot read the CA file certs/ca.pem: ENOENT',
  span: span(RELAY, 3, 7),
  includedFrom: [],
};

const loadFailure: Failure = {
  kind: 'timeout',
  message: 'no reply within 10s (waiting for the greeting)',
  span: span(RELAY, 24, 9),
  includedFrom: [],
  expected: '220',
};

export const SUITES: SuiteInfo[] = [
  { file: SUBMISSION, name: 'Submission port', tests: [ehlo, auth, lmtp] },
  { file: RELAY, name: 'Relay', tests: [relayCa, load] },
];

const ehloTranscript = entries(
  '-- connect 127.0.0.1:587',
  's: 220 mail.convospec.test ESMTP',
  'c: EHLO client.test',
  's: 250-mail.convospec.test',
  's: 250-PIPELINING',
  's: 250 STARTTLS',
  'c: QUIT',
  's: 221 2.0.0 Bye',
);

const authTranscript = entries(
  '-- connect 127.0.0.1:587',
  's: 220 mail.convospec.test ESMTP',
  'c: EHLO client.test',
  's: 250-mail.convospec.test',
  's: 250-PIPELINING',
  's: 250-SIZE 10485760',
  's: 250 STARTTLS',
  'c: STARTTLS',
  's: 220 2.0.0 Ready to start TLS',
  'tls TLSv1.3 TLS_AES_256_GCM_SHA384, authorized',
  'c: EHLO client.test',
  's: 250-mail.convospec.test',
  's: 250-PIPELINING',
  's: 250-SIZE 10485760',
  's: 250-8BITMIME',
  's: 250-ENHANCEDSTATUSCODES',
  's: 250-AUTH PLAIN LOGIN',
  's: 250 SMTPUTF8',
  'c: AUTH PLAIN ***',
  's: 535 5.7.8 Error: authentication failed',
);

export const RESULTS: TestResult[] = [
  { test: ehlo, status: 'passed', durationMs: 12, transcript: ehloTranscript },
  { test: auth, status: 'failed', durationMs: 1234, failure: authFailure, transcript: authTranscript },
  { test: lmtp, status: 'skipped', durationMs: 0, skipReason: 'no LMTP server here', transcript: [] },
  { test: relayCa, status: 'errored', durationMs: 3, failure: caFailure, transcript: entries('-- connect 127.0.0.1:25') },
  {
    test: load,
    status: 'failed',
    durationMs: 65_432,
    runs: 200,
    failedRuns: 3,
    failure: loadFailure,
    transcript: entries('-- connect 127.0.0.1:25'),
  },
];

export const SUMMARY: RunSummary = { passed: 1, failed: 2, errored: 1, skipped: 1, durationMs: 66_789, interrupted: false };

/** The events of RESULTS, finishing in a shuffled order as concurrent tests would. */
export function runEvents(results: readonly TestResult[] = RESULTS, summary: RunSummary = SUMMARY, suites: readonly SuiteInfo[] = SUITES): RunEvent[] {
  const order = [1, 0, 3, 2, 4].filter((i) => i < results.length);
  const events: RunEvent[] = [{ type: 'run-start', suites, startedAt: STARTED_AT }];
  for (const i of order) {
    const result = results[i]!;
    if (result.status !== 'skipped') events.push({ type: 'test-start', test: result.test });
    for (const entry of result.transcript) events.push({ type: 'transcript', test: result.test, entry });
    events.push({ type: 'test-end', result });
  }
  events.push({ type: 'run-end', results, summary });
  return events;
}

export async function play(reporter: Reporter, events: readonly RunEvent[]): Promise<void> {
  for (const event of events) await dispatchEvent(reporter, event);
}
