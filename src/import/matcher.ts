/**
 * What an `s:` says about a recorded reply: each line exactly, or as an anchored regex
 * where a value varies between runs (format §5). One line → a string; several → the
 * list form; a bare SMTP code (`334 `) → the code; a bare continuation (`+ `) → its status.
 * Returned as plain values; the emitter turns them into YAML (regexes single-quoted).
 */
import { escapeRegex } from '../template/index.js';
import {
  literalMatcherText,
  segmentsToTemplate,
  substitute,
  type Segment,
  type Substitution,
} from './escape.js';
import { PROTOCOLS } from '../protocol/registry.js';
import type { ImportStep, ProtocolName, SynthMatcher } from './types.js';
import { findVolatiles } from './volatile.js';

export type MatcherValue = number | string | readonly string[] | { readonly [key: string]: unknown };

export interface RenderedMatcher {
  readonly value: MatcherValue;
  /** Names of the values that vary, for a comment ("queue id, date"). */
  readonly varies: readonly string[];
}

interface RenderedLine {
  /** A template (exact text) or a `/regex/`. */
  readonly text: string;
  readonly varies: readonly string[];
}

/** A regex's pieces: literal text escaped, varying values as their pattern, variables as `${…}`. */
function renderLine(segments: readonly Segment[], inList: boolean): RenderedLine {
  const varies: string[] = [];
  const parts: string[] = [];
  for (const segment of segments) {
    if (segment.kind === 'expr') {
      parts.push(segment.template);
      continue;
    }
    let at = 0;
    for (const span of findVolatiles(segment.value)) {
      parts.push(escapeRegex(segment.value.slice(at, span.start)), span.volatile.regex);
      if (!varies.includes(span.volatile.name)) varies.push(span.volatile.name);
      at = span.end;
    }
    parts.push(escapeRegex(segment.value.slice(at)));
  }
  if (varies.length > 0) return { text: `/^${parts.join('')}$/`, varies };
  return { text: literalMatcherText(segmentsToTemplate(segments), inList), varies };
}

const BARE_CODE = /^(\d{3}) ?$/;
const BARE_CONTINUATION = /^\+ ?$/;

type Reply = Extract<ImportStep, { kind: 'reply' }>;

export function renderReply(reply: Reply, protocol: ProtocolName, substitutions: readonly Substitution[]): RenderedMatcher {
  if (reply.capture) {
    const key = PROTOCOLS[protocol].hasReplyCodes ? { code: Number(/^\d{3}/.exec(reply.lines[0] ?? '')?.[0] ?? 0) } : { status: '+' };
    return { value: { ...key, capture: { [reply.capture.name]: `/${reply.capture.source}/` } }, varies: ['challenge'] };
  }
  return renderReplyLines(
    reply.lines.map((line) => substitute(line, substitutions)),
    protocol,
  );
}

/**
 * A reply's lines, each as text and `${…}` pieces, as an `s:` says it (also what
 * `run --update` writes, format §11). Where a value varies the line is a regex, and the
 * reply as it came goes beside it in `serve:`, so `convospec serve` can send it (format §9).
 */
export function renderReplyLines(lines: readonly (readonly Segment[])[], protocol: ProtocolName): RenderedMatcher {
  const [first, ...more] = lines;
  if (first !== undefined && more.length === 0) {
    const text = plainText(first);
    const code = text === undefined ? null : BARE_CODE.exec(text);
    if (code && PROTOCOLS[protocol].hasReplyCodes) return { value: Number(code[1]), varies: [] };
    if (text !== undefined && BARE_CONTINUATION.test(text) && !PROTOCOLS[protocol].hasReplyCodes) return { value: { status: '+' }, varies: [] };
    const line = renderLine(first, false);
    if (line.varies.length === 0) return { value: line.text, varies: [] };
    return { value: { match: line.text, serve: segmentsToTemplate(first) }, varies: line.varies };
  }
  const rendered = lines.map((segments) => renderLine(segments, true));
  const varies = [...new Set(rendered.flatMap((l) => l.varies))];
  if (varies.length === 0) return { value: rendered.map((l) => l.text), varies };
  return { value: { lines: rendered.map((l) => l.text), serve: lines.map(segmentsToTemplate) }, varies };
}

/** The line's text when it is text alone (no `${…}` in it). */
function plainText(segments: readonly Segment[]): string | undefined {
  let text = '';
  for (const s of segments) {
    if (s.kind === 'expr') return undefined;
    text += s.value;
  }
  return text;
}

export function renderSynth(matcher: SynthMatcher): MatcherValue {
  switch (matcher.kind) {
    case 'code':
      return matcher.contains ? { code: matcher.code, contains: matcher.contains } : matcher.code;
    case 'status':
      return matcher.contains ? { status: matcher.status, contains: matcher.contains } : { status: matcher.status };
    case 'regex':
      return `/${matcher.source}/`;
    case 'any':
      return { any: true };
    default: {
      const never: never = matcher;
      return never;
    }
  }
}

/** A DATA body as the `data:` step's text: unstuffed (the step stuffs again), one final newline. */
export function renderData(lines: readonly string[], substitutions: readonly Substitution[]): string {
  const text = lines.map((line) => (line.startsWith('..') ? line.slice(1) : line)).join('\n');
  return segmentsToTemplate(substitute(lines.length === 0 ? '' : `${text}\n`, substitutions));
}
