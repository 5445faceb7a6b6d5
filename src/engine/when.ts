/**
 * `when:` (format §3): whether a step runs, from the variables' values now. Each term holds
 * when the variable's value equals one of its values, as text (case matters); a `not` term
 * when it equals none. No code is evaluated.
 */
import type { Condition } from '../kernel/model.js';
import type { Value } from '../template/types.js';

export function conditionHolds(when: Condition, vars: ReadonlyMap<string, Value>): boolean {
  for (const term of when.terms) {
    const value = vars.get(term.name)?.text;
    const equal = value !== undefined && term.values.includes(value);
    if (equal === term.negated) return false;
  }
  return true;
}
