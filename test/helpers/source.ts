/** Finding places in spec text, to assert `file:line:col` in failures. */

/** 1-based line of the first line of `text` containing `needle` (the nth, if given). */
export function lineOf(text: string, needle: string, nth = 1): number {
  let seen = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.includes(needle) && ++seen === nth) return i + 1;
  }
  throw new Error(`"${needle}" not in the spec`);
}
