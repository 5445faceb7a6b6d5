/**
 * The HTML report's markup, read back with a WHATWG HTML parser: what it shows of a run,
 * that it is self-contained, and that no text a server or a spec gives can break it. How it
 * looks and behaves in a browser: html-browser.test.ts.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { InvalidFile, TestResult } from '../../src/engine/events.js';
import { escapeMultiline } from '../../src/report/escape.js';
import { HTML_SCRIPT, HTML_STYLE } from '../../src/report/html-assets.js';
import { createHtmlReporter, htmlReport } from '../../src/report/html.js';
import type { JsonReport } from '../../src/report/json.js';
import { CWD, RESULTS, SUITES, SUMMARY, harness, play, runEvents, span, testInfo } from './fixtures.js';
import { all, attr, elements, hasClass, parsePage, text, type Node } from './html-dom.js';
import { workspace } from '../helpers/cli.js';
import { startScriptedServer } from '../loadtest/scripted-server.js';
import type { LoadReport } from '../../src/loadtest/report.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'convospec-html-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function page(events = runEvents()): Promise<{ html: string; document: Node; errors: readonly string[] }> {
  const outputPath = path.join(dir, 'out', 'report.html');
  await play(createHtmlReporter(harness({ outputPath }).context), events);
  const html = await readFile(outputPath, 'utf8');
  return { html, ...parsePage(html) };
}

const tests = (document: Node): Node[] => all(document, 'details', 'test');
const byName = (document: Node, name: string): Node => {
  const found = tests(document).find((t) => text(all(t, 'span', 'name')[0]!) === name);
  if (!found) throw new Error(`no test "${name}"`);
  return found;
};
const rows = (test: Node): Node[] => all(test, 'li', 'row');

describe('HTML report', () => {
  it('is one well-formed page: no parse error, its own style and script only, nothing fetched', async () => {
    const { html, document, errors } = await page();
    expect(errors).toEqual([]);
    expect(all(document, 'script').map(text)).toEqual([HTML_SCRIPT]);
    expect(all(document, 'style').map(text)).toEqual([HTML_STYLE]);
    // Nothing that loads or links anything.
    for (const e of elements(document)) {
      for (const a of e.attrs ?? []) expect(['src', 'href', 'xlink:href', 'action', 'srcset', 'poster', 'data'].includes(a.name), `${e.tagName} ${a.name}`).toBe(false);
      for (const a of e.attrs ?? []) expect(a.name.startsWith('on'), `${e.tagName} ${a.name}`).toBe(false);
    }
    expect(html).not.toMatch(/url\(|@import|https?:/);
    // The policy lets exactly these two run.
    const csp = attr(all(document, 'meta').find((m) => attr(m, 'http-equiv') === 'Content-Security-Policy')!, 'content')!;
    const hash = (t: string): string => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
    expect(csp).toContain(`default-src 'none'`);
    expect(csp).toContain(`script-src ${hash(HTML_SCRIPT)}`);
    expect(csp).toContain(`style-src ${hash(HTML_STYLE)}`);
  });

  it('shows every test with its status, in declaration order, failures open, with counts to filter by', async () => {
    const { document } = await page();
    expect(all(document, 'section', 'suite').map((s) => text(all(s, 'h2')[0]!))).toEqual(['Submission portspecs/submission.yaml', 'Relayspecs/relay.yaml']);
    expect(tests(document).map((t) => [text(all(t, 'span', 'name')[0]!), attr(t, 'data-status'), attr(t, 'open') !== undefined])).toEqual([
      ['EHLO lists STARTTLS', 'passed', false],
      ['AUTH PLAIN after STARTTLS', 'failed', true],
      ['delivers over LMTP', 'skipped', false],
      ['relay is refused', 'errored', true],
      ['greeting under load', 'failed', true],
    ]);
    expect(all(document, 'button', 'chip').map((b) => [attr(b, 'data-filter'), text(b)])).toEqual([
      ['passed', '1passed'],
      ['failed', '2failed'],
      ['errored', '1errored'],
      ['skipped', '1skipped'],
    ]);
    expect(text(all(byName(document, 'delivers over LMTP'), 'span', 'reason')[0]!)).toBe('no LMTP server here');
    expect(text(all(byName(document, 'greeting under load'), 'summary')[0]!)).toContain('200 runs, 3 failed');
    expect(text(all(byName(document, 'EHLO lists STARTTLS'), 'summary')[0]!)).toContain('smtp');
  });

  it('draws the conversation in two columns: client turns, server replies as one bubble, TLS and notes across', async () => {
    const { document } = await page();
    const auth = rows(byName(document, 'AUTH PLAIN after STARTTLS'));
    const shown = auth.map((r) => [(attr(r, 'class') ?? '').replace('row ', ''), text(all(r, 'pre')[0] ?? all(r, 'div', 'note')[0]!)]);
    expect(shown.slice(0, 7)).toEqual([
      ['info', 'connect 127.0.0.1:587'],
      ['s', '220 mail.convospec.test ESMTP'],
      ['c', 'EHLO client.test'],
      ['s', '250-mail.convospec.test\n250-PIPELINING\n250-SIZE 10485760\n250 STARTTLS'],
      ['c', 'STARTTLS'],
      ['s', '220 2.0.0 Ready to start TLS'],
      ['tls', 'TLSv1.3 TLS_AES_256_GCM_SHA384, authorized'],
    ]);
    // The failing exchange (from the last command on) is marked; the secret stays as the engine hid it.
    expect(shown.slice(-3)).toEqual([
      ['c x', 'AUTH PLAIN ***'],
      ['s x', '535 5.7.8 Error: authentication failed'],
      ['verdict-row', '235'],
    ]);
    expect(auth.filter((r) => hasClass(r, 'x'))).toHaveLength(2);
    const verdict = auth.at(-1)!;
    expect(text(all(verdict, 'div', 'head')[0]!)).toBe('✗ expected reply code 235, got 535');
    expect(text(all(verdict, 'div', 'exp')[0]!)).toBe('expected235');
    expect(text(all(verdict, 'div', 'got')[0]!)).toBe('received535 5.7.8 Error: authentication failed');
    const failure = all(byName(document, 'AUTH PLAIN after STARTTLS'), 'div', 'failure')[0]!;
    expect(text(failure)).toContain('mismatch at specs/fragments/login.yaml:4:12');
    expect(text(failure)).toContain('included from specs/submission.yaml:30:9');
    expect(text(failure)).toContain('(step “authenticate”)');
    // A passing test marks nothing.
    expect(rows(byName(document, 'EHLO lists STARTTLS')).filter((r) => hasClass(r, 'x') || hasClass(r, 'verdict-row'))).toEqual([]);
  });

  it('has an xfailed chip when tests failed as known, each with its reason', async () => {
    const known: TestResult = { ...RESULTS[1]!, status: 'xfailed', xfail: 'server bug #12' };
    const { document } = await page(runEvents([RESULTS[0]!, known], { ...SUMMARY, passed: 1, failed: 0, errored: 0, skipped: 0, xfailed: 1 }, [{ ...SUITES[0]!, tests: [RESULTS[0]!.test, known.test] }]));
    expect(all(document, 'button', 'chip').map((b) => attr(b, 'data-filter'))).toEqual(['passed', 'failed', 'errored', 'skipped', 'xfailed']);
    expect(text(all(document, 'button', 'chip').at(-1)!)).toBe('1xfailed');
    const test = byName(document, 'AUTH PLAIN after STARTTLS');
    expect(attr(test, 'data-status')).toBe('xfailed');
    expect(text(test)).toContain('xfail: server bug #12');
    expect(text(all(all(document, 'head')[0]!, 'title')[0]!)).toBe('convospec: 1 passed, 1 xfailed');
  });

  it('says when the run was interrupted, and shows the unfinished tests as errored', async () => {
    const { document } = await page(runEvents(RESULTS.slice(0, 2), { ...SUMMARY, passed: 1, failed: 1, errored: 0, skipped: 0, interrupted: true }));
    expect(text(all(document, 'p', 'banner')[0]!)).toMatch(/^The run was interrupted/);
    expect(tests(document).map((t) => attr(t, 'data-status'))).toEqual(['passed', 'failed', 'errored', 'errored', 'errored']);
    expect(text(all(byName(document, 'relay is refused'), 'div', 'failure')[0]!)).toContain('not finished: the run was interrupted');
  });

  it('writes the specs that did not load when nothing ran', async () => {
    const outputPath = path.join(dir, 'invalid.html');
    const files: InvalidFile[] = [{ file: `${CWD}/specs/a.yaml`, diagnostics: [{ code: 'unknown-key', span: span(`${CWD}/specs/a.yaml`, 3, 5), message: 'unknown key' }], rendered: 'specs/a.yaml:3:5: unknown key `contians` <b>\n' }];
    await createHtmlReporter(harness({ outputPath }).context).onInvalidSpecs!(files);
    const { document, errors } = parsePage(await readFile(outputPath, 'utf8'));
    expect(errors).toEqual([]);
    const section = all(document, 'section', 'invalid')[0]!;
    expect(text(all(section, 'h3')[0]!)).toBe('specs/a.yaml');
    expect(text(all(section, 'pre')[0]!)).toBe('specs/a.yaml:3:5: unknown key `contians` <b>\n');
    expect(tests(document)).toEqual([]);
  });
});

/** Everything that could end an element, a comment, CDATA or the script, or spoil the file's encoding. */
const HOSTILE = `</script><script>alert(1)</script> ]]> <!-- x --> <![CDATA[ y ]]> </pre></li></ol></details></main> <svg onload=alert(2)> </title></style></textarea> "'& &amp; &#0; \0\x07\x1b[31m\x7f\x85 \ud800 \udfff \ufffe ok`;

