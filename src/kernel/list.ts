/** Lists of words in a sentence, for messages. */

/** `a`, `a` or `b`, `a`, `b` or `c` (without `quote`: a, a or b, a, b or c). */
export function orList(words: readonly string[], quote = true): string {
  return joinLast(words, 'or', quote);
}

/** `a`, `a` and `b`, `a`, `b` and `c`. */
export function andList(words: readonly string[], quote = true): string {
  return joinLast(words, 'and', quote);
}

function joinLast(words: readonly string[], last: string, quote: boolean): string {
  const q = quote ? words.map((w) => `\`${w}\``) : words;
  if (q.length <= 1) return q[0] ?? '';
  return `${q.slice(0, -1).join(', ')} ${last} ${q[q.length - 1]}`;
}
