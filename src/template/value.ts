import type { Value } from './types.js';

export function literalValue(text: string, secret = false): Value {
  return { text, secret };
}

/** A value computed from `inputs`: secret when any input is (format §7). */
export function derivedValue(text: string, inputs: readonly Value[]): Value {
  return { text, secret: inputs.some((v) => v.secret) };
}
