/**
 * Valid specs load into the model the engine runs: shorthands normalised, connect and
 * TLS merged, defaults applied, spans pointing at the YAML they came from.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Matcher, Step, Suite, Test, TextPattern } from '../../src/kernel/model.js';
import type { Template } from '../../src/template/types.js';
import { FIXTURES, load, rendered } from './helpers.js';

async function suite(file: string, vars: Record<string, string> = {}): Promise<Suite> {
  const result = await load([`valid/${file}`], { vars, checkEnv: false });
  expect(rendered(result)).toBe('');
  expect(result.suites).toHaveLength(1);
  return result.suites[0] as Suite;
}

const text = (t: Template | undefined): string | undefined => t?.source;
const pattern = (p: TextPattern | undefined): string | undefined => (p ? (p.kind === 'exact' ? `=${p.value.source}` : `/${p.source.source}/${p.flags}`) : undefined);
function matchers(test: Test): Matcher[] {
  return test.steps.flatMap((s) => (s.kind === 's' ? [s.matcher] : []));
}
function step<K extends Step['kind']>(test: Test, kind: K, index = 0): Extract<Step, { kind: K }> {
  const found = test.steps.filter((s): s is Extract<Step, { kind: K }> => s.kind === kind)[index];
  if (!found) throw new Error(`no ${kind} step #${index}`);
  return found;
}

describe('valid fixtures', () => {
  for (const file of readdirSync(join(FIXTURES, 'valid')).filter((f) => f.endsWith('.yaml'))) {
    it(`${file} loads without diagnostics`, async () => {
      const result = await load([`valid/${file}`], { checkEnv: false });
      expect(rendered(result)).toBe('');
      expect(result.suites).toHaveLength(1);
    });
  }

  it('the format page example loads with the env unset (its env variables have defaults)', async () => {
    const result = await load(['valid/format-example.yaml'], { env: {}, checkEnv: true });
    expect(rendered(result)).toBe('');
    const s = result.suites[0] as Suite;
    expect(s.name).toBe('Submission port');
    expect(s.secrets).toEqual(['pass']);
    expect(result.secretLiterals).toEqual(['secret']);
    const t = s.tests[0] as Test;
    expect(t.connect?.protocol).toBe('smtp');
    expect(t.connect?.tls).toBeUndefined();
    expect(text(step(t, 'tls').options.ca)).toBe('../certs/ca.pem');
    expect(pattern(step(t, 'tls').options.expect?.protocol)).toBe('/^TLSv1\\.[23]$/');
    expect(step(t, 'tls').options.expect?.authorized?.value).toBe(true);
  });
});

describe('matcher shorthands become Matcher keys', () => {
  it('normalises every form', async () => {
    const m = matchers((await suite('shorthands.yaml')).tests[0] as Test);
    expect(m[0]?.code?.map((c) => c.value)).toEqual(['220']);
    expect(m[1]?.code?.map((c) => c.value)).toEqual(['2xx']);
    expect(m[2]?.code?.map((c) => c.value)).toEqual(['55x']);
    expect(pattern(m[3]?.whole)).toBe('=250 mail.test ESMTP');
    expect(pattern(m[4]?.match)).toBe('/^250[ -]/m');
    expect(pattern(m[5]?.whole)).toBe('=/var/mail/');
    expect(m[6]?.lines?.value.map((l) => (l.kind === 'ellipsis' ? '...' : pattern(l)))).toEqual(['=250-mail.test', '/SIZE \\d+/', '...', '=...', '=250 HELP']);
    expect(m[7]?.code?.map((c) => c.value)).toEqual(['250', '2xx']);
    expect(m[7]?.enhanced?.value).toBe('2.1.x');
    expect(pattern(m[7]?.text)).toBe('/ok/i');
    expect(m[7]?.contains?.map(pattern)).toEqual(['=STARTTLS']);
    expect(m[7]?.excludes?.map(pattern)).toEqual(['=AUTH', '/LOGIN/']);
    expect(m[8]?.capture?.map((c) => [c.name, pattern(c.regex)])).toEqual([
      ['size', '/SIZE (\\d+)/'],
      ['all', '/\\d+/'],
    ]);
    expect(m[8]?.timeoutMs).toBe(2000);
    expect(m[9]?.oneOf?.[1]?.capture?.[0]?.name).toBe('who');
    expect(m[10]?.any?.value).toBe(true);
    expect(m[11]?.closed?.value).toBe(true);
  });

  it('keeps spans at the YAML they came from', async () => {
    const t = (await suite('shorthands.yaml')).tests[0] as Test;
    const first = t.steps[0] as Step;
    expect(first.span).toMatchObject({ file: 'valid/shorthands.yaml', line: 4, col: 5, endLine: 4, endCol: 11 });
    expect(matchers(t)[0]?.code?.[0]?.span).toMatchObject({ line: 4, col: 8 });
    // A template's span is its text, quotes excluded.
    const send = step(t, 'c');
    expect(send.lines[0]?.span).toMatchObject({ line: 14, col: 8, endCol: 8 + 'NOOP ${size} ${all} ${who}'.length });
  });
});

describe('connect, tls and defaults', () => {
  it('applies defaults and merges file → test → step key by key', async () => {
    const s = await suite('merge.yaml');
    const [plain, own, off] = s.tests as [Test, Test, Test];
    expect(plain.connect).toMatchObject({ protocol: 'smtp', timeoutMs: 3000, eol: 'lf', limits: { lineBytes: 1024, replyBytes: 16 * 1024 * 1024 } });
    expect(text(plain.connect?.host)).toBe('mail.example.test');
    expect(plain.timeoutMs).toBe(2000);
    expect(plain.deadlineMs).toBe(5 * 60_000);
    expect(plain.skip).toBeUndefined();

    expect(own.skip).toEqual({ reason: 'not today' });
    expect(own.tags).toEqual(['tls']);
    expect(own.timeoutMs).toBe(500);
    expect(own.deadlineMs).toBe(60_000);
    expect(own.connect?.limits).toEqual({ lineBytes: 1024, replyBytes: 1024 * 1024 });
    // Implicit TLS: file tls, test tls, then the connect's own options.
    expect(own.connect?.tls).toMatchObject({ verify: true });
    expect(text(own.connect?.tls?.ca)).toBe('ca.pem');
    expect(text(own.connect?.tls?.servername)).toBe('mail.test');
    expect(own.connect?.tls?.expect?.authorized?.value).toBe(false);
    expect(pattern(own.connect?.tls?.expect?.protocol)).toBe('=TLSv1.3');

    // A connect step inherits host, timeout, eol and limits; its port, protocol and tls are its own.
    const second = step(own, 'connect').connect;
    expect(second).toMatchObject({ protocol: 'imap', as: 'imap', timeoutMs: 3000, eol: 'lf', limits: { lineBytes: 1024, replyBytes: 1024 * 1024 } });
    expect(text(second.port)).toBe('143');
    expect(second.tls?.servername).toBeUndefined();
    expect(text(second.tls?.ca)).toBe('ca.pem');
    const handshake = step(own, 'tls').options;
    expect(handshake).toMatchObject({ verify: true, minVersion: 'TLSv1.2', alpn: ['smtp'] });

    expect(off.skip).toEqual({});
    expect(off.connect?.tls).toBeUndefined();
    expect(step(off, 'tls').options.verify).toBe(false);
  });

  it('a file with top-level steps is one test named after the suite', async () => {
    const s = await suite('single.yaml');
    expect(s.serial).toBe(true);
    expect(s.tags).toEqual(['smoke']);
    expect(s.tests.map((t) => t.name)).toEqual(['One test']);
    const t = s.tests[0] as Test;
    expect(t.connect?.protocol).toBe('pop3');
    expect(text(t.connect?.host)).toBe('127.0.0.1');
    expect(t.connect?.limits).toEqual({ lineBytes: 64 * 1024, replyBytes: 16 * 1024 * 1024 });
    expect(t.connect?.timeoutMs).toBe(10_000);
    expect(t.connect?.eol).toBe('crlf');
    expect(t.timeoutMs).toBe(10_000);
    expect(matchers(t)[1]?.multiline?.value).toBe(true);
  });
});

describe('steps', () => {
  it('builds every step kind', async () => {
    const t = (await suite('flow.yaml')).tests[0] as Test;
    expect(t.connect?.protocol).toBe('lmtp');
    expect(text(t.connect?.port)).toBe('${env.LMTP_PORT:-24}');
    expect(step(t, 'c').lines.map(text)).toEqual(['LHLO client.test', 'MAIL FROM:<${from}>']);
    expect(step(t, 'set').vars.map((v) => v.name)).toEqual(['id', 'subject']);
    const repeat = step(t, 'repeat');
    expect(repeat).toMatchObject({ times: 3, as: 'i' });
    expect(repeat.steps.map((s) => s.kind)).toEqual(['c', 's']);
    expect(step(t, 'data').body).toMatchObject({ kind: 'text', dotStuff: true });
    expect(text((step(t, 'data').body as { value: Template }).value)).toBe('Subject: ${subject}\n\n.leading dot\n');
    expect(step(t, 'data', 1).body).toMatchObject({ kind: 'file', dotStuff: false });
    expect(step(t, 'retry')).toMatchObject({ times: 5, delayMs: 200 });
    expect(step(t, 'use').connection).toBe('pop');
    expect(step(t, 'send', 0).bytes.kind).toBe('text');
    expect(step(t, 'send', 1).bytes).toEqual({ kind: 'hex', value: '0d0a' });
    expect(step(t, 'send', 2).bytes).toEqual({ kind: 'base64', value: 'UVVJVA0K' });
    expect(step(t, 'silent').durationMs).toBe(100);
    expect(step(t, 'sleep').durationMs).toBe(1);
    expect(step(t, 'close').kind).toBe('close');
  });

  it('includes carry the fragment, its parameters and `with`', async () => {
    const t = (await suite('fragments.yaml')).tests[0] as Test;
    const first = step(t, 'include');
    expect(first.fragment.file).toBe('fragments/login.yaml');
    expect([...first.fragment.params].sort()).toEqual(['pass', 'user']);
    expect(first.fragment.vars.map((v) => v.name)).toEqual(['tag']);
    const second = step(t, 'include', 1);
    expect(second.name).toBe('login again');
    expect(second.with.map((v) => v.name)).toEqual(['tag']);
    expect([...second.fragment.params].sort()).toEqual(['pass', 'user']);
    const nested = second.fragment.steps[0];
    expect(nested?.kind === 'include' && nested.fragment.file).toBe('fragments/login.yaml');
  });

  it('a `use` step keeps both the connection it names and its `name:` label', async () => {
    const result = await load(['x.yaml'], {
      readFile: () => 'name: u\nconnect: { port: 25 }\nsteps:\n  - connect: { port: 143, as: imap }\n  - name: back\n    use: main\n  - s: 220\n',
      fs: { kind: () => 'file', list: () => [] },
    });
    expect(rendered(result)).toBe('');
    const use = step(result.suites[0]?.tests[0] as Test, 'use');
    expect(use.connection).toBe('main');
    expect(use.name).toBe('back');
  });

  it('imap: optional patterns are built; a variable only they bind is not known after the step (none may come)', async () => {
    const yaml = (later: string) =>
      `name: u\nconnect: { port: 143 }\nsteps:\n  - c: a1 LIST "" *\n  - s: { imap: { untagged: '* LIST () $sep INBOX', optional: ['* LIST () $sep $box', '* $1 EXPUNGE'], extra: false } }\n  - c: ${later}\n`;
    const fs = { kind: () => 'file' as const, list: () => [] };
    const ok = await load(['x.yaml'], { readFile: () => yaml('a2 SELECT INBOX${sep}x'), fs });
    expect(rendered(ok)).toBe('');
    const imap = matchers(ok.suites[0]?.tests[0] as Test)[0]?.imap;
    expect(imap?.optional?.map((p) => p.source)).toEqual(['* LIST () $sep $box', '* $1 EXPUNGE']);
    const unknown = await load(['x.yaml'], { readFile: () => yaml('a2 SELECT ${box}'), fs });
    expect(rendered(unknown)).toMatch(/box/);
  });

  it('`--var` names count as known variables', async () => {
    const result = await load(['valid/fragments.yaml', 'invalid/sem-unknown-variable.yaml'], { vars: { usr: 'x', mailbox: 'INBOX' } });
    expect(rendered(result)).toBe('');
    expect(result.suites).toHaveLength(2);
  });
});
