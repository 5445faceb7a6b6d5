/**
 * Which variables are known where (format §7): a variable is known from the step after the
 * one that sets it (`set`, `capture`, `repeat … as`, an `include`), inside `oneOf` and
 * `retry` after that step. One walk over the model serves the test check (unknown names
 * are errors) and the fragment check (unknown names are the fragment's parameters).
 */
import type { Template } from '../template/types.js';
import { templateRefs } from '../template/index.js';
import { lineRegex } from '../kernel/client-line.js';
import type { Condition, Fragment, Matcher, Step, TextPattern, TlsOptions, VarDef } from '../kernel/model.js';

export interface VarReport {
  /** `name` is used in `t` at `offset` but not known there. */
  unknown(name: string, t: Template, offset: number): void;
  /** An include does not supply `name`, a parameter of its fragment. */
  missingParam(name: string, include: Extract<Step, { kind: 'include' }>): void;
  /** A placeholder for a fragment that failed to load: what it sets is unknown, so stop reporting. */
  isBroken?(fragment: Fragment): boolean;
}

/** In `known`: every name counts as known (after an include that failed to load). */
const ANY = '*';

/** Check `defs` in order (later may use earlier), adding each name to `known`. */
export function walkVarDefs(defs: readonly VarDef[], known: Set<string>, report: VarReport): void {
  for (const def of defs) {
    checkTemplate(def.value, known, report);
    known.add(def.name);
  }
}

/** Walk steps in order, reporting unknown names; `known` grows with what the steps set. */
export function walkVars(steps: readonly Step[], known: Set<string>, report: VarReport): void {
  for (const step of steps) walkStep(step, known, report);
}

function walkStep(step: Step, known: Set<string>, report: VarReport): void {
  if (step.when) checkWhen(step.when, known, report);
  switch (step.kind) {
    case 'c':
      for (const t of step.lines) checkTemplate(t, known, report);
      // serve: a `/regex/` line's named groups set variables (docs/format.md, Serve).
      for (const t of step.lines) for (const name of lineRegex(t)?.names ?? []) known.add(name);
      return;
    case 'send':
      if (step.bytes.kind === 'text') checkTemplate(step.bytes.value, known, report);
      return;
    case 'data': {
      const body = step.body;
      if (body.kind !== 'expect') checkTemplate(body.kind === 'text' ? body.value : body.path, known, report);
      else for (const p of [...(body.match ? [body.match] : []), ...body.headers.map((h) => h.pattern)]) checkTemplate(patternTemplate(p), known, report);
      return;
    }
    case 's':
      checkMatcher(step.matcher, known, report);
      addCaptureNames(step.matcher, known);
      return;
    case 'tls':
      for (const t of tlsTemplates(step.options)) checkTemplate(t, known, report);
      return;
    case 'connect':
      checkTemplate(step.connect.host, known, report);
      checkTemplate(step.connect.port, known, report);
      if (step.connect.tls) for (const t of tlsTemplates(step.connect.tls)) checkTemplate(t, known, report);
      return;
    case 'use':
    case 'close':
    case 'silent':
    case 'sleep':
      return;
    case 'set':
      walkVarDefs(step.vars, known, report);
      return;
    case 'repeat':
      if (step.as !== undefined) known.add(step.as);
      walkVars(step.steps, known, report);
      return;
    case 'retry':
      walkVars(step.steps, known, report);
      return;
    case 'include': {
      // `with` values are evaluated in the including test's scope, all before the fragment runs.
      for (const def of step.with) checkTemplate(def.value, known, report);
      if (report.isBroken?.(step.fragment)) {
        known.add(ANY);
        return;
      }
      const given = new Set(step.with.map((d) => d.name));
      for (const param of step.fragment.params) if (!known.has(param) && !given.has(param)) report.missingParam(param, step);
      // The fragment runs in the test's scope: what it sets stays set after it.
      for (const name of [...given, ...step.fragment.vars.map((d) => d.name), ...step.fragment.params, ...assignedNames(step.fragment.steps)]) known.add(name);
      return;
    }
    default: {
      const never: never = step;
      throw new Error(`unknown step ${JSON.stringify(never)}`);
    }
  }
}

