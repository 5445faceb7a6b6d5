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

/** A regex's pieces: literal text escaped, varying values as their pattern, secrets as `${…}`. */
function renderLine(text: string, substitutions: readonly Substitution[], inList: boolean, exact: boolean): RenderedLine {
  const segments = substitute(text, substitutions);
  const varies: string[] = [];
  const parts: string[] = [];
  for (const segment of segments) {
    if (segment.kind === 'expr') {
      parts.push(segment.template);
      continue;
    }
    let at = 0;
    for (const span of exact ? [] : findVolatiles(segment.value)) {
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

/** `exact`: every line as recorded, values that vary included (a spec `serve` can send, format §9). */
export function renderReply(reply: Reply, protocol: ProtocolName, substitutions: readonly Substitution[], exact = false): RenderedMatcher {
  const [first, ...more] = reply.lines;
  if (reply.capture) {
    const key = PROTOCOLS[protocol].hasReplyCodes ? { code: Number(/^\d{3}/.exec(first ?? '')?.[0] ?? 0) } : { status: '+' };
    return { value: { ...key, capture: { [reply.capture.name]: `/${reply.capture.source}/` } }, varies: ['challenge'] };
  }
  if (first !== undefined && more.length === 0) {
    const code = BARE_CODE.exec(first);
    if (code && PROTOCOLS[protocol].hasReplyCodes) return { value: Number(code[1]), varies: [] };
    if (BARE_CONTINUATION.test(first) && !PROTOCOLS[protocol].hasReplyCodes) return { value: { status: '+' }, varies: [] };
    const line = renderLine(first, substitutions, false, exact);
    return { value: line.text, varies: line.varies };
  }
  const lines = reply.lines.map((text) => renderLine(text, substitutions, true, exact));
  return { value: lines.map((l) => l.text), varies: [...new Set(lines.flatMap((l) => l.varies))] };
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
