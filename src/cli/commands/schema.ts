import { schemaPath } from '../../loader/schema.js';
import { EXIT, type Io } from '../io.js';

/**
 * Prints where the schema ships (`schemas/` at the package root), found the way the loader
 * finds it: upward from the running module, so the bundle in dist/ and the sources agree.
 */
export function schemaCommand(io: Io): number {
  io.stdout.write(`${schemaPath()}\n`);
  return EXIT.ok;
}
