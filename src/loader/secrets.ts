/**
 * Literal secret values, for redacting code frames (format §7: a secret's value never
 * appears in any output). Read from the data of each file as parsed, so invalid files —
 * the ones whose lines are shown — are covered too. Only values written in the spec, or
 * given with `--var`, are known before a run; the engine redacts the rest as it goes.
 */

import { escapeRegex, evaluate, TemplateError } from '../template/index.js';
import type { Diagnostic, DiagnosticCode } from '../kernel/diagnostic.js';
import type { Step, Suite, VarDef } from '../kernel/model.js';
import type { Span } from '../kernel/span.js';
import type { Value } from '../template/index.js';

/** Keys whose map values define variables. */
const VAR_MAPS = new Set(['vars', 'set', 'with']);
const ENV_DEFAULT = /\$\{\s*env\.[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}/g;

/** Secret literals of one file's data: values of variables listed in its `secrets`. */
export function literalSecretsIn(data: unknown, cliVars: Readonly<Record<string, string>>): string[] {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return [];
  const listed = (data as Record<string, unknown>).secrets;
  if (!Array.isArray(listed)) return [];
  const names = new Set(listed.filter((n): n is string => typeof n === 'string'));
  const out = new Set<string>();
  // Every object and list of the file is walked: keys are read in place, not copied out
  // into entry lists (this runs for every file that lists `secrets`).
  const visit = (node: unknown, depth: number): void => {
    if (depth > 64 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, depth + 1);
      return;
    }
    const map = node as Record<string, unknown>;
    for (const key of Object.keys(map)) {
      const value = map[key];
      if (VAR_MAPS.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const vars = value as Record<string, unknown>;
        for (const name of Object.keys(vars)) if (names.has(name)) literalsOf(vars[name]).forEach((s) => out.add(s));
      }
      visit(value, depth + 1);
    }
  };
  visit(data, 0);
  for (const name of names) {
    const v = cliVars[name];
    if (v) out.add(v);
  }
  return [...out];
}

