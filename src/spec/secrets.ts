/**
 * Literal secret values, for redacting code frames (spec §7: a secret's value never
 * appears in any output). Read from the data of each file as parsed, so invalid files —
 * the ones whose lines are shown — are covered too. Only values written in the spec, or
 * given with `--var`, are known before a run; the engine redacts the rest as it goes.
 */

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
  const visit = (node: unknown, depth: number): void => {
    if (depth > 64 || node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (VAR_MAPS.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const [name, v] of Object.entries(value)) if (names.has(name)) literalsOf(v).forEach((s) => out.add(s));
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
  const out = [...value.matchAll(ENV_DEFAULT)].map((m) => m[1] ?? '');
  if (!value.includes('${')) out.push(value.replace(/\$\$\{/g, '${'));
  return out;
}

/** All files' literals, longest first so a secret that contains another is replaced whole. */
export function orderSecrets(values: Iterable<string>): string[] {
  return [...new Set(values)].filter((v) => v !== '').sort((a, b) => b.length - a.length);
}
