/** `code` and `enhanced` (format §5): SMTP/LMTP reply codes, RFC 5321 §4.2 and RFC 3463. */
import type { Check } from './types.js';
import { headline, malformedNote, spanOf } from './headline.js';
import { orList } from '../kernel/list.js';

/** `250`, `2xx`, `55x`: each `x` stands for any digit. */
export function codeFits(pattern: string, code: number): boolean {
  const digits = String(code).padStart(3, '0');
  const p = pattern.trim();
  if (p === digits) return true;
  if (p.length !== digits.length) return false;
  for (let i = 0; i < p.length; i++) {
    const ch = p[i];
    if (ch !== 'x' && ch !== 'X' && ch !== digits[i]) return false;
  }
  return true;
}

export const checkCode: Check = (m, reply, env) => {
  if (m.code === undefined || m.code.length === 0) return undefined;
  const patterns = m.code;
  const code = reply.code;
  // A reply that fits costs no message: building one (headline, list) is for misses only.
  if (code !== undefined && patterns.some((p) => codeFits(p.value, code))) return undefined;
  const wanted = orList(patterns.map((p) => p.value.trim()), false);
  const base = {
    span: spanOf(
      patterns.map((p) => p.span),
      m.span,
    ),
    expected: wanted,
    actual: headline(reply, env.ctx.protocol),
  };
  if (code === undefined) {
    return { ...base, message: `expected reply code ${wanted}, got a reply without a code${malformedNote(reply)}` };
  }
  return { ...base, message: `expected reply code ${wanted}, got ${String(code).padStart(3, '0')}` };
};

/** `5.7.8`, `5.7.x`, `5.x.x`: a component of `x` stands for any number (RFC 3463 §2). */
export function enhancedFits(pattern: string, enhanced: string): boolean {
  const want = pattern.trim().replace(/^#/, '').split('.');
  const got = enhanced.replace(/^#/, '').split('.');
  return want.length === 3 && got.length === 3 && want.every((w, i) => /^x+$/i.test(w) || w === got[i]);
}

export const checkEnhanced: Check = (m, reply, env) => {
  if (m.enhanced === undefined) return undefined;
  const wanted = m.enhanced.value.trim().replace(/^#/, '');
  const base = { span: m.enhanced.span, expected: wanted, actual: headline(reply, env.ctx.protocol) };
  if (reply.enhanced === undefined) {
    return { ...base, message: `expected enhanced code ${wanted}, got a reply without one${malformedNote(reply)}` };
  }
  if (enhancedFits(wanted, reply.enhanced)) return undefined;
  return { ...base, message: `expected enhanced code ${wanted}, got ${reply.enhanced}` };
};
