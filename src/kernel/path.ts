/** Paths as every message and report shows them. */
import { isAbsolute, relative, sep } from 'node:path';

/**
 * An absolute `file` relative to `cwd` (`specs/a.yaml`, `../b.yaml`), with `/` separators:
 * what a CI UI links to. A relative `file` is a display path already and stays as it is; an
 * absolute one with no relative form (another drive) too.
 */
export function displayPath(file: string, cwd: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  const shown = rel === '' || isAbsolute(rel) ? file : rel;
  return sep === '/' ? shown : shown.split(sep).join('/');
}
