/**
 * Short labels for the rows of the load table: `c: EHLO client.test`, `s: 250`, `data: …`.
 * A step's identity is its `file:line:col`; the label is only for people, taken from the
 * spec's own words (template sources, never evaluated values: a value may be secret).
 */
import type { Matcher, Step, StepKind, StepOf, TextPattern } from '../kernel/model.js';
import { formatDuration } from '../kernel/duration.js';

/** Longest label, in characters, before it is cut with `…`. */
export const LABEL_WIDTH = 40;

type Labeler<K extends StepKind> = (step: StepOf<K>) => string;

const LABELERS: { readonly [K in StepKind]: Labeler<K> } = {
  c: (s) => `c: ${s.lines[0]?.source ?? ''}${s.lines.length > 1 ? ` (+${s.lines.length - 1} lines)` : ''}`,
  send: (s) => (s.bytes.kind === 'text' ? `send: ${s.bytes.value.source}` : `send: ${s.bytes.kind} ${s.bytes.value}`),
  data: (s) => (s.body.kind === 'text' ? `data: ${s.body.value.source}` : s.body.kind === 'file' ? `data: file ${s.body.path.source}` : 'data: (a body read)'),
  s: (s) => `s: ${matcherLabel(s.matcher)}`,
  tls: () => 'tls',
  connect: (s) => `connect${s.connect.as !== undefined ? ` as ${s.connect.as}` : ''}`,
  use: (s) => `use ${s.name}`,
  close: () => 'close',
  silent: (s) => `silent ${formatDuration(s.durationMs)}`,
  sleep: (s) => `sleep ${formatDuration(s.durationMs)}`,
  set: (s) => `set ${s.vars.map((v) => v.name).join(', ')}`,
  repeat: (s) => `repeat ×${s.times}`,
  retry: (s) => `retry ×${s.times}`,
  include: (s) => `include ${s.fragment.file}`,
};

/** One line, at most `LABEL_WIDTH` characters. */
export function stepLabel(step: Step): string {
  const labeler = LABELERS[step.kind] as Labeler<StepKind>;
  return cut(oneLine(step.name !== undefined ? `${step.name}` : labeler(step)));
}

/** The label of the implicit connection a test opens before its first step. */
export function connectLabel(protocol: string, tls: boolean): string {
  return `connect (${protocol}${tls ? ', TLS' : ''})`;
}

/** `250`, `2xx|4xx`, `+OK`, `"text"`, `/regex/`, `closed`; other keys as `{contains}`. */
function matcherLabel(m: Matcher): string {
  const head: string[] = [];
  if (m.code) head.push(m.code.map((c) => c.value).join('|'));
  if (m.status) head.push(m.status.map((s) => s.value).join('|'));
  if (m.whole) head.push(patternLabel(m.whole));
  if (m.text) head.push(patternLabel(m.text));
  if (m.closed) head.push('closed');
  if (m.any) head.push('any');
  if (m.oneOf) head.push(`oneOf(${m.oneOf.map(matcherLabel).join(', ')})`);
  const rest = (['enhanced', 'lines', 'match', 'contains', 'excludes', 'capture'] as const).filter((k) => m[k] !== undefined);
  if (rest.length > 0) head.push(`{${rest.join(', ')}}`);
  return head.join(' ');
}

function patternLabel(p: TextPattern): string {
  return p.kind === 'exact' ? JSON.stringify(p.value.source) : `/${p.source.source}/${p.flags}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ⏎ ').trim();
}

function cut(text: string): string {
  const chars = [...text];
  return chars.length <= LABEL_WIDTH ? text : `${chars.slice(0, LABEL_WIDTH - 1).join('')}…`;
}
