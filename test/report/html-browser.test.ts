/**
 * The HTML report in a real browser: Debian's Chromium, headless, driven by playwright-core.
 * A real run (the CLI in-process against nodemailer's smtp-server with STARTTLS and AUTH, and
 * a scripted server whose reply is hostile markup) writes the page; the browser opens it from
 * file://, the status chips and the search box are used, and screenshots are checked pixel by
 * pixel where the failing exchange is highlighted. Without Chromium the tests are skipped
 * and say so (`apt-get install chromium`; .ci/run installs it).
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { createPki } from '../../src/pki/index.js';
import { workspace, type Workspace } from '../helpers/cli.js';
import { countPixels, decodePng } from '../helpers/png.js';
import { listen, smtpScript, type Peer } from '../hostile/peers.js';
import { startScriptedServer } from '../loadtest/scripted-server.js';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p !== undefined && p !== '' && existsSync(p));
const why = CHROMIUM ? '' : ' (skipped: no Chromium; apt-get install chromium, or set CHROMIUM_PATH)';
/** The flags that work in a container as root, and keep the browser off the network (playwright gives it a fresh profile). */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const HOSTILE_REPLY = `250 </script><script>document.title='pwned'</script><!-- ]]> <img src=x onerror="document.title='pwned'">`;
const PASSWORD = 'Corr3ct-Horse-Battery';

let ws: Workspace;
let smtp: SMTPServer;
let hostile: Peer;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!CHROMIUM) return;
  const pki = await createPki();
  smtp = new SMTPServer({
    secure: false,
    key: pki.server.key,
    cert: pki.server.cert,
    name: 'mx.convospec.test',
    authMethods: ['PLAIN'],
    authOptional: true,
    logger: false,
    onAuth: (auth, _session, callback) => (auth.password === PASSWORD ? callback(null, { user: auth.username }) : callback(new Error('no'))),
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  hostile = await listen(smtpScript({ EHLO: HOSTILE_REPLY + '\r\n' }));
  ws = await workspace();
  await ws.write('ca.pem', pki.ca.cert);
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}, 60_000);

afterAll(async () => {
  if (!CHROMIUM) return;
  await browser?.close();
  await hostile?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await ws?.dispose();
});

