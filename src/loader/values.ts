/**
 * Pure parsers for the scalar forms of the format: durations, sizes, `/regex/flags`
 * literals and text patterns (format §1, §2, §5). The schema has already checked their
 * shape; these turn them into numbers and say what the schema cannot (ranges, flags).
 */

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Readonly<Record<string, number>> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** setTimeout fires at once past 2^31-1 ms: a longer wait would silently be no wait. */
export const MAX_DURATION_MS = 2 ** 31 - 1;
/** A larger limit is a typo, not a test: nothing would ever be buffered that far. */
export const MAX_SIZE_BYTES = 1024 ** 3;

import type { DiagnosticCode } from '../kernel/diagnostic.js';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: DiagnosticCode; readonly message: string; readonly hint?: string };

export function parseDuration(raw: number | string): Parsed<number> {
  let ms: number;
  if (typeof raw === 'number') ms = raw;
  else {
    const m = /^([0-9]+)(ms|s|m|h)$/.exec(raw);
    if (!m) return { ok: false, code: 'duration-invalid', message: `\`${raw}\` is not a duration`, hint: 'write it like `250ms`, `10s`, `2m`, or a number of milliseconds' };
    ms = Number(m[1]) * (DURATION_UNITS[m[2] ?? 'ms'] ?? 1);
  }
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_DURATION_MS) {
    return { ok: false, code: 'duration-invalid', message: `the duration \`${raw}\` is too long`, hint: 'durations go up to 24 days (2147483647ms)' };
  }
  return { ok: true, value: ms };
}

export function parseSize(raw: number | string): Parsed<number> {
  let bytes: number;
  if (typeof raw === 'number') bytes = raw;
  else {
    const m = /^([0-9]+)(B|KiB|MiB|GiB)$/.exec(raw);
    if (!m) return { ok: false, code: 'size-invalid', message: `\`${raw}\` is not a size`, hint: 'write it like `64KiB`, `16MiB`, or a number of bytes' };
    bytes = Number(m[1]) * (SIZE_UNITS[m[2] ?? 'B'] ?? 1);
  }
  if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > MAX_SIZE_BYTES) {
    return { ok: false, code: 'size-invalid', message: `the size \`${raw}\` is out of range`, hint: 'sizes go from 1 byte to `1GiB`' };
  }
  return { ok: true, value: bytes };
}

/** For the message when `64KB` or `2 MB` was written: the binary unit meant. */
export function sizeHint(raw: string): string | undefined {
  const m = /^\s*([0-9]+)\s*([kKmMgG])i?[bB]?\s*$/.exec(raw);
  if (!m) return undefined;
  const unit = { k: 'KiB', m: 'MiB', g: 'GiB' }[(m[2] ?? 'k').toLowerCase() as 'k' | 'm' | 'g'];
  return `did you mean \`${m[1]}${unit}\`?`;
}

/** For the message when `10 sec` or `1.5s` was written. */
export function durationHint(raw: string): string | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|msec|millis(?:econds?)?|s|secs?|seconds?|m|mins?|minutes?|h|hours?)\s*$/i.exec(raw);
  if (!m) return undefined;
  const unit = (m[2] ?? '').toLowerCase();
  const factor = unit.startsWith('ms') || unit.startsWith('mil') ? 1 : unit.startsWith('s') ? 1000 : unit.startsWith('m') ? 60_000 : 3_600_000;
  const ms = Number(m[1]) * factor;
  if (!Number.isInteger(ms)) return undefined;
  return `did you mean \`${formatMs(ms)}\`?`;
}

function formatMs(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export const REGEX_FLAGS = 'imsu';

/** `/body/flags` split apart, or undefined when the string is not regex-shaped. */
export function splitRegexLiteral(text: string): { readonly body: string; readonly flags: string } | undefined {
  const m = /^\/([\s\S]*)\/([A-Za-z]*)$/.exec(text);
  if (!m) return undefined;
  return { body: m[1] ?? '', flags: m[2] ?? '' };
}

/** Flags must be from `imsu`, each at most once. */
export function checkRegexFlags(flags: string): Parsed<string> {
  for (const [i, f] of [...flags].entries()) {
    if (!REGEX_FLAGS.includes(f)) {
      return { ok: false, code: 'regex-flags', message: `unknown regex flag \`${f}\``, hint: 'flags are `i`, `m`, `s` and `u`; to match the text literally, start it with a backslash' };
    }
    if (flags.indexOf(f) !== i) return { ok: false, code: 'regex-flags', message: `the regex flag \`${f}\` is given twice` };
  }
  return { ok: true, value: flags };
}

/**
 * Does the regex compile? `probe` is the regex source with every `${…}` already replaced by
 * a literal (its value is inserted escaped at run time, so any literal stands for it).
 */
export function checkRegexCompiles(probe: string, flags: string): Parsed<RegExp> {
  try {
    return { ok: true, value: new RegExp(probe, flags) };
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    // V8: "Invalid regular expression: /(/: Unterminated group" → "unterminated group"
    const reason = text.replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, '').replace(/^Invalid regular expression: /, '');
    return { ok: false, code: 'regex-invalid', message: `the regex does not compile: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}` };
  }
}

/** `250`, `2xx`, `55X`: a reply code pattern (format §5), normalised to lower-case `x`; as the schema's `codePattern`. */
export function codePattern(text: string): string | undefined {
  return /^[1-5xX][0-9xX]{2}$/.test(text) ? text.toLowerCase() : undefined;
}
