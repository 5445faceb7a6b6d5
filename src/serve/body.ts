/**
 * `data:` in serve mode (docs/format.md, Serve): the client's body, dot-unstuffed and with
 * `\n` line ends, against the step's text, file, `any`, `match` or `headers`.
 */
import type { StepOf, TextPattern } from '../kernel/model.js';
import { resolvePath } from '../engine/context.js';
import { StepFailure } from '../engine/failure.js';
import { evaluateTracked } from '../engine/values.js';
import { clientRegex } from './regex.js';
import type { ServeContext } from './context.js';

export async function bodyProblem(ctx: ServeContext, step: StepOf<'data'>, body: string): Promise<StepFailure | undefined> {
  const spec = step.body;
  if (spec.kind === 'expect') {
    if (spec.match) {
      const regex = clientRegex(ctx, spec.match);
      const shown = `/${spec.match.source.source}/${spec.match.flags}`;
      if (!regex.test(body)) return mismatch(ctx, `expected the message body to match ${shown}`, spec.match.span, shown, firstLines(body));
    }
    const headers = spec.headers.length > 0 ? parseHeaders(body) : new Map<string, string[]>();
    for (const h of spec.headers) {
      const values = headers.get(h.name.toLowerCase());
      if (values === undefined) return mismatch(ctx, `expected a ${h.name} header in the message, but it has none`, h.pattern.span, describe(h.pattern), 'no such header');
      if (!values.some((v) => holds(ctx, h.pattern, v))) {
        return mismatch(ctx, `expected the ${h.name} header ${describe(h.pattern)}, got "${values.join('", "')}"`, h.pattern.span, describe(h.pattern), values.join('\n'));
      }
    }
    return undefined;
  }
  let text: string;
  if (spec.kind === 'text') text = evaluateTracked(ctx, spec.value).text;
  else {
    const path = resolvePath(ctx, spec.path, evaluateTracked(ctx, spec.path).text);
    try {
      text = (await ctx.world.readFile(path, 'data')).toString('utf8');
    } catch (error) {
      return new StepFailure('error', `cannot read the data file ${path}: ${(error as Error).message}`, step.span);
    }
  }
  const want = text.replace(/\r\n?/g, '\n').replace(/\n$/, '');
  if (want === body) return undefined;
  const a = want.split('\n');
  const b = body.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const expected = i < a.length ? `"${a[i]}"` : 'the end of the body';
  const actual = i < b.length ? `"${b[i]}"` : 'the end of the body';
  return mismatch(ctx, `the message body differs at line ${i + 1}: expected ${expected}, got ${actual}`, step.span, expected, actual);
}

/** The header section (RFC 5322 §2.2): up to the first empty line; folded lines unfolded (§2.2.3). */
export function parseHeaders(body: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let last: { name: string; index: number } | undefined;
  for (const line of body.split('\n')) {
    if (line === '') break;
    if (/^[ \t]/.test(line) && last) {
      const list = out.get(last.name)!;
      list[last.index] = `${list[last.index]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const list = out.get(name) ?? [];
    list.push(line.slice(colon + 1).trim());
    out.set(name, list);
    last = { name, index: list.length - 1 };
  }
  return out;
}

function holds(ctx: ServeContext, pattern: TextPattern, value: string): boolean {
  if (pattern.kind === 'regex') return clientRegex(ctx, pattern).test(value);
  return evaluateTracked(ctx, pattern.value).text === value;
}

function describe(pattern: TextPattern): string {
  return pattern.kind === 'regex' ? `matching /${pattern.source.source}/${pattern.flags}` : `"${pattern.value.source}"`;
}

function firstLines(body: string): string {
  const lines = body.split('\n');
  return lines.length > 5 ? `${lines.slice(0, 5).join('\n')}\n… (${lines.length} lines)` : body;
}

function mismatch(ctx: ServeContext, message: string, span: StepFailure['span'], expected: string, actual: string): StepFailure {
  return new StepFailure('mismatch', ctx.redactor.redact(message), span, { expected: ctx.redactor.redact(expected), actual: ctx.redactor.redact(actual) });
}
