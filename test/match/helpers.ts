import type { Capture, LinePattern, Matcher, TextPattern, Spanned } from '../../src/kernel/model.js';
import type { Span } from '../../src/kernel/span.js';
import type { Reply } from '../../src/protocol/types.js';
import type { Scope, Value } from '../../src/template/index.js';
import { parseTemplate } from '../../src/template/index.js';
import type { Observed } from '../../src/match/index.js';

/** A distinct span per call, so tests can tell which key a failure points at. */
let nextLine = 1;
export function at(line = nextLine++): Span {
  return { file: 'm.yaml', line, col: 5, endLine: line, endCol: 15 };
}

function template(source: string) {
  const r = parseTemplate(source, at());
  if (!r.ok) throw new Error(r.message);
  return r.template;
}

export function exact(source: string, span = at()): TextPattern {
  return { kind: 'exact', value: template(source), span };
}

export function rx(source: string, flags = '', span = at()): Extract<TextPattern, { kind: 'regex' }> {
  return { kind: 'regex', source: template(source), flags, span };
}

export const ellipsis = (span = at()): LinePattern => ({ kind: 'ellipsis', span });

export function spanned<T>(value: T, span = at()): Spanned<T> {
  return { value, span };
}

export function cap(name: string, source: string, span = at()): Capture {
  return { name, regex: rx(source), span };
}

export function matcher(keys: Omit<Matcher, 'span'> & { span?: Span } = {}): Matcher {
  return { span: at(), ...keys };
}

/** An SMTP reply from its raw lines (`250-a`, `250 b`), framed as RFC 5321 §4.2 says. */
export function smtp(...lines: string[]): Observed {
  const first = lines[0] ?? '';
  const texts = lines.map((l) => l.slice(4));
  const enhanced = /^#?(\d\.\d{1,3}\.\d{1,3})(?:\s|$)/.exec(texts[0] ?? '')?.[1];
  const reply: Reply = {
    lines,
    raw: Buffer.from(lines.map((l) => `${l}\n`).join('')),
    code: Number(first.slice(0, 3)),
    text: texts.join('\n'),
    ...(enhanced !== undefined ? { enhanced } : {}),
  };
  return { kind: 'reply', reply };
}

export function pop3(...lines: string[]): Observed {
  const first = lines[0] ?? '';
  const status = /^(\+OK|-ERR|\+)(?: |$)/.exec(first)?.[1];
  return {
    kind: 'reply',
    reply: { lines, raw: Buffer.from(lines.join('\n')), text: first.replace(/^\S+ ?/, ''), ...(status !== undefined ? { status } : {}) },
  };
}

export function imap(...lines: string[]): Observed {
  const last = lines[lines.length - 1] ?? '';
  const parts = /^\S+ (\S+) ?(.*)$/.exec(last);
  return {
    kind: 'reply',
    reply: { lines, raw: Buffer.from(lines.join('\n')), text: parts?.[2] ?? '', ...(parts?.[1] !== undefined ? { status: parts[1] } : {}) },
  };
}

export const closed: Observed = { kind: 'closed' };

export function scope(vars: Record<string, string | Value> = {}): Scope {
  const map = new Map<string, Value>();
  for (const [k, v] of Object.entries(vars)) map.set(k, typeof v === 'string' ? { text: v, secret: false } : v);
  return { vars: map, env: {}, now: () => new Date(0), randomBytes: (n) => Buffer.alloc(n) };
}

import { matchReply } from '../../src/match/index.js';
import type { MatchFailure } from '../../src/match/index.js';
import type { ProtocolName } from '../../src/kernel/model.js';

export function run(m: Matcher, observed: Observed, s: Scope = scope(), protocol: ProtocolName = 'smtp') {
  return matchReply(m, observed, s, { protocol });
}

export function failure(m: Matcher, observed: Observed, s: Scope = scope(), protocol: ProtocolName = 'smtp'): MatchFailure {
  const r = run(m, observed, s, protocol);
  if (r.ok) throw new Error('expected the match to fail');
  return r;
}

export function holds(m: Matcher, observed: Observed, s: Scope = scope(), protocol: ProtocolName = 'smtp'): ReadonlyMap<string, Value> {
  const r = run(m, observed, s, protocol);
  if (!r.ok) throw new Error(`expected the match to hold, got: ${r.message}`);
  return r.captures;
}
