/**
 * The environment as templates see it: its own names only. `process.env` (and a record
 * built with `{}`) inherits `constructor`, `toString`, `__proto__`…, which are no
 * environment variables.
 */
export function envLookup(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  if (!Object.hasOwn(env, name)) return undefined;
  const value = env[name];
  return typeof value === 'string' ? value : undefined;
}
