/**
 * Reads an mbox file as imaptest appends it: messages start at `From ` lines (the line
 * itself is not part of the message), the empty line before the next `From ` line separates
 * them, and every line ends in CRLF.
 */

/** The messages, each as its lines (without line ends). */
export function readMbox(text: string): string[][] {
  const messages: string[][] = [];
  let current: string[] | undefined;
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (line.startsWith('From ')) {
      if (current) messages.push(trimSeparator(current));
      current = [];
    } else if (current) current.push(line);
  }
  if (current) messages.push(trimSeparator(current));
  return messages;
}

function trimSeparator(lines: string[]): string[] {
  return lines.length > 0 && lines[lines.length - 1] === '' ? lines.slice(0, -1) : lines;
}

/** `count` messages, wrapping around the mbox (imaptest's `messages:` header). */
export function pickMessages(messages: readonly string[][], count: number | undefined, start = 0): string[][] {
  if (messages.length === 0) return [];
  const n = count ?? messages.length;
  return Array.from({ length: n }, (_, i) => messages[(start + i) % messages.length] as string[]);
}
