/**
 * Text as it appears in failure messages: printable, quoted, bounded. Control characters
 * are shown as `\xHH` (spec §4), except that a line break between reply lines shows as `\n`,
 * which reads better in one-line messages. Redaction is the engine's job, before display.
 */
const MAX_SHOWN = 200;

export function printable(text: string): string {
  return text.replace(/[\x00-\x09\x0b-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/\n/g, '\\n');
}

/** `"text"`, cut to a readable length. */
export function quote(text: string, max = MAX_SHOWN): string {
  const shown = printable(text);
  return `"${shown.length > max ? `${shown.slice(0, max)}…` : shown}"`;
}

/** For the `actual` field: the reply as its lines, bounded so a 16 MiB reply stays a message. */
export function shownLines(lines: readonly string[], max = 2000): string {
  const text = lines.map(printable).join('\n');
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** `a`, `a or b`, `a, b or c`. */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
