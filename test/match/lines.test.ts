import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { LinePattern } from '../../src/kernel/model.js';
import { at, ellipsis, exact, failure, holds, matcher, run, rx, smtp, spanned } from './helpers.js';

const lines = (items: LinePattern[], span = at()) => matcher({ lines: spanned(items, span) });

describe('lines', () => {
  it('holds for exactly these lines in this order', () => {
    holds(lines([exact('250-mx.test'), rx('^250-SIZE \\d+$'), exact('250 HELP')]), smtp('250-mx.test', '250-SIZE 1000', '250 HELP'));
  });

  it('names the first differing line and points at its pattern', () => {
    const bad = at();
    const f = failure(lines([exact('250-mx.test'), exact('250-PIPELINING', bad), exact('250 HELP')]), smtp('250-mx.test', '250-SIZE 1000', '250 HELP'));
    expect(f.message).toBe('expected line 2 to be "250-PIPELINING", got "250-SIZE 1000"');
    expect(f.span).toEqual(bad);
  });

  it('a regex item says "to match"', () => {
    const f = failure(lines([rx('^220 ')]), smtp('421 busy'));
    expect(f.message).toBe('expected line 1 to match /^220 /, got "421 busy"');
  });

  it('reports a missing line', () => {
    const f = failure(lines([exact('250-a'), exact('250 b')]), smtp('250 a'));
    expect(f.message).toBe('expected line 1 to be "250-a", got "250 a"');
    const g = failure(lines([exact('250 a'), exact('250 b')]), smtp('250 a'));
    expect(g.message).toBe('expected line 2 to be "250 b", but the reply has only 1 line');
  });

  it('reports an extra line at the lines key', () => {
    const span = at();
    const f = failure(lines([exact('250-a')], span), smtp('250-a', '250 b'));
    expect(f.message).toBe('expected the reply to end after line 1, got line 2 "250 b"');
    expect(f.span).toEqual(span);
  });

  it('... stands for any number of lines, none included', () => {
    const reply = smtp('250-mx.test', '250-SIZE 1000', '250-8BITMIME', '250 HELP');
    holds(lines([exact('250-mx.test'), ellipsis()]), reply);
    holds(lines([ellipsis(), exact('250 HELP')]), reply);
    holds(lines([exact('250-mx.test'), ellipsis(), exact('250-SIZE 1000'), ellipsis(), exact('250 HELP')]), reply);
    holds(lines([ellipsis()]), reply);
    holds(lines([ellipsis(), ellipsis(), exact('250 HELP'), ellipsis()]), reply);
  });

  it('backtracks: a greedy ... must give lines back', () => {
    // The first `...` could swallow both `250-x` lines; only giving one back lets the rest fit.
    holds(lines([ellipsis(), rx('^250-x'), exact('250-x2'), ellipsis(), exact('250 end')]), smtp('250-x1', '250-x2', '250-x3', '250 end'));
    holds(lines([exact('250-a'), ellipsis(), exact('250-a'), ellipsis()]), smtp('250-a', '250-a'));
    failure(lines([exact('250-a'), ellipsis(), exact('250-a')]), smtp('250-a'));
  });

  it('with ..., reports the deepest line any alignment reached', () => {
    const f = failure(lines([exact('250-a'), ellipsis(), exact('250-c'), exact('250 d')]), smtp('250-a', '250-b', '250-c', '250 e'));
    expect(f.message).toBe('expected line 4 to be "250 d", got "250 e"');
  });

  it('after ..., names the pattern no line fitted', () => {
    const span = at();
    const f = failure(lines([exact('220 mx'), ellipsis(), rx('^250 HELP$', '', span)]), smtp('220 mx', '250-a', '250 OK'));
    expect(f.message).toBe('expected a line matching /^250 HELP$/ after line 1, found none');
    expect(f.span).toEqual(span);
    expect(failure(lines([ellipsis(), exact('x')]), smtp('250 a')).message).toBe('expected a line "x", found none');
  });

  it('an empty list holds only for a reply of no lines', () => {
    holds(lines([]), { kind: 'reply', reply: { lines: [], raw: Buffer.alloc(0), text: '' } });
    expect(failure(lines([]), smtp('250 a')).message).toBe('expected the reply to end after line 0, got line 1 "250 a"');
  });

  it('agrees with a reference regex over the joined lines (property)', () => {
    // Build each pattern from letters; `...` becomes `(?:[^\n]*\n)*?` over lines each ending in \n.
    const letter = fc.constantFrom('a', 'b');
    fc.assert(
      fc.property(fc.array(fc.option(letter, { nil: undefined }), { maxLength: 6 }), fc.array(letter, { maxLength: 7 }), (pattern, got) => {
        const items: LinePattern[] = pattern.map((p) => (p === undefined ? ellipsis() : exact(p)));
        const reference = new RegExp(`^${pattern.map((p) => (p === undefined ? '(?:[ab]\\n)*' : `${p}\\n`)).join('')}$`);
        const expected = reference.test(got.map((l) => `${l}\n`).join(''));
        const r = run(lines(items), { kind: 'reply', reply: { lines: got, raw: Buffer.alloc(0), text: '' } });
        expect(r.ok).toBe(expected);
      }),
    );
  });

  it('stays fast on a long reply with many ...', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `250-line ${i}`);
    const items: LinePattern[] = [ellipsis(), exact('250-line 10'), ellipsis(), ellipsis(), exact('250-line 4000'), ellipsis(), exact('nope')];
    expect(failure(lines(items), smtp(...many)).message).toBe('expected a line "nope" after line 4001, found none');
  });
});
