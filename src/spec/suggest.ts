/**
 * "Did you mean …?" for misspelt keys, variables, functions and names.
 * Levenshtein distance, with a bound that grows with the word so short words do not
 * suggest unrelated short words (`c` is not a typo of `s`).
 */

/** Edit distance (insert, delete, substitute), case-sensitive. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const cur = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** The closest candidate within reach, or undefined. A case-only difference always counts. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const reach = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const d = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance && (d === 0 || (d <= reach && word.length > 1))) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** `did you mean `x`?`, or undefined when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const match = closest(word, candidates);
  return match === undefined ? undefined : `did you mean \`${match}\`?`;
}

/** `a`, `a` or `b`, `a`, `b` or `c` — for messages. */
export function orList(words: readonly string[], quote = true): string {
  const q = words.map((w) => (quote ? `\`${w}\`` : w));
  if (q.length <= 1) return q.join('');
  return `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

export function andList(words: readonly string[], quote = true): string {
  const q = words.map((w) => (quote ? `\`${w}\`` : w));
  if (q.length <= 1) return q.join('');
  return `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}
