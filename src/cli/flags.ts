/** Turning command-line strings into typed options, with usage errors in plain words. */
import { UsageError } from './io.js';

export function parseVars(pairs: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--var takes NAME=VALUE, got "${pair}"`);
    const name = pair.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`--var: "${name}" is not a variable name`);
    vars[name] = pair.slice(eq + 1);
  }
  return vars;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** `500ms`, `10s`, `2m`. A bare number is refused: `5` could mean 5 ms or 5 s. */
export function parseDurationFlag(flag: string, text: string): number {
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) {
    throw new UsageError(`${flag} needs a unit: "${trimmed}s" for seconds, "${trimmed}ms" for milliseconds (got "${text}")`);
  }
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(trimmed);
  if (!m) throw new UsageError(`${flag} takes a duration such as 500ms, 10s or 2m, got "${text}"`);
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}

export function parsePositiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a whole number from 1 up, got "${text}"`);
  return n;
}

export function parseRegexFlag(flag: string, text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
}
