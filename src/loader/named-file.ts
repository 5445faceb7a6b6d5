/**
 * Files a spec names (`data: {file}`, TLS `ca`, `cert`, `key`) are checked when the spec
 * loads, so a missing one is an error at its line, not a failure after DATA was sent. A
 * path is checked when its value is known then: written literally, or (for `run`) made of
 * `${env.…}` alone, each set or defaulted. A path that needs a variable is checked when
 * the step runs.
 */
import { resolve } from 'node:path';
import type { Template } from '../template/types.js';
import type { FileKind, FileProblem } from './bounded-file.js';
import type { YNode } from './nodes.js';
import type { Sink } from './sink.js';
import type { Templates } from './templates.js';

export interface NamedFiles {
  /** Why the file at this absolute path cannot be read as `kind`, or undefined. */
  fileProblem(path: string, kind: FileKind): FileProblem | undefined;
}

/** `what`: the file as the engine names it at run time (`data file`, `TLS ca file`). */
export function checkNamedFile(node: YNode, t: Template, kind: FileKind, what: string, templates: Templates, files: NamedFiles, sink: Sink): void {
  const text = templates.knownText(t);
  // Empty is no file (`ca: "${env.MAIL_CA:-}"`: the system's CAs alone).
  if (text === undefined || text === '') return;
  const problem = files.fileProblem(resolve(node.src.baseDir, text), kind);
  if (problem === undefined) return;
  sink.error(problem.code, node.span(), `cannot read the ${what} \`${text}\`: ${problem.message}`, 'a relative path is resolved against the folder of the file it is written in');
}
