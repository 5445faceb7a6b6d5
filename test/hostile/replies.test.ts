/**
 * Servers that misbehave while convospec reads a reply. Each run holds the hostile test and
 * a good test against a well-behaved peer: the hostile one fails at the right step, in a mail
 * admin's words, promptly and within its limits; the good one still passes; the reports
 * stay well-formed.
 */
import { describe, expect, it } from 'vitest';
import {
  closingPeer,
  dripPeer,
  endlessLinePeer,
  endlessReplyPeer,
  garbagePeer,
  resetPeer,
  silentPeer,
} from './peers.js';
import { expectFailure, hostileSetup, jsonTest, matcherAt, runWithReports } from './harness.js';

/** A hang guard for runs whose step timeout is 1s: generous, these machines are shared. */
const HANG_GUARD_MS = 15_000;
/** How much the process may grow while a peer floods it (a leak would be hundreds of MB). */
const RSS_GROWTH_MAX = 150 * 1024 * 1024;

const { ws: workspaceOf, good: goodOf, start } = hostileSetup();

/** A spec with the hostile test (its steps given) and a good test, 1s timeouts. */
function spec(port: number, steps: string, connectExtra = ''): string {
  return `name: hostile peer
timeout: 1s
tests:
  - name: hostile
    connect: { host: 127.0.0.1, port: ${port}, protocol: smtp${connectExtra} }
    steps:
${steps}
  - name: good
    connect: { host: 127.0.0.1, port: ${goodOf().port}, protocol: smtp }
    steps:
      - s: 220
      - c: EHLO client.test
      - s: { code: 250, contains: [PIPELINING] }
      - c: QUIT
      - s: 221
`;
}

/** Writes the spec, runs it, and gives the reports and where the `#fails` step's matcher is. */
async function run(name: string, text: string) {
  const file = await workspaceOf().write(name, text);
  const reports = await runWithReports(workspaceOf(), file);
  return { reports, at: matcherAt(name, text) };
}

