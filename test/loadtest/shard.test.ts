import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Suite, Test } from '../../src/kernel/model.js';
import type { Span } from '../../src/kernel/span.js';
import { parseShard, shardSuites } from '../../src/engine/shard.js';

const span = (file: string, line: number): Span => ({ file, line, col: 5, endLine: line, endCol: 10 });

function test(file: string, i: number): Test {
  return { name: `t${i}`, span: span(file, 10 + i), tags: [], timeoutMs: 10_000, deadlineMs: 300_000, vars: [], steps: [] };
}

function suite(file: string, tests: number, serial = false): Suite {
  return {
    file,
    baseDir: '/specs',
    span: span(file, 1),
    name: file,
    tags: [],
    serial,
    vars: [],
    secrets: [],
    tests: Array.from({ length: tests }, (_, i) => test(file, i)),
  };
}

const ids = (suites: readonly Suite[]): string[] => suites.flatMap((s) => s.tests.map((t) => `${s.file}#${t.name}`));

describe('--shard i/n', () => {
  it('parses i/n, 1-based', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/4', '5/4', '1/0', '1', 'a/b', '-1/2', '1.5/3', '']) expect(() => parseShard(bad)).toThrow(/--shard takes i\/n/);
  });

  it('deals tests round-robin in file-path order, whatever order the files came in', () => {
    const suites = [suite('b.yaml', 2), suite('a.yaml', 3)];
    expect(ids(shardSuites(suites, { index: 1, count: 2 }))).toEqual(['a.yaml#t0', 'a.yaml#t2', 'b.yaml#t1']);
    expect(ids(shardSuites(suites, { index: 2, count: 2 }))).toEqual(['a.yaml#t1', 'b.yaml#t0']);
    expect(ids(shardSuites([...suites].reverse(), { index: 2, count: 2 }))).toEqual(['a.yaml#t1', 'b.yaml#t0']);
  });

  it('keeps a serial file whole on one shard', () => {
    const suites = [suite('a.yaml', 1), suite('b.yaml', 4, true), suite('c.yaml', 2)];
    expect(ids(shardSuites(suites, { index: 2, count: 2 }))).toEqual(['b.yaml#t0', 'b.yaml#t1', 'b.yaml#t2', 'b.yaml#t3', 'c.yaml#t1']);
    expect(ids(shardSuites(suites, { index: 1, count: 2 }))).toEqual(['a.yaml#t0', 'c.yaml#t0']);
  });

  it('drops suites left without tests; more shards than tests leave some empty', () => {
    const suites = [suite('a.yaml', 2)];
    expect(shardSuites(suites, { index: 3, count: 3 })).toEqual([]);
    expect(shardSuites(suites, { index: 1, count: 3 }).map((s) => s.file)).toEqual(['a.yaml']);
  });

  it('shards are disjoint, their union is the whole list, and each is stable', () => {
    const arbitrary = fc.record({
      files: fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z]{1,6}\.yaml$/), tests: fc.nat(6), serial: fc.boolean() }), {
        selector: (f) => f.name,
        maxLength: 12,
      }),
      count: fc.integer({ min: 1, max: 7 }),
    });
    fc.assert(
      fc.property(arbitrary, ({ files, count }) => {
        const suites = files.map((f) => suite(f.name, f.tests, f.serial));
        const all = ids(shardSuites(suites, { index: 1, count: 1 }));
        const parts = Array.from({ length: count }, (_, i) => ids(shardSuites(suites, { index: i + 1, count })));
        const union = parts.flat();
        expect(new Set(union).size).toBe(union.length);
        expect([...union].sort()).toEqual([...all].sort());
        expect(all.length).toBe(files.reduce((n, f) => n + f.tests, 0));
        const again = Array.from({ length: count }, (_, i) => ids(shardSuites([...suites].reverse(), { index: i + 1, count })));
        expect(again).toEqual(parts);
        // Round-robin: non-serial work is spread evenly (serial files move whole).
        if (files.every((f) => !f.serial)) {
          const sizes = parts.map((p) => p.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 200 },
    );
  });
});
