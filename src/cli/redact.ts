import { Redactor } from '../template/index.js';

/** Secrets written literally in specs (`vars: { pass: x }` + `secrets: [pass]`) must not show in code frames. */
export function literalRedactor(secrets: readonly string[]): (text: string) => string {
  const redactor = new Redactor();
  for (const s of secrets) redactor.add(s);
  return (text) => redactor.redact(text);
}
