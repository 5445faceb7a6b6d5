/**
 * `convospec import --from imaptest`: imaptest scripted tests become specs, one per script.
 * Pure: the scripts' text in, each spec's YAML or the constructs it cannot express out.
 */
import { readMbox } from './mbox.js';
import { parseScript, type Problem } from './script.js';
import { buildSpec } from './spec.js';

export interface ScriptSource {
  /** The script's file name without folder (the spec is named after it). */
  readonly name: string;
  /** Its bytes (a literal may hold any), or its text. */
  readonly text: Buffer | string;
  /** The script's `.mbox`, else `default.mbox` beside it, if there is one. */
  readonly mbox: string | undefined;
}

export interface ImaptestOptions {
  /** The environment `!ifenv` reads. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The server's capabilities (`--capabilities`): a script needing another is written skipped. */
  readonly capabilities?: readonly string[];
}

export interface ScriptResult {
  readonly name: string;
  /** undefined when the script uses a construct that cannot be expressed. */
  readonly yaml: string | undefined;
  /** Not expressible (when yaml is undefined), by script line. */
  readonly problems: readonly Problem[];
  /** Decisions written into the spec as comments, by script line. */
  readonly notes: readonly Problem[];
}

export type { Problem };

export function importImaptest(source: ScriptSource, options: ImaptestOptions): ScriptResult {
  const script = parseScript(typeof source.text === 'string' ? Buffer.from(source.text, 'utf8') : source.text, options.env);
  const mbox = source.mbox === undefined ? undefined : readMbox(source.mbox);
  const { yaml, problems, notes } = buildSpec({ name: source.name, script, mbox, ...(options.capabilities ? { serverCapabilities: options.capabilities } : {}) });
  return { name: source.name, yaml, problems, notes: notes ?? script.notes };
}

/** In a folder, a script is a file with no extension whose name is not all capitals (README, AUTHORS, COPYING). */
export function isScriptName(name: string): boolean {
  return !name.includes('.') && !/^[A-Z0-9_-]+$/.test(name);
}