/** What the page shows of `text`: what every report shows, noncharacters as `\xHH` too. */
function shown(text: string): string {
  return escapeMultiline(text).replace(/\p{Noncharacter_Code_Point}/gu, (ch) => [...Buffer.from(ch)].map((b) => `\\x${b.toString(16)}`).join(''));
}

describe('HTML report: hostile text', () => {
  const hostileResult = (): TestResult => {
    const test = testInfo(`suite ${HOSTILE}`, `name ${HOSTILE}`, 'specs/x.yaml', 3, [`tag ${HOSTILE}`]);
    return {
      test,
      status: 'failed',
      durationMs: 5,
      transcript: [
        { dir: 'info', text: `connect ${HOSTILE}`, atMs: 0 },
        { dir: 's', text: `220 ${HOSTILE}`, atMs: 1, connection: `conn ${HOSTILE}` },
        { dir: 'tls', text: `TLS ${HOSTILE}`, atMs: 2 },
        { dir: 'c', text: `EHLO ${HOSTILE}`, atMs: 3 },
        { dir: 's', text: `250 ${HOSTILE}`, atMs: 4 },
      ],
      failure: { kind: 'mismatch', message: `message ${HOSTILE}`, span: span('specs/x.yaml', 7, 9), includedFrom: [], stepName: `step ${HOSTILE}`, expected: `expected ${HOSTILE}`, actual: `actual ${HOSTILE}` },
    };
  };

  it('parses with no error, runs only its own script, and shows each text as it was (controls as \\xHH)', async () => {
    const result = hostileResult();
    const suites = [{ file: 'specs/x.yaml', name: result.test.suite, tests: [result.test] }];
    const { html, document, errors } = await page(runEvents([result], { ...SUMMARY, passed: 0, failed: 1, errored: 0, skipped: 0 }, suites));
    expect(errors).toEqual([]);
    expect(all(document, 'script').map(text)).toEqual([HTML_SCRIPT]);
    expect(all(document, 'svg').every((s) => attr(s, 'onload') === undefined)).toBe(true);
    expect(elements(document).some((e) => (e.attrs ?? []).some((a) => a.name.startsWith('on')))).toBe(false);
    expect(all(document, 'textarea')).toEqual([]);
    expect(text(all(all(document, 'head')[0]!, 'title')[0]!)).toBe('convospec: 1 of 1 failed');
    // No raw control character (but line ends and tabs), no lone surrogate, no noncharacter.
    expect(html).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);

    const shown = escapeMultiline(HOSTILE);
    const test = tests(document);
    expect(test).toHaveLength(1);
    expect(text(all(test[0]!, 'span', 'name')[0]!)).toBe(`name ${shown}`);
    expect(attr(test[0]!, 'data-search')).toContain(`name ${shown}`);
    expect(text(all(document, 'section', 'suite')[0]!)).toContain(`suite ${shown}`);
    expect(all(test[0]!, 'span', 'tag').map(text)).toEqual([`tag ${shown}`]);
    const conv = rows(test[0]!);
    expect(conv.map((r) => text(all(r, 'pre')[0] ?? all(r, 'div', 'note')[0]!))).toEqual([
      `connect ${shown}`,
      `220 ${shown}`,
      `TLS ${shown}`,
      `EHLO ${shown}`,
      `250 ${shown}`,
      `expected ${shown}`,
    ]);
    expect(text(all(conv[1]!, 'span', 'conn')[0]!)).toBe(`[conn ${shown}]`);
    expect(text(all(conv.at(-1)!, 'div', 'got')[0]!)).toBe(`received${`actual ${shown}`}`);
    expect(text(all(test[0]!, 'div', 'failure')[0]!)).toContain(`message ${shown}`);
  });

  it('any text at all (a property): the page parses with no error, runs only its script, and shows the text as the other reports do', () => {
    const piece = fc.oneof(
      fc.constantFrom('<', '>', '&', '"', "'", '</script>', '<script>', '<!--', '-->', ']]>', '<![CDATA[', '</pre>', '\r', '\n', '\t', '\0', '\ud800', '\udfff', '&#0;', '\u2028', '\ufdd0', '\u{10ffff}', '\u{1f600}'),
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
    );
    const anyText = fc.string({ unit: piece, maxLength: 40 });
    fc.assert(
      fc.property(anyText, anyText, anyText, (name, reply, expected) => {
        const report = {
          convospec: 1,
          startedAt: '2025-01-02T03:04:05.678Z',
          durationMs: 1,
          summary: { total: 1, passed: 0, failed: 1, errored: 0, skipped: 0, interrupted: false },
          suites: [{ file: 'a.yaml', name, tests: [{ name, line: 1, col: 1, tags: [name], status: 'failed', durationMs: 1, transcript: [{ dir: 'c', text: name, atMs: 0 }, { dir: 's', text: reply, atMs: 1 }], failure: { kind: 'mismatch', message: reply, file: 'a.yaml', line: 1, col: 1, endLine: 1, endCol: 1, includedFrom: [], expected, actual: reply } }] }],
          invalid: [],
        } as JsonReport;
        const { document, errors } = parsePage(htmlReport(report));
        expect(errors).toEqual([]);
        expect(all(document, 'script').map(text)).toEqual([HTML_SCRIPT]);
        const [test] = tests(document);
        expect(text(all(test!, 'span', 'name')[0]!)).toBe(shown(name));
        const bubbles = all(test!, 'pre').map(text);
        expect(bubbles.slice(0, 2)).toEqual([shown(name), shown(reply)]);
        expect(text(all(test!, 'div', 'exp')[0]!)).toBe(`expected${shown(expected)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('shows noncharacters as the bytes of their UTF-8, as other unprintable characters', () => {
    expect(shown('a\ufdd0b\u{10ffff}c\ufffe')).toBe('a\\xef\\xb7\\x90b\\xf4\\x8f\\xbf\\xbfc\\xef\\xbf\\xbe');
  });

  it('holds up to a hand-edited JSON report: fields that should be numbers or a status are escaped too', () => {
    const evil = '"><img src=x onerror=alert(1)>';
    const report = {
      convospec: evil,
      startedAt: '2025-01-02T03:04:05.678Z',
      durationMs: 1,
      summary: { total: 1, passed: 0, failed: 1, errored: 0, skipped: 0, interrupted: false },
      suites: [{ file: 'a.yaml', name: 'a', tests: [{ name: 't', line: evil, col: evil, tags: [], status: evil, durationMs: 1, runs: evil, failedRuns: evil, transcript: [{ dir: evil, text: 'x', atMs: 0 }], failure: { kind: evil, message: 'm', file: 'a.yaml', line: evil, col: evil, endLine: 1, endCol: 1, includedFrom: [] } }] }],
      invalid: [],
    } as unknown as JsonReport;
    const { document, errors } = parsePage(htmlReport(report));
    expect(errors).toEqual([]);
    expect(all(document, 'img')).toEqual([]);
    expect(text(all(document, 'summary')[0]!)).toContain('a.yaml:?');
    expect(attr(tests(document)[0]!, 'data-status')).toBe(evil);
  });

  it('keeps what the other reports keep of a huge reply, and says how much was left out', async () => {
    const huge = { ...RESULTS[1]!, transcript: [...RESULTS[1]!.transcript, { dir: 's' as const, text: `250 ${'x'.repeat(200_000)}`, atMs: 99 }] };
    const { html } = await page(runEvents([RESULTS[0]!, huge], { ...SUMMARY, passed: 1, failed: 1, errored: 0, skipped: 0 }, [{ ...SUITES[0]!, tests: [RESULTS[0]!.test, huge.test] }]));
    expect(html.length).toBeLessThan(120_000);
    expect(html).toMatch(/more characters of this reply left out/);
  });
});

describe('HTML report: load mode', () => {
  it('plots each step by percentile from its histogram, and sessions per second over time', async () => {
    const ws = await workspace();
    const server = await startScriptedServer({ delays: { NOOP: 15 }, failMail: (session) => session % 4 === 0 });
    try {
      await ws.write(
        'load.yaml',
        `name: load page
connect: { host: 127.0.0.1, port: ${server.port}, protocol: smtp }
tests:
  - name: noop then mail
    steps:
      - s: 220
      - c: NOOP
      - s: 250
      - c: MAIL FROM:<a@example.net>
      - s: 250
      - c: QUIT
      - s: 221
`,
      );
      const run = await ws.run(['run', 'load.yaml', '--repeat', '24', '--concurrency', '4', '--html', 'load.html', '--json', 'load.json']);
      expect(run.code).toBe(1);
      const { load } = JSON.parse(await readFile(path.join(ws.dir, 'load.json'), 'utf8')) as { load: LoadReport };
      const { document, errors } = parsePage(await readFile(path.join(ws.dir, 'load.html'), 'utf8'));
      expect(errors).toEqual([]);
      const section = all(document, 'section', 'load')[0]!;
      expect(all(section, 'div', 'stat').map((s) => text(all(s, 'span')[0]!))).toEqual(['sessions', 'failed', 'sessions/s', 'wall clock']);
      expect(text(all(section, 'div', 'stat')[0]!)).toBe('24sessions');
      expect(text(all(section, 'div', 'stat')[1]!)).toBe('6failed');

      // One curve per step and one for the whole session, each rising with the percentile.
      const [chart] = all(section, 'svg', 'percentiles');
      const steps = load.tests[0]!.steps;
      const curves = all(chart!, 'polyline');
      expect(curves.map((c) => text(c).replace(/: p50 .*$/s, ''))).toEqual(['session', ...steps.map((s) => `${s.line}:${s.col} ${s.label}`)]);
      for (const curve of curves) {
        const points = attr(curve, 'points')!.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
        expect(points.length).toBeGreaterThan(10);
        for (let i = 1; i < points.length; i++) {
          expect(points[i]![0]).toBeGreaterThanOrEqual(points[i - 1]![0]);
          expect(points[i]![1]).toBeLessThanOrEqual(points[i - 1]![1] + 1e-9); // SVG's y grows downwards
        }
      }
      // The NOOP reply (15 ms) sits above the sending of NOOP on the chart; tooltips quote the JSON's p50.
      const noop = steps.find((s) => s.label === 's: 250' && s.line === 8)!;
      const send = steps.find((s) => s.label === 'c: NOOP')!;
      expect(noop.latency.p50).toBeGreaterThanOrEqual(14);
      const p50 = (step: typeof noop): number => {
        const curve = curves.find((c) => text(c).startsWith(`${step.line}:${step.col} `))!;
        const shown = Number(/p50 ([\d.]+) ms/.exec(text(curve))![1]);
        // Shown with 2 or 3 significant digits.
        expect(Math.abs(shown - step.latency.p50)).toBeLessThanOrEqual(0.0051 + step.latency.p50 / 100);
        // Its height low on the curve (a log scale): the slower reply is drawn higher.
        const points = attr(curve, 'points')!.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
        return points[Math.round(points.length * 0.05)]![1];
      };
      expect(p50(noop)).toBeLessThan(p50(send));
      // The steps table: every step with its count and failures.
      const table = all(section, 'table')[0]!;
      expect(all(table, 'tr').slice(2).map((r) => all(r, 'td').slice(1, 3).map(text))).toEqual(steps.map((s) => [String(s.count), String(s.failed)]));
      // The step that failed is marked: the MAIL reply, refused in every 4th session.
      expect(all(table, 'tr').filter((r) => hasClass(r, 'failing')).map((r) => text(all(r, 'code')[0]!))).toEqual(['s: 250']);
      // Sessions over time: one bar per interval of the JSON's timeline, adding up to every session.
      const bars = all(all(section, 'svg', 'timeline')[0]!, 'g');
      expect(bars).toHaveLength(load.timeline.sessions.length);
      const counted = bars.map((b) => /: (\d+) sessions, (\d+) failed/.exec(text(b))!.slice(1).map(Number));
      expect(counted.reduce((n, [s]) => n + s!, 0)).toBe(24);
      expect(counted.reduce((n, [, f]) => n + f!, 0)).toBe(6);
      // The failures kept, with expected and received.
      expect(all(section, 'div', 'failure').length).toBeGreaterThan(0);
      expect(text(all(section, 'div', 'failure')[0]!)).toMatch(/expected250received451/);
    } finally {
      await server.close();
      await ws.dispose();
    }
  });
});
