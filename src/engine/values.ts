/**
 * Evaluating templates inside a running test, so that every secret part of a value is
 * registered with the test's redactor before the value can reach a socket or an output
 * (format §7: what was derived from a secret is redacted wherever it would appear).
 */
import type { Template, Value } from '../template/types.js';
import type { RegexPattern } from '../kernel/model.js';
import { evaluate, evaluateRegex, TemplateError } from '../template/index.js';
import { scopeOf, type TestContext } from './context.js';
import { StepFailure } from './failure.js';

/**
 * Evaluate part by part: in `AUTH PLAIN ${sasl_plain(user, pass)}` only the payload is
 * secret, so the transcript shows `AUTH PLAIN ***`, not `***`.
 */
export function evaluateTracked(ctx: TestContext, template: Template): Value {
  // Most lines of a spec hold no `${…}`: their text needs no scope and no evaluation.
  const parts = template.parts;
  if (parts.length === 0) return EMPTY;
  if (parts.length === 1 && parts[0]!.kind === 'text') return { text: parts[0]!.value, secret: false };
  const scope = scopeOf(ctx);
  if (template.parts.length <= 1) {
    const value = evaluateOrFail(template, scope);
    if (value.secret) ctx.redactor.add(value.text);
    return value;
  }
  let text = '';
  let secret = false;
  for (const part of template.parts) {
    if (part.kind === 'text') {
      text += part.value;
      continue;
    }
    const value = evaluateOrFail({ source: template.source, parts: [part], span: template.span }, scope);
    if (value.secret) {
      ctx.redactor.add(value.text);
      secret = true;
    }
    text += value.text;
  }
  return { text, secret };
}

const EMPTY: Value = { text: '', secret: false };

/**
 * Gives a variable its value: the one way a variable is set in a running test (`vars`,
 * `--var`, `set`, `capture`, a `repeat` counter, a fragment's `vars` and `with:`). A variable
 * named in the file's `secrets` is secret whatever its value came from, and its value is
 * registered with the redactor before any later output could show it (format §7).
 */
export function setVariable(ctx: TestContext, name: string, value: Value): void {
  const secret = value.secret || ctx.suite.secrets.includes(name);
  if (secret) ctx.redactor.add(value.text);
  ctx.vars.set(name, secret === value.secret ? value : { text: value.text, secret });
}

export function evaluateRegexTracked(ctx: TestContext, pattern: RegexPattern): RegExp {
  try {
    const { regex, secret } = evaluateRegex(pattern.source, pattern.flags, scopeOf(ctx));
    if (secret) ctx.redactor.add(regex.source);
    return regex;
  } catch (error) {
    throw asFailure(error, pattern.span);
  }
}

function evaluateOrFail(template: Template, scope: ReturnType<typeof scopeOf>): Value {
  try {
    return evaluate(template, scope);
  } catch (error) {
    throw asFailure(error, template.span);
  }
}

function asFailure(error: unknown, span: Template['span']): unknown {
  if (error instanceof TemplateError) return new StepFailure('error', error.message, span);
  return error;
}
