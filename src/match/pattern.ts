/** A TextPattern made concrete for one match: templates evaluated, regex compiled. */
import type { TextPattern } from '../kernel/model.js';
import { evaluate } from '../template/evaluate.js';
import { evaluateRegex } from '../template/regex.js';
import type { MatchEnv } from './types.js';
import { linearRegex } from './linear.js';
import { printableSource, quote } from './show.js';

export type Resolved =
  | { readonly kind: 'exact'; readonly text: string; readonly shown: string }
  | { readonly kind: 'regex'; readonly regex: RegExp; readonly shown: string };

/**
 * `shown` is how the pattern appears in messages. When a secret went into it, it shows the
 * template as written (`"${pass}"`) rather than the value.
 * Throws TemplateError when a template cannot be evaluated (our side, not the server's).
 */
export function resolve(p: TextPattern, env: MatchEnv): Resolved {
  switch (p.kind) {
    case 'exact': {
      const v = evaluate(p.value, env.scope);
      return { kind: 'exact', text: v.text, shown: quote(v.secret ? p.value.source : v.text) };
    }
    case 'regex': {
      const { regex, secret } = evaluateRegex(p.source, p.flags, env.scope, env.ctx.regexCache);
      // Shown as written; matched in the form V8's linear-time engine can take over (linear.ts).
      return { kind: 'regex', regex: linearRegex(regex, env.ctx.regexCache), shown: `/${printableSource(secret ? p.source.source : regex.source)}/${p.flags}` };
    }
    default: {
      const never: never = p;
      throw new Error(`unknown pattern ${JSON.stringify(never)}`);
    }
  }
}

/** The whole string equals the text, or the regex is found in it. */
export function fits(r: Resolved, s: string): boolean {
  return r.kind === 'exact' ? s === r.text : r.regex.test(s);
}

/** The text is a substring, or the regex is found. */
export function occurs(r: Resolved, s: string): boolean {
  return r.kind === 'exact' ? s.includes(r.text) : r.regex.test(s);
}

/** `"x"` → `containing "x"`, `/x/` → `matching /x/`. */
export function containingPhrase(r: Resolved): string {
  return r.kind === 'exact' ? `containing ${r.shown}` : `matching ${r.shown}`;
}
