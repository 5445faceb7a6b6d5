/**
 * How `imap:` matching grows (format §5): a `FETCH 1:* (UID FLAGS)` reply of N lines
 * matched against N patterns, for N and 10 N, in-process. Two pattern sets:
 *   numbered  `* i FETCH (FLAGS (\Seen) UID u)`: each found by its number and kind;
 *   any       `* $ FETCH (UID $ FLAGS (\Seen))`: tried against the FETCH responses in order.
 * The reply comes in reverse order of the patterns, items in another order than written,
 * `\Recent` among the flags. Prints the median of 5 runs for each N and the ratio of the two
 * (near 10 when matching is linear). Not a test.
 *
 *   npx tsc --module nodenext --moduleResolution nodenext --target es2022 --skipLibCheck \
 *     --types node --outDir bench/out/imap-match bench/imap-match.ts
 *   node bench/out/imap-match/bench/imap-match.js [N]      (default 10000)
 */
import { performance } from 'node:perf_hooks';
import type { ImapPattern, Matcher } from '../src/kernel/model.js';

const n = Number(process.argv[2] ?? 10_000);
if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new Error(`usage: imap-match.js [N from 1 to 1000000], got ${process.argv[2]}`);

const { matchReply } = await import('../src/match/index.js');
const { parseImapPattern } = await import('../src/match/imap-pattern.js');
const { parseTemplate } = await import('../src/template/index.js');

const span = { file: 'bench.yaml', line: 1, col: 1, endLine: 1, endCol: 2 };
const scope = { vars: new Map(), env: {}, now: () => new Date(0), randomBytes: (k: number) => Buffer.alloc(k) };

function pattern(source: string): ImapPattern {
  const t = parseTemplate(source, span);
  if (!t.ok) throw new Error(t.message);
  const p = parseImapPattern(t.template, 'untagged');
  if (!p.ok) throw new Error(p.message);
  return { ...p.pattern, template: t.template, span };
}

function reply(size: number) {
  const lines: string[] = [];
  for (let i = size; i >= 1; i--) lines.push(`* ${i} FETCH (UID ${i + 100} FLAGS (\\Recent \\Seen))`);
  lines.push('a1 OK Fetch completed.');
  return { kind: 'reply' as const, reply: { lines, raw: Buffer.from(`${lines.join('\r\n')}\r\n`), text: 'Fetch completed.', status: 'OK' } };
}

function matcher(size: number, any: boolean): Matcher {
  const untagged: ImapPattern[] = [];
  for (let i = 1; i <= size; i++) untagged.push(pattern(any ? '* $ FETCH (UID $ FLAGS (\\Seen))' : `* ${i} FETCH (FLAGS (\\Seen) UID ${i + 100})`));
  return { span, imap: { span, untagged, forbid: [pattern('* $ EXPUNGE')], extra: false, tagged: [] } };
}

function median(size: number, any: boolean): number {
  const m = matcher(size, any);
  const observed = reply(size);
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    const result = matchReply(m, observed, scope, { protocol: 'imap' });
    times.push(performance.now() - start);
    if (!result.ok) throw new Error(result.message);
  }
  return times.sort((a, b) => a - b)[2] as number;
}

for (const any of [false, true]) {
  const small = median(n, any);
  const big = median(n * 10, any);
  const name = any ? 'any     ' : 'numbered';
  console.log(`${name} N=${n}: ${small.toFixed(1)} ms   N=${n * 10}: ${big.toFixed(1)} ms   ratio ${(big / small).toFixed(1)}`);
}
