/** Regexes whose `${…}` are replaced by their values, escaped to match literally (format §5). */
import type { Scope, Template } from './types.js';
import { TemplateError } from './error.js';
import { evaluateParts } from './evaluate.js';

/**
 * Compiled regexes by final source and flags. Bounded: when full, the oldest entry goes,
 * so a loop that interpolates a new value each time cannot grow it without end.
 * Owned by whoever runs specs (one per run or per test), never a module global.
 */
export class RegexCache {
  private readonly entries = new Map<string, RegExp>();

  constructor(private readonly maxEntries = 512) {}

  /** Throws SyntaxError when the source does not compile. */
  get(source: string, flags: string): RegExp {
    const key = `${flags}/${source}`;
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Refresh: Map keeps insertion order, so the first key is the least recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const regex = new RegExp(source, flags);
    this.entries.set(key, regex);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return regex;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Text as a regex source that matches it literally: ECMAScript SyntaxCharacter plus `/`, the
 * only identity escapes valid also under the `u` flag. `{` is escaped, so no `${` survives.
 */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/**
 * `g` and `y` make a RegExp stateful (`lastIndex`), which a shared cached one must not be.
 * Spec §5 allows `imsu`; `d` and `v` do no harm.
 */
const STATEFUL_FLAGS = /[gy]/;

export function evaluateRegex(
  source: Template,
  flags: string,
  scope: Scope,
  cache?: RegexCache,
): { regex: RegExp; secret: boolean } {
  if (STATEFUL_FLAGS.test(flags)) {
    throw new TemplateError(`regex flag ${flags.match(STATEFUL_FLAGS)?.[0]} is not allowed (use i, m, s or u)`, 0, source.span);
  }
  const parts = evaluateParts(source, scope);
  const final = parts.map((p) => (p.literal ? p.value.text : escapeRegex(p.value.text))).join('');
  const secret = parts.some((p) => p.value.secret);
  try {
    const regex = cache !== undefined ? cache.get(final, flags) : new RegExp(final, flags);
    return { regex, secret };
  } catch (e) {
    const shown = secret ? source.source : final;
    // V8 repeats the source in its message; drop it, it may hold a secret.
    const reason = e instanceof Error ? e.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') : String(e);
    throw new TemplateError(`invalid regular expression /${shown}/${flags}: ${reason}`, 0, source.span);
  }
}