/** A `when` names variables known at its step (its key is pointed at, as a template of one name). */
function checkWhen(when: Condition, known: Set<string>, report: VarReport): void {
  if (known.has(ANY)) return;
  for (const term of when.terms) {
    if (!known.has(term.name)) report.unknown(term.name, { source: term.name, parts: [], span: term.span }, 0);
  }
}

function checkTemplate(t: Template, known: Set<string>, report: VarReport): void {
  if (known.has(ANY)) return;
  for (const ref of templateRefs(t).vars) if (!known.has(ref.name)) report.unknown(ref.name, t, ref.offset);
}

/** Every name the steps may set, nested steps and fragments included. */
export function assignedNames(steps: readonly Step[]): string[] {
  const out = new Set<string>();
  const visit = (list: readonly Step[]): void => {
    for (const s of list) {
      if (s.kind === 'set') s.vars.forEach((d) => out.add(d.name));
      else if (s.kind === 's') addCaptureNames(s.matcher, out);
      else if (s.kind === 'c') for (const t of s.lines) for (const name of lineRegex(t)?.names ?? []) out.add(name);
      else if (s.kind === 'repeat') {
        if (s.as !== undefined) out.add(s.as);
        visit(s.steps);
      } else if (s.kind === 'retry') visit(s.steps);
      else if (s.kind === 'include') {
        s.with.forEach((d) => out.add(d.name));
        s.fragment.vars.forEach((d) => out.add(d.name));
        visit(s.fragment.steps);
      }
    }
  };
  visit(steps);
  return [...out];
}

/** Names captured by a matcher, its `oneOf` alternatives included, added to `out`. */
function addCaptureNames(m: Matcher, out: Set<string>): void {
  for (const c of m.capture ?? []) out.add(c.name);
  // `$name` in an `imap:` pattern binds it (forbidden responses bind nothing; an optional one may not come).
  for (const p of [...(m.imap?.untagged ?? []), ...(m.imap?.tagged.map((c) => c.pattern) ?? [])]) for (const name of p.vars) out.add(name);
  for (const alt of m.oneOf ?? []) addCaptureNames(alt, out);
  // What `until`'s awaited reply captures (`skip` captures nothing that is kept).
  if (m.until) addCaptureNames(m.until.match, out);
}

function patternTemplate(p: TextPattern): Template {
  return p.kind === 'exact' ? p.value : p.source;
}

/** Every template of a matcher (its `oneOf` alternatives included), checked where it stands: no list of them is made. */
function checkMatcher(m: Matcher, known: Set<string>, report: VarReport): void {
  for (const p of [m.text, m.whole, m.match]) if (p) checkTemplate(patternTemplate(p), known, report);
  for (const line of m.lines?.value ?? []) if (line.kind !== 'ellipsis') checkTemplate(patternTemplate(line), known, report);
  for (const p of m.contains ?? []) checkTemplate(patternTemplate(p), known, report);
  for (const p of m.excludes ?? []) checkTemplate(patternTemplate(p), known, report);
  for (const c of m.capture ?? []) checkTemplate(c.regex.source, known, report);
  const imap = m.imap;
  if (imap) for (const p of [...imap.untagged, ...(imap.optional ?? []), ...imap.forbid, ...imap.tagged.map((c) => c.pattern)]) checkTemplate(p.template, known, report);
  for (const alt of m.oneOf ?? []) checkMatcher(alt, known, report);
  if (m.until) {
    checkMatcher(m.until.match, known, report);
    if (m.until.skip) checkMatcher(m.until.skip, known, report);
  }
}

export function tlsTemplates(o: TlsOptions): Template[] {
  const out = [o.servername, o.ca, o.cert, o.key].filter((t): t is Template => t !== undefined);
  const e = o.expect;
  if (e) {
    for (const p of [e.protocol, e.cipher, e.subject, e.issuer, e.altNames, e.error]) if (p) out.push(patternTemplate(p));
  }
  return out;
}
