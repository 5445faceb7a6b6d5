/**
 * Arbitraries shared by the fuzz tests: text mutations that keep most of a valid input
 * (so the parser gets deep before it meets the damage), and the secret-fragment check.
 */
import fc from 'fast-check';

/** Characters that matter to YAML, templates and mail framing. */
const NASTY = [
  '\n', '\r', '\t', ' ', '\0', '\x7f', '\u0085', '\u2028', '\ufeff', '\ud800', '\uffff', '\u00e9', '😀',
  ':', '-', '#', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', '?',
  '$', '${', '$${', '(', ')', '\\', '.', '/', '0', '9', 'x', '...', '~', 'null', '<<',
];

export type Mutation =
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly length: number }
  | { readonly kind: 'swapLines'; readonly a: number; readonly b: number }
  | { readonly kind: 'indent'; readonly line: number; readonly by: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: position, text: fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 6 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: position, length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('swapLines' as const), a: position, b: position }),
  fc.record({ kind: fc.constant('indent' as const), line: position, by: fc.integer({ min: -4, max: 4 }) }),
).map((m) => m as Mutation);

/** Apply mutations in order; positions are fractions of the current text's length. */
export function mutate(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const m of mutations) out = applyOne(out, m);
  return out;
}

function applyOne(text: string, m: Mutation): string {
  const at = (f: number): number => Math.floor(f * (text.length + 1));
  switch (m.kind) {
    case 'insert':
      return text.slice(0, at(m.at)) + m.text + text.slice(at(m.at));
    case 'delete':
      return text.slice(0, at(m.at)) + text.slice(at(m.at) + m.length);
    case 'duplicate': {
      const i = at(m.at);
      return text.slice(0, i) + text.slice(i, i + m.length) + text.slice(i);
    }
    case 'swapLines': {
      const lines = text.split('\n');
      const a = Math.floor(m.a * lines.length);
      const b = Math.floor(m.b * lines.length);
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines.join('\n');
    }
    case 'indent': {
      const lines = text.split('\n');
      const i = Math.floor(m.line * lines.length);
      const line = lines[i]!;
      lines[i] = m.by >= 0 ? ' '.repeat(m.by) + line : line.replace(new RegExp(`^ {0,${-m.by}}`), '');
      return lines.join('\n');
    }
    default: {
      const never: never = m;
      throw new Error(`unknown mutation ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Every fragment of `secret` at least `min` characters long that shows in `text`, so a
 * secret cut in half by a truncated message still counts as leaked.
 */
export function leakedFragments(text: string, secret: string, min = 10): string[] {
  if (secret.length < min) return text.includes(secret) ? [secret] : [];
  const found: string[] = [];
  for (let i = 0; i + min <= secret.length; i++) {
    const piece = secret.slice(i, i + min);
    if (text.includes(piece)) found.push(piece);
  }
  return found;
}