/** The page at `file` opened from disk, with every console error and page error kept. */
async function open(file: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser!.newPage({ colorScheme: 'light', viewport: { width: 1100, height: 900 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  // Nothing may be fetched: any request but the page itself is a problem.
  page.on('request', (r) => {
    if (r.url() !== pathToFileURL(file).href) problems.push(`fetched ${r.url()}`);
  });
  await page.goto(pathToFileURL(file).href);
  return { page, problems };
}

const isRed = (r: number, g: number, b: number): boolean => r > 170 && g < 90 && b < 100;

const spec = (smtpPort: number, hostilePort: number): string => `name: browser run
connect: { host: 127.0.0.1, port: ${smtpPort}, protocol: smtp }
tls: { ca: ca.pem, servername: mail.convospec.test }
vars: { plain: "${Buffer.from(`\0alice\0${PASSWORD}`).toString('base64')}" }
secrets: [plain]
tests:
  - name: greets and quits
    tags: [smoke]
    steps:
      - s: 220
      - c: QUIT
      - s: 221
  - name: auth after starttls, wrong code expected
    steps:
      - s: 220
      - c: EHLO client.test
      - s: { code: 250, contains: [STARTTLS] }
      - c: STARTTLS
      - s: 220
      - tls: {}
      - c: EHLO client.test
      - s: 250
      - c: AUTH PLAIN \${plain}
      - s: 535
  - name: a reply full of markup
    connect: { host: 127.0.0.1, port: ${hostilePort}, protocol: smtp }
    steps:
      - s: 220
      - c: EHLO client.test
      - s: 251
  - name: not here
    skip: no LMTP in this run
    steps:
      - s: 220
`;

describe('HTML report in Chromium', () => {
  it(`shows the run, filters by status and by words, and highlights the failing exchange${why}`, async (context) => {
    if (!CHROMIUM) return context.skip();
    await ws.write('browser.yaml', spec((smtp.server.address() as AddressInfo).port, hostile.port));
    const run = await ws.run(['run', 'browser.yaml', '--html', 'out/report.html']);
    expect(run.stdout).toMatch(/1 passed, 2 failed, 1 skipped/);
    const file = path.join(ws.dir, 'out', 'report.html');
    const { page, problems } = await open(file);
    try {
      // The hostile reply ran nothing: the title is the page's own, and it shows as text.
      expect(await page.title()).toBe('convospec: 2 of 4 failed');
      expect(await page.locator('script').count()).toBe(1);
      expect(await page.locator('img').count()).toBe(0);
      const test = (name: string) => page.locator('details.test', { has: page.locator('.name', { hasText: name }) });
      await expect.poll(() => test('a reply full of markup').locator('.row.s.x pre').innerText()).toBe(HOSTILE_REPLY);

      // Failures open, with the secret hidden as in every report; the passing test closed.
      const auth = test('auth after starttls');
      expect(await auth.locator('.row.c.x pre').innerText()).toBe('AUTH PLAIN ***');
      expect(await auth.locator('.row.tls').innerText()).toMatch(/TLSv1\.[23]/);
      expect(await auth.locator('.verdict .exp pre').innerText()).toBe('535');
      expect(await auth.locator('.verdict .got pre').innerText()).toMatch(/^235 /);
      expect(await page.content()).not.toContain(PASSWORD);
      expect(await test('greets and quits').locator('.row.s').first().isVisible()).toBe(false);
      expect(await page.locator('#shown').innerText()).toBe('4 of 4 tests shown');

      // Screenshots: the received reply and the verdict are drawn in red; a passing reply is not.
      const received = decodePng(await auth.locator('.row.s.x .bubble').screenshot());
      expect(countPixels(received, isRed)).toBeGreaterThan(2 * (received.width + received.height));
      const verdict = decodePng(await auth.locator('.verdict .head').screenshot());
      expect(countPixels(verdict, isRed) / (verdict.width * verdict.height)).toBeGreaterThan(0.6);
      await test('greets and quits').locator('summary').click();
      const fine = decodePng(await test('greets and quits').locator('.row.s .bubble').first().screenshot());
      expect(countPixels(fine, () => true)).toBeGreaterThan(100);
      expect(countPixels(fine, isRed)).toBe(0);

      // Status chips: each hides or shows its tests.
      await page.click('[data-filter=passed]');
      expect(await test('greets and quits').isVisible()).toBe(false);
      expect(await page.locator('#shown').innerText()).toBe('3 of 4 tests shown');
      await page.click('[data-filter=failed]');
      expect(await page.locator('details.test:visible').count()).toBe(1);
      expect(await test('not here').isVisible()).toBe(true);
      expect(await page.locator('[data-filter=failed]').getAttribute('aria-pressed')).toBe('false');
      await page.click('[data-filter=passed]');
      await page.click('[data-filter=failed]');
      expect(await page.locator('details.test:visible').count()).toBe(4);
      // Words: the tests whose name, file or tags hold them.
      await page.fill('#search', 'smoke');
      expect(await page.locator('#shown').innerText()).toBe('1 of 4 tests shown');
      expect(await test('greets and quits').isVisible()).toBe(true);
      await page.fill('#search', '');
      expect(await page.locator('#shown').innerText()).toBe('4 of 4 tests shown');

      // Nothing was refused by the page's policy, nothing failed, nothing was fetched.
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it(`draws load mode's percentile curves and sessions per second${why}`, async (context) => {
    if (!CHROMIUM) return context.skip();
    const server = await startScriptedServer({ delays: { NOOP: 10 } });
    try {
      await ws.write('load.yaml', `name: load in the browser\nconnect: { host: 127.0.0.1, port: ${server.port}, protocol: smtp }\ntests:\n  - name: noop\n    steps: [{ s: 220 }, { c: NOOP }, { s: 250 }, { c: QUIT }, { s: 221 }]\n`);
      const run = await ws.run(['run', 'load.yaml', '--repeat', '20', '--concurrency', '4', '--html', 'out/load.html']);
      expect(run.code).toBe(0);
      const { page, problems } = await open(path.join(ws.dir, 'out', 'load.html'));
      try {
        const curves = page.locator('svg.percentiles polyline');
        expect(await curves.count()).toBe(7); // the session, connect, and five steps
        const chart = decodePng(await page.locator('svg.percentiles').screenshot());
        // The first step's colour (#0969da) is drawn.
        expect(countPixels(chart, (r, g, b) => Math.abs(r - 0x09) < 40 && Math.abs(g - 0x69) < 40 && Math.abs(b - 0xda) < 40)).toBeGreaterThan(50);
        const timeline = decodePng(await page.locator('svg.timeline').screenshot());
        expect(countPixels(timeline, (r, g, b) => Math.abs(r - 0x09) < 30 && Math.abs(g - 0x69) < 30 && Math.abs(b - 0xda) < 30)).toBeGreaterThan(200);
        expect(countPixels(timeline, isRed)).toBe(0);
        expect(await page.locator('.stat').first().innerText()).toMatch(/^20\s+sessions$/);
        expect(problems).toEqual([]);
      } finally {
        await page.close();
      }
    } finally {
      await server.close();
    }
  }, 60_000);
});
