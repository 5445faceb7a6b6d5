/**
 * `matchReply`: one `s:` matcher (format §5) against what one step observed. Pure: no I/O,
 * no clock; templates are evaluated against the given scope. Every key given must hold;
 * the first that does not is reported, with its own span.
 * Throws TemplateError when a template in the matcher cannot be evaluated (our side).
 */
import type { Matcher } from '../kernel/model.js';
import type { Reply } from '../protocol/types.js';
import type { Span } from '../kernel/span.js';
import type { Scope, Value } from '../template/types.js';
import type { Check, MatchContext, MatchEnv, MatchResult, Miss, Observed } from './types.js';
import { checkCode, checkEnhanced } from './code.js';
import { checkStatus } from './status.js';
import { checkMatch, checkText, checkWhole } from './text.js';
import { checkLines } from './lines.js';
import { checkContains, checkExcludes } from './contains.js';
import { takeCaptures } from './capture.js';
import { matchImap } from './imap.js';
import { checkEhlo } from './ehlo.js';
import { headline, spanOf } from './headline.js';
import { orList } from '../kernel/list.js';

/** In the order a reader checks a reply: code first, then text, then lines. */
const CHECKS: readonly Check[] = [
  checkCode,
  checkEnhanced,
  checkStatus,
  checkText,
  checkWhole,
  checkLines,
  checkMatch,
  checkContains,
  checkExcludes,
  checkEhlo,
];

/** Longest explanation of one failed `oneOf` alternative. */
const MAX_REASON = 160;

type Captures = ReadonlyMap<string, Value>;

/** What a matcher without `capture` and `oneOf` captures: one map for all (never written to). */
const NO_CAPTURES: Captures = new Map();

const isMiss = (result: Captures | Miss): result is Miss => !(result instanceof Map);

export function matchReply(matcher: Matcher, observed: Observed, scope: Scope, ctx: MatchContext): MatchResult {
  const env: MatchEnv = { scope, ctx };
  const result = observed.kind === 'closed' ? matchClosed(matcher, env) : matchOne(matcher, observed.reply, env);
  return isMiss(result) ? { ok: false, ...result } : { ok: true, captures: result };
}

function matchOne(m: Matcher, reply: Reply, env: MatchEnv): Captures | Miss {
  if (m.closed !== undefined) {
    return {
      span: m.closed.span,
      message: 'expected the server to close the connection, got a reply',
      expected: 'the connection closed',
      actual: headline(reply, env.ctx.protocol),
    };
  }
  for (const check of CHECKS) {
    const miss = check(m, reply, env);
    if (miss !== undefined) return miss;
  }
  const bound = m.imap === undefined ? undefined : matchImap(m.imap, reply, env);
  if (bound !== undefined && isMiss(bound)) return bound;
  // Most matchers capture nothing: no new map per reply (a load run matches millions).
  if (m.oneOf === undefined && m.capture === undefined) return bound ?? NO_CAPTURES;
  const captures = new Map<string, Value>(bound);
  if (m.oneOf !== undefined) {
    const chosen = firstHolding(m.oneOf, m.span, (alt) => matchOne(alt, reply, env), headline(reply, env.ctx.protocol));
    if (isMiss(chosen)) return chosen;
    for (const [k, v] of chosen) captures.set(k, v);
  }
  if (m.capture !== undefined) {
    const taken = takeCaptures(m.capture, reply, env);
    if (isMiss(taken)) return taken;
    for (const [k, v] of taken) captures.set(k, v);
  }
  return captures;
}

/**
 * The server closed the connection instead of replying. Only `closed: true` holds, or a
 * `oneOf` whose alternative holds; any other key fails at its own span.
 */
function matchClosed(m: Matcher, env: MatchEnv): Captures | Miss {
  if (m.closed !== undefined) return NO_CAPTURES;
  const wanted = expectation(m);
  if (wanted !== undefined) {
    return {
      span: wanted.span,
      message: `expected ${wanted.what}, but the server closed the connection`,
      expected: wanted.what,
      actual: 'the connection closed',
    };
  }
  if (m.oneOf !== undefined && m.oneOf.length > 0) {
    return firstHolding(m.oneOf, m.span, (alt) => matchClosed(alt, env), 'the connection closed');
  }
  return {
    span: m.span,
    message: 'expected a reply, but the server closed the connection',
    expected: 'a reply',
    actual: 'the connection closed',
  };
}

/** The first key that a closed connection cannot satisfy, in words. */
function expectation(m: Matcher): { what: string; span: Span } | undefined {
  if (m.code !== undefined && m.code.length > 0) {
    return { what: `reply code ${orList(m.code.map((c) => c.value.trim()), false)}`, span: spanOf(m.code.map((c) => c.span), m.span) };
  }
  if (m.enhanced !== undefined) return { what: `enhanced code ${m.enhanced.value.trim()}`, span: m.enhanced.span };
  if (m.status !== undefined && m.status.length > 0) {
    return { what: `status ${orList(m.status.map((s) => s.value.trim()), false)}`, span: spanOf(m.status.map((s) => s.span), m.span) };
  }
  const other =
    m.text?.span ??
    m.whole?.span ??
    m.lines?.span ??
    m.match?.span ??
    m.contains?.[0]?.span ??
    m.excludes?.[0]?.span ??
    m.ehlo?.span ??
    m.capture?.[0]?.span ??
    m.imap?.span ??
    m.any?.span;
  return other === undefined ? undefined : { what: 'a reply', span: other };
}

/** Captures of the first alternative that holds, or why none did, each briefly. */
function firstHolding(
  alternatives: readonly Matcher[],
  fallback: Span,
  tryOne: (alt: Matcher) => Captures | Miss,
  actual: string,
): Captures | Miss {
  const reasons: string[] = [];
  for (const alt of alternatives) {
    const r = tryOne(alt);
    if (!isMiss(r)) return r;
    reasons.push(brief(r.message));
  }
  const count = alternatives.length === 1 ? 'the only alternative' : `none of the ${alternatives.length} alternatives`;
  if (alternatives.length === 0) return { span: fallback, message: 'oneOf lists no alternatives, so none can hold', actual };
  return {
    span: spanOf(
      alternatives.map((a) => a.span),
      fallback,
    ),
    message: `${count} held: ${reasons.map((r, i) => `(${i + 1}) ${r}`).join('; ')}`,
    actual,
  };
}

function brief(message: string): string {
  return message.length > MAX_REASON ? `${message.slice(0, MAX_REASON)}…` : message;
}
