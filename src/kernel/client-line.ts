/**
 * A `c:` line written as `/pattern/flags`: in `convospec serve` it is a regex searched in the
 * client's line, and its named groups (`(?<from>…)`) set variables (docs/format.md, Serve).
 * Shared by the loader (which names are known after the step) and the serve stage.
 */
import type { Template, TemplatePart } from './template.js';

export interface LineRegex {
  /** The pattern between the slashes, its `${…}` kept (inserted escaped, as in §5). */
  readonly source: Template;
  readonly flags: string;
  /** Names of its named groups, in order. */
  readonly names: readonly string[];
}

const FLAGS_AT_END = /\/([imsu]*)$/;
const NAMED_GROUP = /\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g;

/** The line's regex, or undefined for a line matched exactly. */
export function lineRegex(line: Template): LineRegex | undefined {
  const parts = line.parts;
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (!first || first.kind !== 'text' || !first.value.startsWith('/')) return undefined;
  if (!last || last.kind !== 'text') return undefined;
  const end = FLAGS_AT_END.exec(last.value);
  // `/` alone is no regex; the closing slash must not be the opening one.
  if (!end || (parts.length === 1 && end.index === 0)) return undefined;
  const trimmed: TemplatePart[] = parts.map((p, i) => {
    if (p.kind !== 'text') return p;
    let value = p.value;
    if (i === parts.length - 1) value = value.slice(0, value.length - end[0].length);
    if (i === 0) value = value.slice(1);
    return { kind: 'text', value };
  });
  const text = trimmed.filter((p): p is Extract<TemplatePart, { kind: 'text' }> => p.kind === 'text').map((p) => p.value).join('');
  const names = [...text.matchAll(NAMED_GROUP)].map((m) => m[1]!);
  const inner = line.source.slice(1, line.source.length - end[0].length);
  return { source: { source: inner, parts: trimmed.filter((p) => p.kind !== 'text' || p.value !== ''), span: line.span }, flags: end[1] ?? '', names };
}
