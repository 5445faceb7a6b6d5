/**
 * The upstream imaptest scripts that use `$1` sequence numbers, `$username`/`$domain`/
 * `$mailbox_url`, binary literals and `?` lines, imported and run by the `convospec` command
 * against the real Dovecot, as carol (the other users belong to other tests), one at a
 * time. Skipped when the servers' coordinates are not in the environment (MAIL_HOST,
 * IMAP_PORT, MAIL_PASS: the env file of test/servers/start.sh).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importImaptest } from '../../src/import/imaptest/index.js';
import { builtCli, ROOT } from '../helpers/build.js';

const UPSTREAM = [join(ROOT, '..', 'shared', 'imaptest-scripts'), join(ROOT, '..', '..', 'shared', 'imaptest-scripts')].find((d) => existsSync(d));
const SERVERS = process.env.MAIL_HOST !== undefined && process.env.IMAP_PORT !== undefined && process.env.MAIL_PASS !== undefined;

/** Each script, and what Dovecot 2.3 makes of it: passed, or skipped for a capability it lacks. */
const SCRIPTS: readonly (readonly [string, 'passed' | RegExp])[] = [
  ['close', 'passed'],
  ['expunge', 'passed'],
  ['expunge2', 'passed'],
  ['search-context-update', 'passed'],
  ['catenate', 'passed'],
  ['catenate-multiappend', 'passed'],
  ['append-binary', 'passed'],
  ['listext', 'passed'],
  // Dovecot 2.3 as configured here has no URLAUTH: skipped, as imaptest skips them.
  ['urlauth', /the server does not advertise urlauth/],
  ['urlauth2', /the server does not advertise urlauth/],
  ['urlauth-binary', /the server does not advertise urlauth, urlauth=binary/],
];

interface Report {
  readonly summary: { readonly passed: number; readonly failed: number; readonly skipped: number };
  readonly suites: readonly { readonly tests: readonly { readonly status: string; readonly skip?: string; readonly failure?: { readonly message: string } }[] }[];
}

describe.skipIf(!SERVERS || UPSTREAM === undefined)('imported imaptest scripts against the real Dovecot, as carol', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convospec-imaptest-dovecot-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const read = (file: string): string | undefined => (existsSync(join(UPSTREAM as string, file)) ? readFileSync(join(UPSTREAM as string, file), 'utf8') : undefined);

  for (const [name, expected] of SCRIPTS) {
    it(name, () => {
      // The script's bytes: a literal may hold any.
      const result = importImaptest({ name, text: readFileSync(join(UPSTREAM as string, name)), mbox: read(`${name}.mbox`) ?? read('default.mbox') }, { env: {} });
      expect(result.problems).toEqual([]);
      const spec = join(dir, `${name}.yaml`);
      writeFileSync(spec, result.yaml as string);
      const json = join(dir, `${name}.json`);
      const run = spawnSync(process.execPath, ['--', builtCli(), 'run', spec, '--concurrency', '1', '--json', json], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, MAIL_USER: 'carol@convospec.test', IMAPTEST_MAILBOX: 'imaptest' },
      });
      const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
      const test = report.suites[0]?.tests[0];
      if (expected === 'passed') expect(test?.status, `${run.stdout}${run.stderr}`).toBe('passed');
      else {
        expect(test?.status, `${run.stdout}${run.stderr}`).toBe('skipped');
        expect(JSON.stringify(test)).toMatch(expected);
      }
    });
  }
});
