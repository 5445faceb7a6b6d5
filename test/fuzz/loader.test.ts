/**
 * Random and mutated spec files against the loader (`loadSpecs`, in memory) and the code
 * frame renderer. Allowed outcomes: suites, or diagnostics. A thrown exception is an
 * internal error. Every diagnostic span (and every span of a loaded model) lies inside its
 * file: line within the line count, column within the line plus one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSpecs, type LoadResult } from '../../src/loader/load.js';
import { renderDiagnostics } from '../../src/loader/render.js';
import type { Span } from '../../src/kernel/span.js';
import { mutate, mutation } from './mutate.js';

const ROOT = '/virtual';
const SPEC = `${ROOT}/spec.yaml`;
const FRAGMENT = `${ROOT}/login.yaml`;

/** Seeds that use most of the format: every step kind, matcher key and protocol. */
const SEEDS: readonly string[] = [
  `# yaml-language-server: $schema=../schemas/convospec.schema.json
name: Submission port
version: 1
tags: [smtp, auth]
connect: { host: "\${env.MAIL_HOST:-127.0.0.1}", port: 587, protocol: smtp, timeout: 5s, limits: { line: 1KiB, reply: 1MiB } }
tls: { ca: ca.pem, servername: mail.convospec.test, minVersion: TLSv1.2 }
timeout: 2s
deadline: 1m
vars: { user: alice, pass: "\${env.MAIL_PASS:-s3cret}", id: "\${uuid()}" }
secrets: [pass]
tests:
  - name: AUTH is refused before STARTTLS, accepted after
    tags: [slow]
    steps:
      - s: 220
      - c: EHLO client.test
      - s: { code: 250, contains: [STARTTLS, '/AUTH .*PLAIN/'], excludes: [CHUNKING] }
      - c: AUTH PLAIN \${sasl_plain(user, pass)}
      - s: { code: 530, enhanced: 5.7.0 }
      - c: STARTTLS
      - s: 2xx
      - tls: { expect: { protocol: '/^TLSv1\\.[23]$/', authorized: true, validDays: 7 } }
      - c: [ "MAIL FROM:<\${user}@convospec.test>", "RCPT TO:<b@convospec.test>" ]
      - s: 250
      - s: { oneOf: [250, { code: 251 }] }
      - c: DATA
      - s: 354
      - data: "Subject: \${id}\\n\\n.dot\\n"
      - s: { code: 250, capture: { queued: '/queued as (\\S+)/' } }
      - set: { seen: "\${queued}" }
      - include: login.yaml
        with: { who: "\${user}" }
      - repeat: { times: 2, as: i, steps: [ { c: "NOOP \${i}" }, { s: 250 } ] }
      - retry: { times: 3, delay: 100ms, steps: [ { c: NOOP }, { s: 250 } ] }
      - send: { hex: "0d0a" }
      - silent: 100ms
      - sleep: 10ms
      - c: QUIT
      - s: [ "/^221/", "..." ]
      - s: { closed: true }
  - name: skipped
    skip: not today
    steps: []
`,
  `name: IMAP and POP3
serial: true
tests:
  - name: imap
    connect: { port: 143 }
    steps:
      - s: { status: OK, text: '/ready/' }
      - c: a1 LOGIN alice secret
      - s: { status: OK, match: '/a1 OK/' }
      - connect: { port: 110, as: pop }
      - s: +OK
      - c: CAPA
      - s: { status: +OK, multiline: true, lines: ["+OK", "..."] }
      - use: main
      - c: a2 LOGOUT
      - s: { any: true, timeout: 3s }
      - close: true
`,
  `name: line protocol
steps:
  - connect: { port: 7, protocol: line, eol: lf }
  - c: hello
  - s: hello
  - s: '\\/not a regex/'
`,
];

