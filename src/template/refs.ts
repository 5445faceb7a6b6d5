/** What a template refers to, for load-time checks (unknown names, arity, unset env). */
import type { Expr, Template } from './types.js';

export interface TemplateRefs {
  readonly vars: readonly { readonly name: string; readonly offset: number }[];
  readonly envs: readonly { readonly name: string; readonly hasDefault: boolean; readonly offset: number }[];
  readonly calls: readonly { readonly name: string; readonly argc: number; readonly offset: number }[];
}

/** Every reference in source order; offsets are positions within `t.source`. */
export function templateRefs(t: Template): TemplateRefs {
  let refs: MutableRefs | undefined;
  for (const part of t.parts) {
    if (part.kind !== 'expr') continue;
    refs ??= { vars: [], envs: [], calls: [] };
    collect(part.expr, refs);
  }
  return refs ?? NO_REFS;
}

/** Most strings of a spec are plain text: they share this one (nothing is ever added to it). */
const NO_REFS: TemplateRefs = Object.freeze({ vars: Object.freeze([]), envs: Object.freeze([]), calls: Object.freeze([]) });

type MutableRefs = { -readonly [K in keyof TemplateRefs]: TemplateRefs[K][number][] };

function collect(expr: Expr, refs: MutableRefs): void {
  switch (expr.kind) {
    case 'var':
      refs.vars.push({ name: expr.name, offset: expr.offset });
      return;
    case 'env':
      refs.envs.push({ name: expr.name, hasDefault: expr.fallback !== undefined, offset: expr.offset });
      return;
    case 'call':
      refs.calls.push({ name: expr.fn, argc: expr.args.length, offset: expr.offset });
      for (const arg of expr.args) collect(arg, refs);
      return;
    case 'string':
    case 'number':
      return;
    default: {
      const never: never = expr;
      throw new Error(`unknown expression ${JSON.stringify(never)}`);
    }
  }
}
