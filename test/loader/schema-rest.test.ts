/**
 * A file that fails the schema still gets the later checks (every problem in one pass), over the parts the
 * schema did not reject: true problems are added, follow-on ones are not, and the file is
 * never returned as runnable.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSpecs, type LoadResult } from '../../src/loader/load.js';

const HEAD = 'name: S\nconnect: { host: 127.0.0.1, port: 25, protocol: smtp }\n';

describe('checks after schema problems', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'convospec-rest-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function messages(text: string, name = 'a.yaml'): Promise<{ r: LoadResult; list: string[] }> {
    writeFileSync(join(dir, name), text);
    const r = await loadSpecs([name], { cwd: dir, vars: {}, env: {} });
    return { r, list: r.diagnostics.map((d) => `${d.span.line}: ${d.code}`) };
  }

  it('reports the other steps\' problems beside a step the schema rejected, and returns no suite', async () => {
    const { r, list } = await messages(`${HEAD}tests:\n  - name: t\n    steps:\n      - s: { code: 220, contans: x }\n      - c: HELO \${usr}\n      - s: 250\n`);
    expect(list).toEqual(['6: unknown-key', '7: unknown-variable']);
    expect(r.suites).toEqual([]);
  });

  it('a rejected step that may set a variable or switch connections hides nothing true and invents nothing', async () => {
    const { list } = await messages(
      `${HEAD}tests:\n  - name: t\n    steps:\n      - s: { code: 250, captur: { id: '/(\\\\d+)/' } }\n      - set: { x: 1, y: [2] }\n      - c: HELO \${x} \${id}\n      - connect: { protocol: imap, bogus: 1 }\n      - s: 220\n`,
    );
    // No unknown `x`/`id`, no reply code in imap after the broken connect: what they did is unknown.
    expect(list.every((m) => !m.endsWith('unknown-variable') && !m.endsWith('matcher-not-for-protocol'))).toBe(true);
    expect(list.length).toBeGreaterThanOrEqual(3);
  });

  it('a test rejected outside its steps is left out; the other tests are checked', async () => {
    const { list } = await messages(`name: S\ntests:\n  - name: a\n    conect: { port: 25 }\n    steps: [{ s: 220 }]\n  - name: b\n    connect: { port: 143, protocol: imap }\n    steps: [{ s: 220 }]\n`);
    expect(list).toEqual(['4: unknown-key', '8: matcher-not-for-protocol']);
  });

  it('secrets are not judged when a test was left out (it may set the name)', async () => {
    const { list } = await messages(`${HEAD}secrets: [tok]\ntests:\n  - name: a\n    vars: { tok: 1 }\n    tags: 3\n    steps: [{ s: 220 }]\n`);
    expect(list).toHaveLength(1);
  });

  it('a problem in a key of the file that nothing depends on hides nothing else', async () => {
    const { list } = await messages(`${HEAD}timeout: soon\nbogus: 1\ntests:\n  - name: t\n    deadline: 1.5s\n    steps: [{ c: "\${nope}" }]\n`);
    expect(list).toEqual(['3: duration-invalid', '4: unknown-key', '7: duration-invalid', '8: unknown-variable']);
  });

  it('a problem in the file\'s `connect`, `tls` or `vars`, or in a misspelling of one, still hides the later checks', async () => {
    for (const head of ['name: S\nconnect: { port: 25, protocl: smtp }\n', `${HEAD}vars: { a: [1] }\n`, `${HEAD}tls: { verfy: false }\n`, `${HEAD}conect: { port: 25 }\n`]) {
      const { list } = await messages(`${head}tests:\n  - name: t\n    steps: [{ c: "\${nope}" }]\n`);
      expect(list.every((m) => !m.endsWith('unknown-variable')), list.join('\n')).toBe(true);
    }
  });

  it('a fragment with a rejected step gets the checks of its other steps', async () => {
    const { r, list } = await messages('fragment: F\nsteps:\n  - c: HELO ${nope()}\n  - s: { text: x, bogus: 1 }\n', 'f.yaml');
    expect(list).toEqual(['3: unknown-function', '4: unknown-key']);
    expect(r.fragments).toEqual([]);
  });

  it('anchors and aliases in a broken file: the schema problems alone', async () => {
    const { list } = await messages(`${HEAD}tests:\n  - name: t\n    steps:\n      - &a { s: { code: 220, contans: x } }\n      - *a\n      - c: HELO \${usr}\n`);
    expect(list.every((m) => !m.endsWith('unknown-variable'))).toBe(true);
  });
});