describe('hostile peers while reading a reply', () => {
  it('a server that never answers: "no reply within 1s" at the s: step', async () => {
    const peer = await start(silentPeer());
    const { reports, at } = await run('silent.yaml', spec(peer.port, '      - s: 220 #fails'));
    expectFailure(reports, at, /no reply within 1s/);
    expect(reports.elapsedMs).toBeLessThan(HANG_GUARD_MS);
    await peer.waitAllClosed();
  });

  it('a server that drips its greeting a byte at a time: the timeout is for the whole reply', async () => {
    // 33 bytes, 100ms apart: every gap is well inside 1s, the whole greeting takes 3.3s.
    const peer = await start(dripPeer('220 slowly.convospec.test ESMTP\r\n', 100));
    const { reports, at } = await run('drip.yaml', spec(peer.port, '      - s: 220 #fails'));
    expectFailure(reports, at, /no reply within 1s/);
    expect(jsonTest(reports, 'hostile').failure?.message).toMatch(/received so far: "220/);
    expect(reports.elapsedMs).toBeLessThan(HANG_GUARD_MS);
    await peer.waitAllClosed();
  });

  it('an endless line with limits.line 1KiB: "line longer than 1 KiB", and memory stays flat', async () => {
    const peer = await start(endlessLinePeer());
    const rssBefore = process.memoryUsage().rss;
    const { reports, at } = await run('endless-line.yaml', spec(peer.port, '      - s: 220 #fails', ', limits: { line: 1KiB }'));
    expectFailure(reports, at, /line longer than 1 KiB/);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(RSS_GROWTH_MAX);
    expect(reports.elapsedMs).toBeLessThan(HANG_GUARD_MS);
    // What came is shown, but not all of it: a failure message stays readable.
    expect(reports.cli.stdout.length).toBeLessThan(16 * 1024);
    await peer.waitAllClosed();
  });

  it('an endless line with the default limit: "line longer than 64 KiB", without printing 64 KiB of it', async () => {
    const peer = await start(endlessLinePeer());
    const { reports, at } = await run('endless-line-default.yaml', spec(peer.port, '      - s: 220 #fails'));
    expectFailure(reports, at, /line longer than 64 KiB/);
    expect(reports.elapsedMs).toBeLessThan(HANG_GUARD_MS);
    expect(reports.cli.stdout.length).toBeLessThan(16 * 1024);
    expect(reports.jsonText.length).toBeLessThan(64 * 1024);
    await peer.waitAllClosed();
  });

  it('an endless multi-line reply with limits.reply 64KiB: "reply longer than 64 KiB", and memory stays flat', async () => {
    const peer = await start(endlessReplyPeer());
    const rssBefore = process.memoryUsage().rss;
    const { reports, at } = await run('endless-reply.yaml', spec(peer.port, '      - s: 220 #fails', ', limits: { reply: 64KiB }'));
    expectFailure(reports, at, /reply longer than 64 KiB/);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(RSS_GROWTH_MAX);
    expect(reports.elapsedMs).toBeLessThan(HANG_GUARD_MS);
    expect(reports.cli.stdout.length).toBeLessThan(16 * 1024);
    await peer.waitAllClosed();
  });

  it('a large endless reply with limits.reply 8MiB: fails at the limit, in time linear in its size', async () => {
    // Reading was once quadratic in the reply's size: 8 MiB took minutes, past the timeout.
    const peer = await start(endlessReplyPeer());
    const rssBefore = process.memoryUsage().rss;
    const text = spec(peer.port, '      - s: { code: 220, timeout: 30s } #fails', ', limits: { reply: 8MiB }');
    const { reports, at } = await run('endless-reply-8m.yaml', text);
    expectFailure(reports, at, /reply longer than 8 MiB/);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(RSS_GROWTH_MAX + 4 * 8 * 1024 * 1024);
    await peer.waitAllClosed();
  }, 60_000);

  it('a reset in the middle of a reply: "connection reset by the server while reading the reply"', async () => {
    const peer = await start(resetPeer());
    const steps = ['      - s: 220', '      - c: EHLO client.test', '      - s: 250 #fails'].join('\n');
    const { reports, at } = await run('reset.yaml', spec(peer.port, steps));
    expectFailure(reports, at, /connection reset by the server while reading the reply/);
    expect(jsonTest(reports, 'hostile').failure?.message).toContain('250-peer.convospec.test');
    expect(reports.elapsedMs).toBeLessThan(HANG_GUARD_MS);
  });

  it('NUL, invalid UTF-8 and control bytes: shown as \\xHH everywhere, reports well-formed', async () => {
    const peer = await start(garbagePeer());
    const steps = ['      - s: 220', '      - c: EHLO client.test', '      - s: 250 #fails'].join('\n');
    const { reports, at } = await run('garbage.yaml', spec(peer.port, steps));
    expectFailure(reports, at, /expected reply code 250, got 220/);
    const shown = 'hello\\x00world\\xff\\xfe\\x80\\xc2\\x9b ]]> </system-out> & "q" \\x1b[31m red';
    expect(reports.cli.stdout).toContain(shown);
    const transcript = jsonTest(reports, 'hostile').transcript.map((e) => e.text);
    expect(transcript.some((t) => t.includes(shown))).toBe(true);
    // The XML reader has already refused raw control characters; the text must survive too.
    expect(reports.junitText).toContain('hello\\x00world\\xff');
    const files = [...reports.transcripts.values()].filter((t) => t.includes('test: hostile'));
    expect(files).toHaveLength(1);
    expect(files[0]).toContain(shown);
  });

  it('a server that closes right after accepting: "the server closed the connection"', async () => {
    const peer = await start(closingPeer());
    const { reports, at } = await run('closing.yaml', spec(peer.port, '      - s: 220 #fails'));
    expectFailure(reports, at, /the server closed the connection/);
    expect(reports.elapsedMs).toBeLessThan(HANG_GUARD_MS);
  });
});
