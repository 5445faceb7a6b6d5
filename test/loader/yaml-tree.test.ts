/**
 * The YAML tree built from js-yaml's events against `yaml`'s reading of the same texts: every
 * spec of the repository (examples, regression specs, fixtures) and a set of YAML corners must
 * give the same data and the same node positions, so that swapping the parser changed no spec's
 * meaning and no diagnostic's place. Then the problems the tree itself finds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEvents } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Node as YNode } from 'yaml';
import { buildTree, MAX_ALIAS_EXPANSION, type YamlNode } from '../../src/loader/yaml-tree.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

function yamlFiles(dir: string, depth = 0): string[] {
  if (depth > 8) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? yamlFiles(join(dir, d.name), depth + 1) : /\.ya?ml$/.test(d.name) ? [join(dir, d.name)] : [],
  );
}

function tree(text: string) {
  return buildTree(text, parseEvents(text, {}));
}

/** Every node of both trees side by side: [what, ours [start, end], yaml's [start, end]]. */
function positions(ours: YamlNode | null, theirs: YNode | null, path: string, out: [string, number[], number[]][]): void {
  if (!ours || !theirs) return;
  const range = theirs.range ?? [0, 0];
  // A block collection's end in `yaml` runs on over the comments after it; ours stops at its last node.
  const block = (ours.type === 'map' || ours.type === 'seq') && !ours.flow;
  out.push([`${path} (${ours.type})`, block ? [ours.start] : [ours.start, ours.end], block ? [range[0]] : [range[0], range[1]]]);
  if (ours.type === 'map' && isMap(theirs)) {
    ours.items.forEach((pair, i) => {
      const other = theirs.items[i];
      positions(pair.key, (other?.key as YNode | undefined) ?? null, `${path}/${pair.name}:key`, out);
      positions(pair.value, (other?.value as YNode | undefined) ?? null, `${path}/${pair.name}`, out);
    });
  } else if (ours.type === 'seq' && isSeq(theirs)) {
    ours.items.forEach((item, i) => positions(item, (theirs.items[i] as YNode | undefined) ?? null, `${path}/${i}`, out));
  } else if (!(ours.type === 'scalar' && isScalar(theirs)) && !(ours.type === 'alias' && isAlias(theirs))) {
    out.push([`${path}: kind`, [0], [1]]);
  }
}

function sameAsYaml(text: string, label: string): void {
  const doc = parseDocument(text, { uniqueKeys: true });
  const ours = tree(text);
  expect(ours.problems, label).toEqual([]);
  expect(ours.data, label).toEqual(doc.toJS({ maxAliasCount: 1000 }) ?? null);
  const pairs: [string, number[], number[]][] = [];
  positions(ours.root, doc.contents as YNode | null, label, pairs);
  expect(pairs.filter(([, a, b]) => a.join() !== b.join())).toEqual([]);
}

