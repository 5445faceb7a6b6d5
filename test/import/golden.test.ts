/**
 * Golden tests: each transcript in test/fixtures/import/*.txt becomes the spec in
 * `*.expected.yaml` with the warnings in `*.warnings.txt`, byte for byte. The outputs must
 * be YAML, load as specs with no diagnostic, and never hold a password from the transcript.
 * Run with UPDATE_GOLDEN=1 to rewrite the expected files after a deliberate change.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importTranscript } from '../../src/import/index.js';
import { loadSpecs } from '../../src/loader/load.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'import');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Passwords written in the fixtures, each of which must never reach the output. */
const PASSWORDS: Readonly<Record<string, readonly string[]>> = {
  'swaks-auth-plain-starttls.txt': ['S3cret-Pa55', 'UzNjcmV0LVBhNTU=', 'AGFsaWNlQGV4YW1wbGUub3JnAFMzY3JldC1QYTU1'],
  'openssl-smtps-465.txt': ['hunter2-secret', 'aHVudGVyMi1zZWNyZXQ='],
  'pop3-marked.txt': ['correct horse battery'],
  'imap-literals.txt': ['swordfish-2025', 'AGpvZUBleGFtcGxlLm5ldABzd29yZGZpc2gtMjAyNQ=='],
  'seed-imap-143.txt': ['password'],
  'openssl-starttls-imap-dovecot.txt': ['demo-password'],
  'openssl-starttls-pop3-dovecot.txt': ['demo-password'],
  'openssl-starttls-smtp-postfix.txt': ['demo-password', 'AGFsaWNlQGNvbnZvc3BlYy50ZXN0AGRlbW8tcGFzc3dvcmQ='],
  'managesieve-dovecot.txt': ['demo-password', 'AGFsaWNlQGNvbnZvc3BlYy50ZXN0AGRlbW8tcGFzc3dvcmQ='],
};

const fixtures = readdirSync(DIR)
  .filter((name) => name.endsWith('.txt') && !name.endsWith('.warnings.txt'))
  .sort();

function golden(path: string, actual: string): void {
  if (UPDATE || !existsSync(path)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

/** Loads a spec from memory with the project's loader. */
async function load(yamlText: string) {
  const path = '/virtual/imported.yaml';
  return loadSpecs([path], {
    cwd: '/virtual',
    vars: {},
    env: { MAIL_PASS: 'from-the-environment' },
    readFile: () => yamlText,
    fs: { kind: (p) => (p === path ? 'file' : undefined), list: () => [] },
  });
}

describe('importTranscript golden files', () => {
  it('has the fixtures the brief names', () => {
    expect(fixtures).toEqual(
      expect.arrayContaining(['seed-smtp-587.txt', 'seed-imap-143.txt', 'seed-telnet-esa.txt', 'swaks-auth-plain-starttls.txt']),
    );
  });

  for (const name of fixtures) {
    describe(name, () => {
      const text = readFileSync(join(DIR, name), 'utf8');
      const result = importTranscript(text);
      const base = name.replace(/\.txt$/, '');

      it('matches the expected spec and warnings', () => {
        golden(join(DIR, `${base}.expected.yaml`), result.yaml);
        golden(join(DIR, `${base}.warnings.txt`), result.warnings.map((w) => `${w.line}: ${w.message}\n`).join(''));
      });

      it('is YAML and a valid spec', async () => {
        expect(() => parse(result.yaml)).not.toThrow();
        const loaded = await load(result.yaml);
        expect(loaded.diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.message}`)).toEqual([]);
        expect(loaded.suites).toHaveLength(1);
      });

      it('keeps passwords out of the spec and the warnings', () => {
        const warnings = result.warnings.map((w) => w.message).join('\n');
        for (const secret of PASSWORDS[name] ?? []) {
          expect(result.yaml).not.toContain(secret);
          expect(warnings).not.toContain(secret);
        }
      });
    });
  }
});
