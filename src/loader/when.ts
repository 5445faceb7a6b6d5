/**
 * `when:` on a step (format §3): a map of variable → value or list of values, all of which
 * must hold, and `not:` with entries none of which may hold. Values are compared as written
 * (`587`, `true` and `starttls` are text): no code is evaluated.
 */
import type { Condition, WhenTerm } from '../kernel/model.js';
import type { YNode } from './nodes.js';

export function buildWhen(node: YNode): Condition {
  const terms: WhenTerm[] = [];
  for (const entry of node.entries()) {
    if (entry.key === 'not' && entry.kind === 'map') {
      for (const inner of entry.entries()) terms.push(term(inner, true));
    } else terms.push(term(entry, false));
  }
  return { span: node.span(), terms };
}

function term(entry: YNode, negated: boolean): WhenTerm {
  const values = (entry.kind === 'list' ? entry.items() : [entry]).map((n) => n.written());
  return { name: entry.key ?? '', values, negated, span: entry.keySpan() };
}
