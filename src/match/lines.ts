/**
 * `lines` (format §5, and the list shorthand): the reply has exactly these lines, in order;
 * `...` stands for any number of lines (none included).
 *
 * Matching walks the states (patterns used, lines used) forward, so `...` backtracks
 * correctly (`[..., x, ...]`, `[a, ..., a]`) in O(patterns × lines) steps, each line tested
 * against each pattern at most once. When no walk reaches the end, the failure reported
 * is where the walk that got furthest through the patterns (then through the lines) stopped:
 * the "first differing line". After a `...`, no single line is "the" differing one, so the
 * message says which pattern no line fitted.
 */
import type { LinePattern } from '../kernel/model.js';
import type { Span } from '../kernel/span.js';
import type { Check, MatchEnv, Miss } from './types.js';
import { fits, resolve } from './pattern.js';
import type { Resolved } from './pattern.js';
import { quote, shownLines } from './show.js';

type Item = { readonly kind: 'ellipsis' } | { readonly kind: 'line'; readonly want: Resolved; readonly span: Span };

/** Where a walk got stuck: pattern `i` against line `j` (or past the last line / pattern). */
interface Stuck {
  readonly i: number;
  readonly j: number;
}

export const checkLines: Check = (m, reply, env) => {
  if (m.lines === undefined) return undefined;
  return matchLines(m.lines.value, m.lines.span, reply.lines, env);
};

export function matchLines(
  patterns: readonly LinePattern[],
  span: Span,
  lines: readonly string[],
  env: MatchEnv,
): Miss | undefined {
  const items: Item[] = patterns.map((p) =>
    p.kind === 'ellipsis' ? { kind: 'ellipsis' } : { kind: 'line', want: resolve(p, env), span: p.span },
  );
  const n = items.length;
  const m = lines.length;
  const width = m + 1;
  const reached = new Uint8Array((n + 1) * width);
  /** 0 untested, 1 fits, 2 does not. */
  const tested = new Uint8Array(n * width);
  const fitsAt = (i: number, j: number, item: Extract<Item, { kind: 'line' }>): boolean => {
    const k = i * width + j;
    if (tested[k] === 0) tested[k] = fits(item.want, lines[j] ?? '') ? 1 : 2;
    return tested[k] === 1;
  };
  let stuck: Stuck | undefined;
  const noteStuck = (i: number, j: number): void => {
    if (stuck === undefined || i > stuck.i || (i === stuck.i && j > stuck.j)) stuck = { i, j };
  };
  reached[0] = 1;
  for (let i = 0; i <= n; i += 1) {
    for (let j = 0; j <= m; j += 1) {
      if (reached[i * width + j] === 0) continue;
      const item = items[i];
      if (item === undefined) {
        if (j < m) noteStuck(i, j);
        continue;
      }
      if (item.kind === 'ellipsis') {
        reached[(i + 1) * width + j] = 1;
        if (j < m) reached[i * width + j + 1] = 1;
      } else if (j < m && fitsAt(i, j, item)) {
        reached[(i + 1) * width + j + 1] = 1;
      } else {
        noteStuck(i, j);
      }
    }
  }
  if (reached[n * width + m] === 1) return undefined;
  const at = stuck ?? { i: 0, j: 0 };
  let firstReached = 0;
  while (firstReached < m && reached[at.i * width + firstReached] === 0) firstReached += 1;
  return describe(at, firstReached, items, span, lines);
}

function describe(at: Stuck, firstReached: number, items: readonly Item[], span: Span, lines: readonly string[]): Miss {
  const item = items[at.i];
  const actual = shownLines(lines);
  const lineNo = at.j + 1;
  if (item === undefined || item.kind === 'ellipsis') {
    return {
      span,
      message: `expected the reply to end after line ${at.j}, got line ${lineNo} ${quote(lines[at.j] ?? '')}`,
      expected: `${at.j} lines`,
      actual,
    };
  }
  if (items[at.i - 1]?.kind === 'ellipsis') {
    const what = item.want.kind === 'exact' ? item.want.shown : `matching ${item.want.shown}`;
    const after = firstReached === 0 ? '' : ` after line ${firstReached}`;
    return { span: item.span, message: `expected a line ${what}${after}, found none`, expected: item.want.shown, actual };
  }
  const how = item.want.kind === 'exact' ? `to be ${item.want.shown}` : `to match ${item.want.shown}`;
  const line = lines[at.j];
  if (line === undefined) {
    const count = lines.length === 1 ? '1 line' : `${lines.length} lines`;
    const message = `expected line ${lineNo} ${how}, but the reply has only ${count}`;
    return { span: item.span, message, expected: item.want.shown, actual };
  }
  return { span: item.span, message: `expected line ${lineNo} ${how}, got ${quote(line)}`, expected: item.want.shown, actual };
}
