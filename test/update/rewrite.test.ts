/**
 * The rewriting stage alone (src/update): text and rewrites in, text out. Only the value
 * of each `s:` changes; the form of the new value follows its place (block or flow style,
 * the old list's indentation, a comment after `s:`, CRLF line ends).
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { rewriteSpec, type Update } from '../../src/update/rewrite.js';
import type { ReplyPiece } from '../../src/engine/events.js';

/** A rewrite of the `s:` key found at the `nth` occurrence of `s:` in `text`, with these lines. */
function at(text: string, nth: number, lines: readonly (readonly ReplyPiece[])[], protocol: 'smtp' | 'imap' = 'smtp'): Update {
  const offset = [...text.matchAll(/(?<=[ {])s:/g)][nth]!.index;
  const before = text.slice(0, offset).split('\n');
  const span = { file: 'f.yaml', line: before.length, col: before.at(-1)!.length + 1, endLine: before.length, endCol: before.at(-1)!.length + 3 };
  return { received: { step: span, matcher: span, protocol, lines }, failedAt: span, tests: [] };
}

describe('rewriteSpec', () => {
  it('a block list becomes one line, and a trailing comment stays', () => {
    const text = 'steps:\n  - s:\n      - 250-a\n      - 250 b   # last\n  # next\n  - c: QUIT\n';
    const out = rewriteSpec(text, [at(text, 0, [['250 ok']])]);
    expect(out.text).toBe('steps:\n  - s: 250 ok   # last\n  # next\n  - c: QUIT\n');
    expect(out.shifts).toEqual([{ line: 2, delta: -2 }]);
  });

  it('a comment between `s:` and its list stays, and the list keeps its indentation', () => {
    const text = 'steps:\n  - s: # the EHLO\n        - 250 old\n';
    const out = rewriteSpec(text, [at(text, 0, [['250-new'], ['250 SIZE']])]);
    expect(out.text).toBe('steps:\n  - s: # the EHLO\n        - 250-new\n        - 250 SIZE\n');
  });

  it('CRLF files stay CRLF', () => {
    const text = 'steps:\r\n  - s: 220 old\r\n  - c: QUIT\r\n';
    const out = rewriteSpec(text, [at(text, 0, [['220-a'], ['220 b']])]);
    expect(out.text).toBe('steps:\r\n  - s:\r\n      - 220-a\r\n      - 220 b\r\n  - c: QUIT\r\n');
  });

  it('what reads as YAML or as a template is quoted or escaped; `${` of the reply is `$${`', () => {
    const text = 'steps:\n  - s: x\n  - { s: x, name: n }\n';
    const lines = [['* OK [ALERT] #1: ${not a template}, really']];
    const out = rewriteSpec(text, [at(text, 0, lines, 'imap'), at(text, 1, lines, 'imap')]);
    const steps = (parse(out.text) as { steps: { s: string }[] }).steps;
    expect(steps.map((s) => s.s)).toEqual(['* OK [ALERT] #1: $${not a template}, really', '* OK [ALERT] #1: $${not a template}, really']);
  });

  it('a variable stands as `${name}`; a reply that starts with `/` is no regex', () => {
    const text = 'steps:\n  - s: x\n  - s: y\n';
    const out = rewriteSpec(text, [at(text, 0, [['250 hello ', { variable: 'user' }]]), at(text, 1, [['/var/mail is full']], 'imap')]);
    expect(out.text).toBe('steps:\n  - s: 250 hello ${user}\n  - s: \\/var/mail is full\n');
  });

  it('a value that varies: the regex and `serve:` on lines of their own, or in flow style in a flow map', () => {
    const text = 'steps:\n  - s: 250 old   # the queue id\n  - { s: 250 old, name: n }\n  - c: QUIT\n';
    const lines = [['250 2.0.0 Ok: queued as 4F3A2B1C0D']];
    const out = rewriteSpec(text, [at(text, 0, lines), at(text, 1, lines)]);
    expect(out.text).toBe(
      'steps:\n  - s:\n      match: \'/^250 2\\.0\\.0 Ok: queued as [A-Za-z0-9]+$/\'\n      serve: "250 2.0.0 Ok: queued as 4F3A2B1C0D"   # the queue id\n' +
        "  - { s: { match: '/^250 2\\.0\\.0 Ok: queued as [A-Za-z0-9]+$/', serve: \"250 2.0.0 Ok: queued as 4F3A2B1C0D\" }, name: n }\n  - c: QUIT\n",
    );
    const steps = (parse(out.text) as { steps: { s: unknown }[] }).steps;
    expect(steps[0]!.s).toEqual(steps[1]!.s);
  });

  it('two rewrites in one file, each at its place', () => {
    const text = 'a:\n  - s: 1\n  - s: 2\n  - s: 3\n';
    const out = rewriteSpec(text, [at(text, 2, [['250 three']]), at(text, 0, [['250-one'], ['250 uno']])]);
    expect(out.text).toBe('a:\n  - s:\n      - 250-one\n      - 250 uno\n  - s: 2\n  - s: 250 three\n');
  });

  it.each([
    ['a literal block', 'steps:\n  - s: |-\n      220 old\n\n  - c: QUIT\n'],
    ['a folded block', 'steps:\n  - s: >\n      220\n      old\n  - c: QUIT\n'],
  ])('%s is replaced up to its last line; the line breaks after it stay', (_what, text) => {
    const out = rewriteSpec(text, [at(text, 0, [['220 new']])]);
    expect(out.text).toBe(text.replace(/s: [|>]-?\n[^]*?(?=\n+ {2}- c)/, 's: 220 new'));
    expect(out.text).toContain('  - s: 220 new\n');
  });

  it('kept keys stay; a map holding a list of several lines goes on lines of its own', () => {
    const text = "steps:\n  - s: { code: 250, timeout: 5s, capture: { a: '/(x)/' } }   # c\n  - c: QUIT\n";
    expect(rewriteSpec(text, [at(text, 0, [['250 x']])]).text).toBe("steps:\n  - s: { lines: [ 250 x ], timeout: 5s, capture: { a: '/(x)/' } }   # c\n  - c: QUIT\n");
    expect(rewriteSpec(text, [at(text, 0, [['250-a'], ['250 x']])]).text).toBe(
      "steps:\n  - s:\n      lines:\n        - 250-a\n        - 250 x\n      timeout: 5s\n      capture: { a: '/(x)/' }   # c\n  - c: QUIT\n",
    );
  });

  it('a value that is a YAML anchor is left: other places may use it', () => {
    const text = 'steps:\n  - s: &greeting 220 old\n  - s: *greeting\n';
    const out = rewriteSpec(text, [at(text, 0, [['220 new']])]);
    expect(out.text).toBe(text);
    expect(out.notUpdated[0]?.reason).toMatch(/YAML anchor `&greeting`/);
  });

  it('a step no longer where the run found it is reported, not guessed', () => {
    const text = 'steps:\n  - s: 220\n';
    const moved = at(text, 0, [['220 new']]);
    const out = rewriteSpec('steps:\n\n  - s: 220\n', [moved]);
    expect(out.text).toBe('steps:\n\n  - s: 220\n');
    expect(out.notUpdated[0]?.reason).toMatch(/no longer where the run found it/);
  });
});
