/** Portable specs in the model: `matrix` runs, `requires`, `xfail`, `when`, and their load-time limits. */
import { describe, expect, it } from 'vitest';
import { load, rendered } from './helpers.js';

const fs = { kind: () => 'file' as const, list: () => [] };
const loadText = (text: string) => load(['a.yaml'], { readFile: () => text, fs });

describe('portable specs in the model', () => {
  it('matrix: the file\'s and the test\'s multiply, the test\'s values win for a name in both, names show the values as written', async () => {
    const r = await loadText(`
name: M
connect: { port: 25 }
matrix: { port: [587, 465], tls: [starttls] }
tests:
  - name: t
    matrix: { tls: [starttls, implicit] }
    xfail: known
    requires: [AUTH=PLAIN, STARTTLS]
    steps:
      - s: 220
        when: { tls: starttls, not: { port: [465, "2525"] } }
`);
    expect(rendered(r)).toBe('');
    const tests = r.suites[0]!.tests;
    expect(tests.map((t) => t.name)).toEqual(['t [port=587, tls=starttls]', 't [port=587, tls=implicit]', 't [port=465, tls=starttls]', 't [port=465, tls=implicit]']);
    expect(tests[1]!.matrix?.map((d) => [d.name, d.value.source])).toEqual([['port', '587'], ['tls', 'implicit']]);
    expect(tests[0]!.xfail).toBe('known');
    expect(tests[0]!.requires?.map((r) => r.value)).toEqual(['AUTH=PLAIN', 'STARTTLS']);
    expect(tests[0]!.steps[0]!.when?.terms.map((t) => [t.name, t.values, t.negated])).toEqual([['tls', ['starttls'], false], ['port', ['465', '2525'], true]]);
  });

  it('the file\'s requires come first, each capability once', async () => {
    const r = await loadText('name: R\nconnect: { port: 25 }\nrequires: [SIZE, chunking]\ntests:\n  - name: t\n    requires: [CHUNKING, DSN]\n    steps: [{ s: 220 }]\n');
    expect(r.suites[0]!.tests[0]!.requires?.map((x) => x.value)).toEqual(['SIZE', 'chunking', 'DSN']);
  });

  it('more than 10,000 tests in one file from matrices is a load-time error', async () => {
    const values = Array.from({ length: 101 }, (_, i) => i).join(', ');
    const tests = Array.from({ length: 100 }, (_, i) => `  - name: t${i}\n    steps: [{ s: 220 }]\n`).join('');
    const r = await loadText(`name: Big\nconnect: { port: 25 }\nmatrix: { n: [${values}] }\ntests:\n${tests}`);
    expect(r.diagnostics.map((d) => [d.code, d.span.line, d.span.col])).toEqual([['matrix-too-large', 3, 1]]);
    expect(r.diagnostics[0]!.message).toBe('the `matrix` values make 10100 tests in this file, more than the limit of 10000');
  });

  it('a `when` in a fragment makes its variable a parameter', async () => {
    const files: Record<string, string> = {
      '/w/a.yaml': 'name: F\nconnect: { port: 25 }\nsteps:\n  - include: f.yaml\n',
      '/w/f.yaml': 'fragment: F\nsteps:\n  - c: NOOP\n    when: { mode: x }\n',
    };
    const r = await load(['/w/a.yaml'], { cwd: '/w', readFile: (p) => files[p] ?? '', fs });
    expect(r.diagnostics.map((d) => d.message)).toEqual(['the fragment `f.yaml` needs `mode`, which is not set here']);
  });
});
