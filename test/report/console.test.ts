import { describe, expect, it } from 'vitest';
import { createConsoleReporter } from '../../src/report/console.js';
import type { InvalidFile } from '../../src/engine/events.js';
import { RESULTS, SUMMARY, harness, play, runEvents, span } from './fixtures.js';

describe('console reporter', () => {
  it('prints results, failures with their transcript tail, and a summary (golden)', async () => {
    const { context, stdout, stderr } = harness();
    await play(createConsoleReporter(context), runEvents());
    await expect(stdout.text).toMatchFileSnapshot('goldens/console-run.txt');
    expect(stderr.text).toBe('');
  });

  it('ends with one summary line, in the words of the reports', async () => {
    const { context, stdout } = harness();
    await play(createConsoleReporter(context), runEvents());
    expect(stdout.text.endsWith('\n1 passed, 2 failed, 1 errored, 1 skipped (1m 07s)\n')).toBe(true);
    expect(stdout.text.match(/\d+ passed/g)).toHaveLength(1);
  });

  it('without colour or TTY writes no escape sequence and no carriage return', async () => {
    const { context, stdout } = harness();
    await play(createConsoleReporter(context), runEvents());
    expect(stdout.text).not.toMatch(/[\x1b\r]/);
  });

  it('with colour paints each count as a whole', async () => {
    const { context, stdout } = harness({ color: true });
    await play(createConsoleReporter(context), runEvents());
    expect(stdout.text).toContain('\x1b[32m✓\x1b[39m');
    expect(stdout.text).toContain('\x1b[31m535 5.7.8 Error: authentication failed\x1b[39m');
    expect(stdout.text).toContain('\x1b[32m1 passed\x1b[39m, \x1b[31m2 failed\x1b[39m');
  });

  it('on a TTY draws one updating progress line and erases it before the summary', async () => {
    const { context, stdout } = harness({ isTTY: true });
    await play(createConsoleReporter(context), runEvents());
    const shown = stdout.text.replaceAll('\r\x1b[2K', '⟲');
    await expect(shown).toMatchFileSnapshot('goldens/console-tty.txt');
    // Remove every erased stretch: what remains is exactly the non-TTY output.
    const plain = harness();
    await play(createConsoleReporter(plain.context), runEvents());
    expect(shown.replace(/running [^⟲]*⟲/g, '').replaceAll('⟲', '')).toBe(plain.stdout.text);
  });

  it('draws no progress for a short run', async () => {
    const { context, stdout } = harness({ isTTY: true, now: () => new Date(0) });
    await play(createConsoleReporter(context), runEvents());
    expect(stdout.text).not.toContain('running');
  });

  it('verbose: every test\'s transcript, once, under its line (golden)', async () => {
    const { context, stdout } = harness({ verbose: true });
    await play(createConsoleReporter(context), runEvents());
    await expect(stdout.text).toMatchFileSnapshot('goldens/console-verbose.txt');
  });

  it('widens the transcript tail back to the command that got the failing reply', async () => {
    const { context, stdout } = harness();
    const failed = RESULTS[1]!;
    const long = { ...failed, transcript: [...failed.transcript.slice(0, 19), ...Array.from({ length: 14 }, (_, i) => ({ dir: 's' as const, text: `250-LINE ${i}`, atMs: 50 })), { dir: 's' as const, text: '250 END', atMs: 51 }] };
    await play(createConsoleReporter(context), [{ type: 'test-end', result: long }]);
    expect(stdout.text).toContain('  > c: AUTH PLAIN ***\n');
    expect(stdout.text).toContain('    … 18 earlier lines\n');
  });

  it('shows an interrupted run as such', async () => {
    const { context, stdout } = harness();
    await play(createConsoleReporter(context), [{ type: 'run-end', results: [], summary: { ...SUMMARY, passed: 0, failed: 0, errored: 0, skipped: 0, interrupted: true } }]);
    expect(stdout.text).toBe('interrupted: 0 passed (1m 07s)\n');
  });

  it('escapes control characters in names and messages it did not expect to contain any', async () => {
    const { context, stdout } = harness();
    const result = { ...RESULTS[1]!, test: { ...RESULTS[1]!.test, name: 'evil\x1b[2J\rname' }, failure: { ...RESULTS[1]!.failure!, actual: 'a\0b\nsecond line' } };
    await play(createConsoleReporter(context), [{ type: 'test-end', result }]);
    expect(stdout.text).toContain('✗ Submission port › evil\\x1b[2J\\x0dname 1.2s\n');
    expect(stdout.text).toContain('  actual:   a\\x00b\n            second line\n');
    expect(stdout.text).not.toMatch(/[\x00\x1b\r]/);
  });

  it('prints invalid specs\' diagnostics to stderr, and nothing to stdout', async () => {
    const { context, stdout, stderr } = harness();
    const files: InvalidFile[] = [
      {
        file: 'specs/a.yaml',
        diagnostics: [{ code: 'unknown-key', span: span('specs/a.yaml', 3, 5), message: 'unknown key `contians`', hint: 'did you mean `contains`?' }],
        rendered: 'specs/a.yaml:3:5: unknown key `contians`\n   3 |     contians: x\n     |     ^^^^^^^^ did you mean `contains`?\n',
      },
      { file: 'specs/b.yaml', diagnostics: [{ code: 'missing-key', span: span('specs/b.yaml', 1, 1), message: 'missing `name`' }], rendered: 'specs/b.yaml:1:1: missing `name`' },
    ];
    await createConsoleReporter(context).onInvalidSpecs!(files);
    expect(stdout.text).toBe('');
    expect(stderr.text).toBe(
      'specs/a.yaml:3:5: unknown key `contians`\n   3 |     contians: x\n     |     ^^^^^^^^ did you mean `contains`?\n\n' +
        'specs/b.yaml:1:1: missing `name`\n\n2 spec files are invalid; nothing ran.\n',
    );
  });
});