const FRAGMENT_TEXT = `fragment: log in with AUTH LOGIN
vars: { who: nobody }
steps:
  - c: AUTH LOGIN
  - s: 334
  - c: \${base64(who)}
  - s: 334
`;

/** The project's own examples, when present: more seeds for free. */
function exampleSeeds(): string[] {
  const dir = join(import.meta.dirname, '../../examples');
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith('.yaml'))
      .map((n) => readFileSync(join(dir, n), 'utf8'));
  } catch {
    return [];
  }
}

const ALL_SEEDS = [...SEEDS, ...exampleSeeds()];

async function load(spec: string, fragment = FRAGMENT_TEXT): Promise<LoadResult> {
  const files = new Map([
    [SPEC, spec],
    [FRAGMENT, fragment],
  ]);
  return loadSpecs(['spec.yaml'], {
    cwd: ROOT,
    vars: {},
    env: { MAIL_HOST: '127.0.0.1' },
    readFile: (path) => {
      const text = files.get(path);
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
    fs: {
      kind: (path) => (files.has(path) ? 'file' : path === ROOT ? 'dir' : undefined),
      list: (dir) => (dir === ROOT ? [...files.keys()].map((p) => ({ name: p.slice(ROOT.length + 1), dir: false })) : []),
    },
  });
}

/** The span lies inside the text of its file: 1-based line within the lines, col within the line + 1. */
function expectInside(span: Span, sources: ReadonlyMap<string, string>, what: string): void {
  const text = sources.get(span.file);
  if (text === undefined) {
    // Problems of an input itself (no such file) have no source: they point at 1:1.
    expect([span.line, span.col], `${what}: ${JSON.stringify(span)}`).toEqual([1, 1]);
    return;
  }
  const lines = text.split('\n');
  const at = (line: number, col: number, end: boolean): void => {
    const where = `${what} at ${span.file}:${line}:${col} (${lines.length} lines)`;
    expect(Number.isInteger(line) && Number.isInteger(col), where).toBe(true);
    expect(line, where).toBeGreaterThanOrEqual(1);
    expect(line, where).toBeLessThanOrEqual(lines.length);
    expect(col, where).toBeGreaterThanOrEqual(1);
    expect(col, `${where}: line is ${JSON.stringify(lines[line - 1])}${end ? ' (end)' : ''}`).toBeLessThanOrEqual(lines[line - 1]!.length + 1);
  };
  at(span.line, span.col, false);
  at(span.endLine, span.endCol, true);
  expect(span.endLine * 1e6 + span.endCol, `${what}: end before start ${JSON.stringify(span)}`).toBeGreaterThanOrEqual(span.line * 1e6 + span.col);
}

/** Every span anywhere in a loaded model (spans are objects with file/line/col/endLine/endCol). */
function modelSpans(node: unknown, out: Span[] = [], seen = new Set<unknown>()): Span[] {
  if (node === null || typeof node !== 'object' || seen.has(node)) return out;
  seen.add(node);
  const o = node as Record<string, unknown>;
  if (typeof o.file === 'string' && typeof o.line === 'number' && typeof o.endCol === 'number') out.push(o as unknown as Span);
  for (const value of Object.values(o)) modelSpans(value, out, seen);
  return out;
}

function checkResult(result: LoadResult): void {
  for (const d of result.diagnostics) {
    expect(d.message.length, 'an empty message').toBeGreaterThan(0);
    expect(d.message, 'a message built from a missing value').not.toMatch(/\bundefined\b|\[object Object\]|\bNaN\b/);
    expectInside(d.span, result.sources, `diagnostic "${d.message}"`);
    for (const from of d.includedFrom ?? []) expectInside(from, result.sources, `included from, for "${d.message}"`);
  }
  for (const span of modelSpans(result.suites)) expectInside(span, result.sources, 'model span');
  // Code frames are drawn from the same spans: drawing them must not throw either.
  const rendered = renderDiagnostics(result.diagnostics, result.sources, { color: false });
  expect(typeof rendered).toBe('string');
}

const seed = fc.constantFrom(...ALL_SEEDS);

describe('loader: random and mutated specs', () => {
  it('the seeds load without diagnostics (so mutations start from valid specs)', async () => {
    for (const text of SEEDS) {
      const result = await load(text);
      expect(result.diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.message}`)).toEqual([]);
      expect(result.suites).toHaveLength(1);
      checkResult(result);
    }
  });

  it('mutated specs: diagnostics or suites, never a throw, every span inside the file', async () => {
    await fc.assert(
      fc.asyncProperty(seed, fc.array(mutation, { minLength: 1, maxLength: 6 }), async (text, mutations) => {
        checkResult(await load(mutate(text, mutations)));
      }),
      { numRuns: 120 },
    );
  });

  it('mutated fragments, included by a valid spec: spans inside the fragment, include trail inside the spec', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        checkResult(await load(SEEDS[0]!, mutate(FRAGMENT_TEXT, mutations)));
      }),
      { numRuns: 80 },
    );
  });

  it('random text and random YAML-ish lines: never a throw', async () => {
    const yamlish = fc
      .array(
        fc.tuple(
          fc.nat({ max: 6 }),
          fc.constantFrom('name:', 'tests:', 'steps:', '- s:', '- c:', 'connect:', 'tls:', 'vars:', 'secrets:', '- name:', 'include:', 'repeat:', '- ', '? ', '&a', '*a', '<<: *a', '!!binary', '---', '...', '%YAML 1.2'),
          fc.string({ maxLength: 12 }),
        ),
        { maxLength: 20 },
      )
      .map((lines) => lines.map(([indent, key, value]) => `${' '.repeat(indent)}${key} ${value}`).join('\n'));
    await fc.assert(
      fc.asyncProperty(fc.oneof(yamlish, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 })), async (text) => {
        checkResult(await load(text));
      }),
      { numRuns: 200 },
    );
  });

  it('hostile YAML: alias bombs, deep nesting, huge numbers and long lines end in diagnostics', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`), 'name: bomb', 'steps: []'].join('\n');
    const deep = `name: deep\nsteps:\n  - s: ${'{ oneOf: ['.repeat(200)}220${']}'.repeat(200)}\n`;
    const repeatDeep = `name: deep repeat\nconnect: { port: 25 }\nsteps:\n${Array.from({ length: 60 }, (_, i) => `${'  '.repeat(i + 1)}- repeat:\n${'  '.repeat(i + 2)}  times: 2\n${'  '.repeat(i + 2)}  steps:`).join('\n')}\n${'  '.repeat(62)}- c: NOOP\n`;
    const numbers = 'name: n\nconnect: { port: 99999999999999999999999, limits: { line: 99999999999GiB } }\ntimeout: 1e400\nsteps: [{ repeat: { times: 1e308, steps: [] } }, { sleep: -1 }]\n';
    const longLine = `name: long\nconnect: { port: 25 }\nsteps:\n  - c: ${'x'.repeat(200_000)}\n  - s: { cdoe: 1 }\n`;
    for (const text of [bomb, deep, repeatDeep, numbers, longLine]) {
      const result = await load(text);
      checkResult(result);
    }
  });
});

describe('loader: known-bad inputs, as examples that always run', () => {
  it('a YAML error after an unclosed flow collection is still located on the right line', async () => {
    // yaml's LineCounter, which the loader's spans use, skips the line start at offset 17
    // here (it counts lines only as far as its parser got): the errors on line 3 are
    // reported as line 2, columns 14 and 16 of the 7-character "name: x".
    checkResult(await load('  - s: [\nname: x\n  - s: {\n'));
  });

  it('an unterminated quote at the very end: the span ends at the end of the file', async () => {
    // yaml reports the missing closing quote one past the end of the text.
    checkResult(await load(`"${FRAGMENT_TEXT}`));
  });
});
