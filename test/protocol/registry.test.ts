import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaPath } from '../../src/loader/schema.js';
import { PROTOCOLS, protocolForPort } from '../../src/protocol/registry.js';
import { workspace, type Workspace } from '../helpers/cli.js';

describe('protocol registry', () => {
  it.each([
    [25, 'smtp'],
    [465, 'smtp'],
    [587, 'smtp'],
    [24, 'lmtp'],
    [110, 'pop3'],
    [995, 'pop3'],
    [143, 'imap'],
    [993, 'imap'],
    [4190, 'managesieve'],
    [2525, undefined],
    [0, undefined],
  ])('port %i → %s', (port, name) => {
    expect(protocolForPort(port)).toBe(name);
  });

  it('names each def after its key', () => {
    for (const [name, def] of Object.entries(PROTOCOLS)) expect(def.name).toBe(name);
  });

  it.each([
    ['smtp', true, false, []],
    ['lmtp', true, false, []],
    ['pop3', false, true, ['+OK', '-ERR', '+']],
    ['imap', false, false, ['OK', 'NO', 'BAD', 'PREAUTH', 'BYE', '+']],
    ['managesieve', false, false, ['OK', 'NO', 'BYE', '+']],
    ['line', false, false, []],
  ] as const)('%s metadata', (name, codes, multiline, words) => {
    const def = PROTOCOLS[name];
    expect(def.hasReplyCodes).toBe(codes);
    expect(def.hasMultiline).toBe(multiline);
    expect(def.statusWords).toEqual(words);
  });
});

describe('the registry is the only list of protocols', () => {
  const names = Object.keys(PROTOCOLS);
  let ws: Workspace;
  beforeAll(async () => {
    ws = await workspace();
  });
  afterAll(() => ws.dispose());

  it('the schema enum is its names, in its order', () => {
    const schema = JSON.parse(readFileSync(schemaPath(), 'utf8')) as { definitions: { protocol: { enum: string[] } } };
    expect(schema.definitions.protocol.enum).toEqual(names);
  });

  it('the CLI help names each', async () => {
    // Help wraps long lines: compare with spaces folded.
    const text = async (args: string[]) => (await ws.run(args)).stdout.replace(/\s+/g, ' ');
    const list = `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
    expect(await text(['--help'])).toContain(`line protocols: ${list}`);
    expect(await text(['import', '--help'])).toContain(`--protocol <protocol> ${list} (default: detected)`);
  });

  it.each(names)('`import --protocol %s` writes a spec of that protocol', async (name) => {
    const file = await ws.write(`${name}.txt`, 'c: NOOP\ns: OK\n');
    const run = await ws.run(['import', file, '--protocol', name, '--port', '1']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`protocol: ${name}`);
  });

  it('`import --protocol` refuses any other name, listing the registry\'s', async () => {
    const file = await ws.write('x.txt', 'c: NOOP\ns: OK\n');
    const run = await ws.run(['import', file, '--protocol', 'nntp']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--protocol must be one of ${names.join(', ')}, got "nntp"`);
  });
});
