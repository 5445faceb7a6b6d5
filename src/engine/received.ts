/**
 * What came for an `s:` step that did not match, in the pieces `run --update` writes back
 * (format §11): the reply's lines with each secret variable's value replaced by its name,
 * and so the value of every variable and `${env.NAME}` the matcher itself used (three
 * characters or more: a shorter one would stand for bits of unrelated text). A secret no variable holds whole
 * (a derived value, `sasl_plain(user, pass)`) stays `***` and marks the reply unwritable.
 */
import type { Matcher, ProtocolName, StepOf, TextPattern } from '../kernel/model.js';
import { templateRefs, type Template } from '../template/index.js';
import type { ReceivedReply, ReplyPiece } from './events.js';
import type { TestContext } from './context.js';

/** A plain variable shorter than this is not looked for in the reply. */
const MIN_PLAIN_VALUE = 3;

export function receivedReply(ctx: TestContext, step: StepOf<'s'>, protocol: ProtocolName, lines: readonly string[]): ReceivedReply {
  const used = matcherReferences(step.matcher);
  const names: { name: string; value: string }[] = [];
  for (const [name, value] of ctx.vars) {
    if (value.text === '') continue;
    if (value.secret || (used.vars.has(name) && value.text.length >= MIN_PLAIN_VALUE)) names.push({ name, value: value.text });
  }
  // `${env.NAME}` without a default: written back as it was (one with a default is not: its
  // default would be lost).
  for (const name of used.envs) {
    const value = ctx.world.env[name];
    if (value !== undefined && value.length >= MIN_PLAIN_VALUE) names.push({ name: `env.${name}`, value });
  }
  // The longest value first, then a secret before a plain one of the same length.
  names.sort((a, b) => b.value.length - a.value.length);
  let unnamedSecret = false;
  const pieces = lines.map((line) =>
    split(line, names).map((piece) => {
      if (typeof piece !== 'string') return piece;
      const redacted = ctx.redactor.redact(piece);
      if (redacted !== piece) unnamedSecret = true;
      return redacted;
    }),
  );
  return {
    step: step.span,
    matcher: step.matcher.span,
    protocol,
    lines: pieces,
    ...(unnamedSecret ? { unnamedSecret: true as const } : {}),
  };
}

/** A line cut where a value occurs (leftmost first, the longest of those starting there). */
function split(line: string, names: readonly { name: string; value: string }[]): ReplyPiece[] {
  const pieces: ReplyPiece[] = [];
  let rest = line;
  // Each turn consumes at least one character of the line.
  for (let guard = 0; guard <= line.length && rest !== ''; guard++) {
    let best: { at: number; name: string; length: number } | undefined;
    for (const n of names) {
      const at = rest.indexOf(n.value);
      if (at >= 0 && (!best || at < best.at)) best = { at, name: n.name, length: n.value.length };
    }
    if (!best) break;
    if (best.at > 0) pieces.push(rest.slice(0, best.at));
    pieces.push({ variable: best.name });
    rest = rest.slice(best.at + best.length);
  }
  if (rest !== '') pieces.push(rest);
  return pieces;
}

/** Variables, and environment variables without a default, named in the matcher's own text patterns (the keys `--update` replaces). */
function matcherReferences(m: Matcher): { vars: Set<string>; envs: Set<string> } {
  const templates: Template[] = [];
  const add = (p: TextPattern | undefined): void => {
    if (p) templates.push(p.kind === 'exact' ? p.value : p.source);
  };
  add(m.text);
  add(m.whole);
  add(m.match);
  for (const p of m.contains ?? []) add(p);
  for (const p of m.excludes ?? []) add(p);
  for (const p of m.lines?.value ?? []) if (p.kind !== 'ellipsis') add(p);
  const vars = new Set<string>();
  const envs = new Set<string>();
  for (const t of templates) {
    const refs = templateRefs(t);
    for (const v of refs.vars) vars.add(v.name);
    for (const e of refs.envs) if (!e.hasDefault) envs.add(e.name);
  }
  return { vars, envs };
}
