/**
 * What an `s:` step means in serve mode (docs/format.md, Serve): a reply to send, or
 * `{closed: true}` (the client must close). Which matcher forms can be sent is decided
 * here once, for the load-time check and for playing alike.
 */
import type { Matcher, ProtocolName, TextPattern } from '../kernel/model.js';
import type { Span } from '../kernel/span.js';
import type { Template } from '../kernel/template.js';
import { PROTOCOLS } from '../protocol/registry.js';

/** One line or several (`\n` in a template): sent as written. */
export type ReplyPart =
  | { readonly kind: 'text'; readonly template: Template }
  /** smtp/lmtp: a reply code, with an enhanced code and a text when given, or its standard text. */
  | { readonly kind: 'code'; readonly code: number; readonly enhanced?: Template; readonly text?: Template }
  /** pop3/managesieve: a status word and a text. */
  | { readonly kind: 'status'; readonly status: string; readonly text?: Template };

export type ServeReply =
  | { readonly kind: 'send'; readonly parts: readonly ReplyPart[]; readonly multiline?: boolean }
  | { readonly kind: 'closed' };

export interface Unsendable {
  readonly span: Span;
  readonly message: string;
  readonly hint?: string;
}

/** Matcher keys that never stop a reply from being sent (`timeout` bounds the write). */
const NEUTRAL = new Set(['span', 'timeoutMs', 'multiline']);

const HINT = 'serve sends what `s:` says: write the reply itself (a string, a list of lines, or a reply code), or give the text to send in `serve:` beside the checks (`{ match: /^250 /, serve: "250 OK" }`)';

export function serveReply(m: Matcher, protocol: ProtocolName): ServeReply | Unsendable {
  const keys = (Object.keys(m) as (keyof Matcher)[]).filter((k) => m[k] !== undefined && !NEUTRAL.has(k));
  const only = (...allowed: (keyof Matcher)[]): boolean => keys.every((k) => allowed.includes(k));
  const multiline = m.multiline?.value;
  const withMultiline = (parts: ReplyPart[]): ServeReply => ({ kind: 'send', parts, ...(multiline !== undefined ? { multiline } : {}) });
  // `serve:` says what to send where the other keys cannot (format §9, decision 52).
  if (m.serve) return withMultiline(m.serve.value.map((template) => ({ kind: 'text', template })));
  if (m.closed && only('closed')) return { kind: 'closed' };
  if (m.match && only('match')) return regexProblem(m.match);
  if (m.whole && only('whole')) {
    return m.whole.kind === 'exact' ? withMultiline([{ kind: 'text', template: m.whole.value }]) : regexProblem(m.whole);
  }
  if (m.lines && only('lines')) {
    const parts: ReplyPart[] = [];
    for (const line of m.lines.value) {
      if (line.kind === 'ellipsis') return { span: line.span, message: '`...` (any lines) cannot be sent', hint: HINT };
      if (line.kind === 'regex') return regexProblem(line);
      parts.push({ kind: 'text', template: line.value });
    }
    return withMultiline(parts);
  }
  if (m.code && only('code', 'enhanced', 'text') && PROTOCOLS[protocol].serve?.codeLine) {
    const codes = m.code;
    if (codes.length !== 1 || !/^\d{3}$/.test(codes[0]!.value)) {
      return { span: codes[0]?.span ?? m.span, message: 'a code pattern or a list of codes cannot be sent: serve sends one reply code', hint: HINT };
    }
    if (m.enhanced && /x/i.test(m.enhanced.value)) return { span: m.enhanced.span, message: 'an enhanced code with `x` cannot be sent', hint: HINT };
    if (m.text && m.text.kind === 'regex') return regexProblem(m.text);
    return {
      kind: 'send',
      parts: [{
        kind: 'code',
        code: Number(codes[0]!.value),
        ...(m.enhanced ? { enhanced: { source: m.enhanced.value, parts: [{ kind: 'text', value: m.enhanced.value }], span: m.enhanced.span } } : {}),
        ...(m.text ? { text: (m.text as Extract<TextPattern, { kind: 'exact' }>).value } : {}),
      }],
    };
  }
  if (m.status && only('status', 'text') && protocol !== 'imap' && m.status.length === 1) {
    if (m.text && m.text.kind === 'regex') return regexProblem(m.text);
    return withMultiline([{ kind: 'status', status: m.status[0]!.value, ...(m.text ? { text: (m.text as Extract<TextPattern, { kind: 'exact' }>).value } : {}) }]);
  }
  const key = keys.find((k) => !['code', 'enhanced', 'text', 'status', 'whole', 'lines', 'closed'].includes(k)) ?? keys[0];
  const span = key ? spanOf(m, key) : m.span;
  return { span, message: `this \`s:\` cannot be sent${key ? ` (\`${String(key)}\` checks a reply, it does not make one)` : ''}`, hint: HINT };
}

export function isUnsendable(r: ServeReply | Unsendable): r is Unsendable {
  return 'message' in r;
}

function regexProblem(p: Extract<TextPattern, { kind: 'regex' }>): Unsendable {
  return { span: p.span, message: 'a `/regex/` cannot be sent: serve sends what `s:` says', hint: HINT };
}

function spanOf(m: Matcher, key: keyof Matcher): Span {
  const value = m[key] as unknown;
  if (value && typeof value === 'object' && 'span' in value) return (value as { span: Span }).span;
  if (Array.isArray(value) && value[0] && typeof value[0] === 'object' && 'span' in value[0]) return (value[0] as { span: Span }).span;
  return m.span;
}

/** Lines of a template's text: `\n` separates them; a final line end is not doubled. */
export function textLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
