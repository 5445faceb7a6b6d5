/**
 * One name, one definition: a helper or type exported under the same name from two files of
 * src/ is a twin (two definitions drift apart; a reader cannot tell which one a call means).
 * The demo servers (src/demo) are the peer, not the tool, and keep their own helpers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

/** Names exported by two files on purpose, with why. */
const DISTINCT: Readonly<Record<string, string>> = {
  LoadOptions: "the loader's options (src/loader/load.ts) and a load run's (src/engine/load.ts)",
  ProtocolName: "the importer's narrows the model's (no ManageSieve dialect)",
};

const DECLARATION = /^export (?:declare )?(?:async )?(?:function\*?|const|let|class|type|interface|enum) ([A-Za-z_$][\w$]*)/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'demo' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('src/ exports each name from one file', () => {
  it('has no twins', () => {
    const homes = new Map<string, string[]>();
    for (const file of sourceFiles(SRC)) {
      for (const m of readFileSync(file, 'utf8').matchAll(DECLARATION)) {
        const name = m[1]!;
        homes.set(name, [...(homes.get(name) ?? []), relative(SRC, file)]);
      }
    }
    const twins = [...homes].filter(([name, files]) => files.length > 1 && !Object.hasOwn(DISTINCT, name));
    expect(Object.fromEntries(twins)).toEqual({});
  });
});
