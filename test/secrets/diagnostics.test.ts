/**
 * Spec §7 in load errors: a literal secret hides the VALUES of the file that declares it,
 * never the spec's own keys or paths, and never another file's text — even a short one
 * such as `secret`, which `secrets`, `f12-secrets-sources.yaml` and `undefinedsecret` hold.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace, type Workspace } from '../helpers/cli.js';
import { jsonStrings, xmlStrings } from './leaks.js';

let ws: Workspace;

beforeAll(async () => {
  ws = await workspace();
});

afterAll(async () => {
  await ws.dispose();
});

const DECLARES = `name: sources
connect: { host: 127.0.0.1, port: 25, protocol: smtp }
vars: { pass: secret, other: "\${pas}" }
secrets: [pass, nope]
steps:
  - s: 220
`;

/** Declares no secret; its words hold `secret`. */
const OTHER = `name: other
connect: { host: 127.0.0.1, port: 25, protocol: smtp }
vars: { mysecret: "\${undefinedsecret}" }
steps:
  - s: 220
`;

/** The secret's value is also a key of the file. */
const KEY = `name: key
connect: { host: 127.0.0.1, port: 25, protocol: smtp }
vars: { secret: secret, x: "\${nope}" }
secrets: [secret]
steps:
  - s: 220
`;

/** What validate and run (console, JUnit, JSON) print about these files. */
async function shown(dir: string): Promise<Map<string, string>> {
  const files = [
    await ws.write(`${dir}/f12-secrets-sources.yaml`, DECLARES),
    await ws.write(`${dir}/other.yaml`, OTHER),
    await ws.write(`${dir}/key.yaml`, KEY),
  ];
  const validate = await ws.run(['validate', ...files]);
  const run = await ws.run(['run', ...files, '--junit', `${dir}/out/junit.xml`, '--json', `${dir}/out/report.json`]);
  expect(validate.code).toBe(2);
  expect(run.code).toBe(2);
  const junit = await readFile(join(ws.dir, dir, 'out/junit.xml'), 'utf8');
  const json = await readFile(join(ws.dir, dir, 'out/report.json'), 'utf8');
  return new Map([
    ['validate', validate.stdout + validate.stderr],
    ['run', run.stdout + run.stderr],
    ['junit.xml', xmlStrings(junit)],
    ['report.json', jsonStrings(json)],
  ]);
}

describe('a short literal secret in load errors', () => {
  let outputs: Map<string, string>;

  beforeAll(async () => {
    outputs = await shown('short');
  });

  it('hides the value it is, in the file that declares it', () => {
    for (const [where, text] of outputs) {
      expect(text, where).toContain('vars: { pass: ***, other:');
      expect(text, where).toContain('vars: { secret: ***, x:');
      expect(text, where).not.toMatch(/pass: secret|secret: secret/);
    }
  });

  it('leaves file names, keys and other words that hold it alone', () => {
    for (const [where, text] of outputs) {
      expect(text, where).toContain('f12-secrets-sources.yaml:4:17: `secrets` names `nope`');
      expect(text, where).toContain('   4 | secrets: [pass, nope]');
      expect(text, where).not.toMatch(/\*\*\*s/);
    }
  });

  it('never masks a file that does not declare it', () => {
    for (const [where, text] of outputs) {
      expect(text, where).toContain('unknown variable `undefinedsecret`');
      expect(text, where).toContain('vars: { mysecret: "${undefinedsecret}" }');
    }
  });

  it('keeps the carets under the span', () => {
    // `secrets` shown whole: the carets stand under `nope`, not four columns left of it.
    expect(outputs.get('validate')).toContain('   4 | secrets: [pass, nope]\n     |                 ^^^^ ');
  });
});
