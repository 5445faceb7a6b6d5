import type { Span } from '../../src/kernel/span.js';
import type { Scope, Template, Value } from '../../src/template/index.js';
import { parseTemplate } from '../../src/template/index.js';

export const span: Span = { file: 'spec.yaml', line: 3, col: 7, endLine: 3, endCol: 20 };

export function tpl(source: string): Template {
  const r = parseTemplate(source, span);
  if (!r.ok) throw new Error(`parse failed at ${r.offset}: ${r.message}`);
  return r.template;
}

export function scope(
  vars: Record<string, string | Value> = {},
  env: Record<string, string | undefined> = {},
  overrides: Partial<Scope> = {},
): Scope {
  const map = new Map<string, Value>();
  for (const [k, v] of Object.entries(vars)) map.set(k, typeof v === 'string' ? { text: v, secret: false } : v);
  return {
    vars: map,
    env,
    now: () => new Date(Date.UTC(2024, 1, 29, 7, 5, 9)),
    randomBytes: (n) => Buffer.alloc(n, 0xab),
    ...overrides,
  };
}
