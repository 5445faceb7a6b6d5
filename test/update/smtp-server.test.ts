/**
 * `run --update` against nodemailer's smtp-server, in-process on port 0, whose greeting and
 * EHLO differ from what the specs say (a server upgrade): the stale `s:` steps are rewritten
 * with what came, every other byte of the files stays, the specs then pass, and a second
 * `--update` changes nothing (format §11).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workspace, type Workspace } from '../helpers/cli.js';
import { changedLines } from './diff.js';

let server: SMTPServer;
let port: number;
let ws: Workspace;

beforeAll(async () => {
  server = new SMTPServer({ name: 'mx.convospec.test', banner: 'upgraded', disabledCommands: ['STARTTLS', 'AUTH'], logger: false });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
  ws = await workspace();
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await ws.dispose();
});

const read = (name: string): Promise<string> => readFile(join(ws.dir, name), 'utf8');

describe('a stale greeting and EHLO', () => {
  const spec = (): string => `# The submission server, as it answered before the upgrade.
name: "stale server"
connect: { host: 127.0.0.1, port: ${port}, protocol: smtp }
tests:
  - name: greeting and EHLO
    steps:
      - s: "220 mx.convospec.test ESMTP old-banner"   # the banner
      - c: 'EHLO client.test'
      - s:
          - 250-mx.convospec.test Hello
          - 250 8BITMIME
      # after EHLO, nothing changed
      - c: QUIT
      - { s: 221, name: bye }
`;

  it('is rewritten in place: only the two steps change, and the spec then passes', async () => {
    const before = spec();
    await ws.write('stale.yaml', before);
    const failing = await ws.run(['run', 'stale.yaml']);
    expect(failing.code).toBe(1);

    const update = await ws.run(['run', 'stale.yaml', '--update']);
    expect(update.stderr).toBe('');
    expect(update.code).toBe(0);
    expect(update.stdout).toContain('updated stale.yaml:7\n');
    expect(update.stdout).toContain('updated stale.yaml:9\n');
    expect(update.stdout).toContain('--update: 2 steps rewritten in 1 file\n');

    const after = await read('stale.yaml');
    const changed = changedLines(before, after);
    // The greeting's line (its comment kept), and the EHLO list's lines: nothing else.
    expect(changed.removed).toEqual([7, 10, 11]);
    expect(after).toContain('      - s: 220 mx.convospec.test ESMTP upgraded   # the banner\n');
    // The list keeps its indentation; the client's name (or address, as a regex) follows `you,`.
    expect(after).toMatch(/ {6}- s:\n {10}- '?\/?\^?250-mx\\?\.convospec\\?\.test Nice to meet you, .*\n {10}- 250-PIPELINING\n {10}- 250-8BITMIME\n {10}- 250 SMTPUTF8\n {6}# after EHLO/);

    const passing = await ws.run(['run', 'stale.yaml']);
    expect(passing.code).toBe(0);

    const again = await ws.run(['run', 'stale.yaml', '--update']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('--update: 0 steps rewritten in 0 files\n');
    expect(await read('stale.yaml')).toBe(after);
  });
});