/** The text of a value without `${…}`, and the defaults of `${env.X:-…}` in it. */
function literalsOf(value: unknown): string[] {
  if (typeof value !== 'string') return value === undefined || value === null || typeof value === 'object' ? [] : [String(value)];
  if (!value.includes('${')) return [value.replace(/\$\$\{/g, '${')];
  // exec over a copy, not `matchAll` (which makes its copy through the species protocol and
  // an iterator: several times slower, for every secret of every file). A copy because a /g
  // regex carries its position (`lastIndex`) from one search to the next.
  const pattern = new RegExp(ENV_DEFAULT);
  const out: string[] = [];
  for (let m = pattern.exec(value); m; m = pattern.exec(value)) out.push(m[1] ?? '');
  return out;
}

/** All files' literals, longest first so a secret that contains another is replaced whole. */
export function orderSecrets(values: Iterable<string>): string[] {
  return [...new Set(values)].filter((v) => v !== '').sort((a, b) => b.length - a.length);
}

/** A redactor for what is shown of one file: `(text, file) => text` with that file's secrets hidden. */
export type FileRedact = (text: string, file: string) => string;

/**
 * Hides each file's literal secrets in what is shown of THAT file (its code frames, the
 * messages and hints about it, load-mode labels of its steps): a secret written in one
 * file never masks another's text. A secret hides values, never the spec's own words:
 * - an occurrence inside a longer word is left alone (`secret` in `secrets`, in
 *   `f12-secrets.yaml`, in `undefinedsecret`): a value written in the spec is a whole
 *   scalar, so it never stands glued to letters, digits or `_`, nor before `.ext`;
 * - an occurrence written as a YAML key (`secret:`) is a key, not the value;
 * - `paths` (the display paths of the files) are shown whole.
 */
export function fileRedactor(byFile: ReadonlyMap<string, readonly string[]>, paths: Iterable<string>): FileRedact {
  const keep = orderSecrets(paths).map(escapeRegex);
  const patterns = new Map<string, RegExp | undefined>();
  const patternOf = (file: string): RegExp | undefined => {
    if (!patterns.has(file)) {
      const secrets = orderSecrets(byFile.get(file) ?? []).map(valuePattern);
      const kept = keep.length > 0 ? `(${keep.join('|')})|` : '';
      patterns.set(file, secrets.length > 0 ? new RegExp(`${kept}${secrets.join('|')}`, 'g') : undefined);
    }
    return patterns.get(file);
  };
  return (text, file) => {
    const pattern = patternOf(file);
    return pattern === undefined ? text : text.replace(pattern, (whole: string, path: unknown) => (typeof path === 'string' ? whole : '***'));
  };
}

/** One secret as a value: not glued to a word, not before `.ext`, not a YAML key. */
function valuePattern(secret: string): string {
  const before = /^\w/.test(secret) ? '(?<!\\w)' : '';
  const after = /\w$/.test(secret) ? '(?!\\w|\\.\\w)' : '';
  return `${before}${escapeRegex(secret)}${after}(?!["']?[ \\t]*:(?:\\s|$))`;
}

/**
 * Secrets shorter than this are warned about when the spec loads: a secret is masked as
 * text wherever it occurs, so a 1-character one turns `250` into `2***0`.
 */
export const MIN_SECRET_LENGTH = 4;

export interface SecretScope {
  /** `--var NAME=VALUE`. */
  readonly cliVars: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

type Shortness = { readonly kind: 'value'; readonly length: number } | { readonly kind: 'counter' };

const NO_VARS: ReadonlyMap<string, Value> = new Map<string, Value>();
const STATIC_SCOPE = { vars: NO_VARS, now: () => new Date(0), randomBytes: (n: number) => Buffer.alloc(n) };

/**
 * A warning for each name in `secrets` (its `items`, as written) that is known at load time
 * to be short: a value written in the spec, from the environment or `--var`, of fewer than
 * `MIN_SECRET_LENGTH` characters, or a `repeat` counter. Values that depend on other
 * variables or on the server (`capture`) are not known before the run.
 */
export function shortSecretWarnings(suite: Suite, items: readonly { readonly name: string; readonly span: Span }[], scope: SecretScope): Diagnostic[] {
  if (items.length === 0) return [];
  const names = new Set(items.map((i) => i.name));
  const found = new Map<string, Shortness>();
  const note = (name: string, short: Shortness): void => {
    if (names.has(name) && !found.has(name)) found.set(name, short);
  };
  const defs = (list: readonly VarDef[]): void => {
    for (const def of list) {
      const length = staticLength(def, scope);
      if (length !== undefined && length > 0 && length < MIN_SECRET_LENGTH) note(def.name, { kind: 'value', length });
    }
  };
  const seen = new Set<readonly Step[]>();
  const steps = (list: readonly Step[]): void => {
    // A fragment included many times is walked once (includes nest at most 16 deep).
    if (seen.has(list)) return;
    seen.add(list);
    for (const step of list) STEP_VARS[step.kind]?.(step as never, defs, steps, note);
  };
  for (const [name, value] of Object.entries(scope.cliVars)) {
    const length = [...value].length;
    if (length > 0 && length < MIN_SECRET_LENGTH) note(name, { kind: 'value', length });
  }
  defs(suite.vars);
  for (const test of suite.tests) {
    defs(test.vars);
    steps(test.steps);
  }
  const out: Diagnostic[] = [];
  for (const item of items) {
    const short = found.get(item.name);
    if (short === undefined) continue;
    found.delete(item.name);
    out.push({ span: item.span, severity: 'warning', ...shortMessage(item.name, short) });
  }
  return out;
}

type StepVars<K extends Step['kind']> = (
  step: Extract<Step, { kind: K }>,
  defs: (list: readonly VarDef[]) => void,
  steps: (list: readonly Step[]) => void,
  note: (name: string, short: Shortness) => void,
) => void;

/** The steps that give variables values, or hold steps that may. */
const STEP_VARS: { readonly [K in Step['kind']]?: StepVars<K> } = {
  set: (step, defs) => defs(step.vars),
  repeat: (step, _defs, steps, note) => {
    if (step.as !== undefined) note(step.as, { kind: 'counter' });
    steps(step.steps);
  },
  retry: (step, _defs, steps) => steps(step.steps),
  include: (step, defs, steps) => {
    defs(step.with);
    defs(step.fragment.vars);
    steps(step.fragment.steps);
  },
};

function shortMessage(name: string, short: Shortness): { code: DiagnosticCode; message: string; hint: string } {
  switch (short.kind) {
    case 'value':
      return {
        code: 'secret-short',
        message: `the secret \`${name}\` is ${short.length} character${short.length === 1 ? '' : 's'} long: its text becomes \`***\` wherever it occurs in any output, inside words and numbers too (a secret \`e\` shows \`sender\` as \`s***nd***r\`)`,
        hint: `give it a value of ${MIN_SECRET_LENGTH} characters or more, or take it out of \`secrets\``,
      };
    case 'counter':
      return {
        code: 'secret-counter',
        message: `the secret \`${name}\` is a \`repeat\` counter: its values (0, 1, …) become \`***\` wherever they occur in any output, inside numbers too`,
        hint: 'take it out of `secrets`: a counter is no secret',
      };
    default: {
      const never: never = short;
      throw new Error(`unknown shortness ${JSON.stringify(never)}`);
    }
  }
}

/** The length of a value that needs no other variable (text, `${env.X}`, functions of those); undefined if it does. */
function staticLength(def: VarDef, scope: SecretScope): number | undefined {
  try {
    return [...evaluate(def.value, { ...STATIC_SCOPE, env: scope.env }).text].length;
  } catch (e) {
    // A variable, an unset env or a bad argument: not known before the run. Anything else is a bug.
    if (e instanceof TemplateError) return undefined;
    throw e;
  }
}
