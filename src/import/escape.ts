/**
 * Writing transcript text into a spec so it means what it said: templates (`${` is an
 * expression, `$${` a literal, format §7), regexes (ECMAScript), and strings that
 * would otherwise read as a regex or a list's `...` (format §5).
 */

/** A raw value seen in the transcript and the template that stands for it (`secret` → `${pass}`). */
export interface Substitution {
  readonly value: string;
  readonly template: string;
}

export type Segment =
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'expr'; readonly template: string };

/** Text as a template that evaluates to it. */
export function escapeTemplate(text: string): string {
  // A function, not a string: in a replacement string `$$` would mean one `$`.
  return text.replaceAll('${', () => '$${');
}

/**
 * A matcher's exact string: a leading `\` keeps a string that starts with `/` or `\` from
 * reading as a regex (and `...` in a list from reading as "any lines").
 */
export function literalMatcherText(template: string, inList: boolean): string {
  if (template.startsWith('/') || template.startsWith('\\')) return `\\${template}`;
  if (inList && template === '...') return '\\...';
  return template;
}

/** Splits text where substitutions occur; the longest value wins where two start together. */
export function substitute(text: string, substitutions: readonly Substitution[]): Segment[] {
  const usable = substitutions.filter((s) => s.value !== '');
  const segments: Segment[] = [];
  let rest = text;
  for (let guard = 0; guard <= text.length; guard += 1) {
    let best: { index: number; sub: Substitution } | undefined;
    for (const sub of usable) {
      const index = rest.indexOf(sub.value);
      if (index < 0) continue;
      if (!best || index < best.index || (index === best.index && sub.value.length > best.sub.value.length)) best = { index, sub };
    }
    if (!best) break;
    if (best.index > 0) segments.push({ kind: 'text', value: rest.slice(0, best.index) });
    segments.push({ kind: 'expr', template: best.sub.template });
    rest = rest.slice(best.index + best.sub.value.length);
  }
  if (rest !== '') segments.push({ kind: 'text', value: rest });
  return segments;
}

export function segmentsToTemplate(segments: readonly Segment[]): string {
  return segments.map((s) => (s.kind === 'text' ? escapeTemplate(s.value) : s.template)).join('');
}

/** Text with substitutions applied, as a template. */
export function toTemplate(text: string, substitutions: readonly Substitution[]): string {
  return segmentsToTemplate(substitute(text, substitutions));
}
