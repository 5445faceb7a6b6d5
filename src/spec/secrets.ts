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
