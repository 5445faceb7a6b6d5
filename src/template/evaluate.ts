/** Evaluating a parsed template against a Scope (format §7). */
import type { Expr, Scope, Template, Value } from './types.js';
import { ArgumentError, TemplateError } from './error.js';
import { envLookup } from './env.js';
import { FUNCTIONS } from './functions.js';
import { derivedValue, literalValue } from './value.js';

/**
 * The template's text. Secret when any variable or function result in it is secret.
 * Throws TemplateError (with the offset of the culprit) for an unset env variable without
 * default, an unknown variable or function, or bad function arguments.
 */
export function evaluate(t: Template, scope: Scope): Value {
  const values = evaluateParts(t, scope).map((p) => p.value);
  return derivedValue(values.map((v) => v.text).join(''), values);
}

/** Each part's value, in order, marked as literal text or an expression's result. */
export function evaluateParts(t: Template, scope: Scope): { readonly literal: boolean; readonly value: Value }[] {
  return t.parts.map((part) =>
    part.kind === 'text'
      ? { literal: true, value: literalValue(part.value) }
      : { literal: false, value: evaluateExpr(part.expr, scope, t) },
  );
}

function evaluateExpr(expr: Expr, scope: Scope, t: Template): Value {
  switch (expr.kind) {
    case 'var': {
      const value = scope.vars.get(expr.name);
      if (value === undefined) throw new TemplateError(`unknown variable ${expr.name}`, expr.offset, t.span);
      return value;
    }
    case 'env':
      return literalValue(envValue(expr.name, expr.fallback, scope, expr.offset, t));
    case 'call':
      return callFunction(expr.fn, expr.args, expr.offset, scope, t);
    case 'string':
      return literalValue(expr.value);
    case 'number':
      return literalValue(String(expr.value));
    default: {
      const never: never = expr;
      throw new Error(`unknown expression ${JSON.stringify(never)}`);
    }
  }
}

/** As in the shell, `:-` also replaces a variable that is set but empty. */
function envValue(name: string, fallback: string | undefined, scope: Scope, offset: number, t: Template): string {
  const value = envLookup(scope.env, name);
  if (fallback !== undefined) return value === undefined || value === '' ? fallback : value;
  if (value === undefined) {
    throw new TemplateError(`environment variable ${name} is not set (write \${env.${name}:-default} to give a default)`, offset, t.span);
  }
  return value;
}

function callFunction(name: string, argExprs: readonly Expr[], offset: number, scope: Scope, t: Template): Value {
  const def = FUNCTIONS.get(name);
  if (def === undefined) throw new TemplateError(`unknown function ${name}`, offset, t.span);
  if (argExprs.length < def.minArgs || argExprs.length > def.maxArgs) {
    throw new TemplateError(`${name} takes ${arity(def.minArgs, def.maxArgs)}, got ${argExprs.length}: ${def.summary}`, offset, t.span);
  }
  const args = argExprs.map((a) => evaluateExpr(a, scope, t));
  try {
    const result = def.fn(args, scope);
    return derivedValue(result.text, [result, ...args]);
  } catch (e) {
    // A message that quotes its argument must not quote a secret one (format §7).
    if (e instanceof ArgumentError) {
      const message = args.some((a) => a.secret) ? e.withoutValue : e.message;
      throw new TemplateError(`${name}: ${message}`, offset, t.span);
    }
    // V8 refuses strings past its maximum length with a RangeError, before allocating.
    if (e instanceof RangeError) throw new TemplateError(`${name}: the result is longer than a string can hold`, offset, t.span);
    throw e;
  }
}

function arity(min: number, max: number): string {
  const plural = (n: number): string => (n === 1 ? '1 argument' : `${n} arguments`);
  if (min === max) return min === 0 ? 'no arguments' : plural(min);
  if (max === Number.POSITIVE_INFINITY) return `at least ${plural(min)}`;
  return `${min} to ${max} arguments`;
}