describe('the YAML tree reads what `yaml` read', () => {
  const files = ['examples', 'specs', 'test/fixtures'].flatMap((d) => yamlFiles(join(REPO, d)));

  it.each([
    ['as written', (text: string) => text],
    ['with CRLF line ends', (text: string) => text.replace(/\r?\n/g, '\r\n')],
  ])('every spec of the repository, %s: same data, same node positions', (_, form) => {
    let compared = 0;
    for (const file of files) {
      const text = form(readFileSync(file, 'utf8'));
      const doc = parseDocument(text, { uniqueKeys: true });
      // Broken on purpose (the goldens cover them): what yaml rejects, and the YAML-level fixtures.
      if (doc.errors.length > 0 || doc.contents === null || /\/invalid\/yaml-[^/]*$/.test(file)) continue;
      sameAsYaml(text, file.slice(REPO.length));
      compared += 1;
    }
    expect(compared).toBeGreaterThan(150);
  });

  it.each([
    ['core schema scalars', 'a: [~, null, Null, NULL, "", true, True, FALSE, 0o17, 017, -12, +3, 0x1F, 1.5, .5, 5., -.inf, .NaN, 1e3, 2.7.0, 5xx, 250-, yes, no, on]\n'],
    ['quoted scalars are strings', `a: ["220", '1.0', "tr\\"ue", 'it''s']\n`],
    ['empty values', 'a:\nb:   \nc: # note\nd: [x, ]\ne: {f: }\n- \n'.replace('- \n', 'g: [ ]\n')],
    ['empty values in a list', 'a:\n  -\n  - x\n  -   \n'],
    ['block scalars', 'a: |\n  one\n  two\n\nb: >-\n  folded\n  text\nc: |+\n  keep\n\nd: x\ne: | # why\n  body\n'],
    ['a block scalar as a list item', 'steps:\n  - |\n    EHLO x\n  - s: 250\n'],
    ['nested flow collections', 's: { code: 250, contains: [STARTTLS, "/SIZE \\\\d+/"], oneOf: [{ code: 1 }, [2, 3]] }\n'],
    ['anchors and aliases', 'a: &x { k: v }\nb: *x\nc: &y [1, 2]\nd: [*y, *x]\ne: &z 12\nf: *z\n'],
    ['tags', 'a: !!str 12\nb: !!int "7"\nc: ! 12\nd: !custom 5\n'],
    ['comments everywhere', '# head\na: 1 # one\n# between\nb: # before\n  - x # in\n  # inside\n  - y\n'],
    ['a document start marker', '---\nname: x\n'],
    ['keys of other kinds', '1: a\ntrue: b\n~: c\n"q": d\n'],
  ])('%s', (_, text) => sameAsYaml(text, text));
});

describe('the YAML tree: problems', () => {
  it('a duplicate key is a problem at the second key, however written', () => {
    const t = tree('a: 1\nb:\n  c: 1\n  "c": 2\na: 3\n');
    expect(t.problems).toEqual([
      { code: 'duplicate-key', start: 17, end: 20, name: 'c' },
      { code: 'duplicate-key', start: 24, end: 25, name: 'a' },
    ]);
  });

  it('a second document is a problem at its `---`, and ends the reading', () => {
    const text = 'a: 1\n---\nb: 2\n';
    const t = tree(text);
    expect(t.problems).toEqual([{ code: 'multiple-documents', start: 5, end: 8 }]);
    expect(t.data).toEqual({ a: 1 });
  });

  it('an alias to no anchor is a problem at the alias', () => {
    expect(tree('a: *nope\n').problems).toEqual([{ code: 'unknown-anchor', start: 3, end: 8, name: 'nope' }]);
  });

  it('an alias to an anchor on the node still open (a cycle) is an alias to no anchor', () => {
    expect(tree('a: &x\n  b: *x\n').problems.map((p) => p.code)).toEqual(['unknown-anchor']);
  });

  it(`aliases that expand the document past ${MAX_ALIAS_EXPANSION} nodes stop the reading`, () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i += 1) {
      const prev = String.fromCharCode(96 + i);
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const t = tree(levels.join('\n') + '\n');
    expect(t.problems.map((p) => p.code)).toEqual(['alias-expansion']);
  });

  it('aliases are counted at the size of what they repeat, so a few big ones are fine', () => {
    const t = tree(`a: &a [${Array(500).fill('x').join(', ')}]\nb: [*a, *a, *a]\n`);
    expect(t.problems).toEqual([]);
    expect((t.data as { b: unknown[][] }).b[2]).toHaveLength(500);
  });

  it('`__proto__` is a key like any other', () => {
    const data = tree('__proto__: { polluted: true }\n').data as Record<string, unknown>;
    expect(Object.keys(data)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
  });

  it('a `%YAML` directive other than 1.2 is a problem at the directive; 1.2 is none', () => {
    expect(tree('# head\n%YAML 1.1\n---\na: yes\n').problems).toEqual([{ code: 'yaml-version', start: 7, end: 16, name: '1.1' }]);
    expect(tree('%YAML 1.2\n---\na: yes\n').problems).toEqual([]);
  });

  it('an empty text, or comments alone, is no document', () => {
    expect(tree('').root).toBeNull();
    expect(tree('# nothing\n').root).toBeNull();
  });
});
