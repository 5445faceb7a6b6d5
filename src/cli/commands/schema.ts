import { fileURLToPath } from 'node:url';
import { EXIT, type Io } from '../io.js';

/** Where the schema ships: `schemas/` beside `dist/` in the package. */
export const SCHEMA_PATH = fileURLToPath(new URL('../../../schemas/convospec.schema.json', import.meta.url));

export function schemaCommand(io: Io): number {
  io.stdout.write(`${SCHEMA_PATH}\n`);
  return EXIT.ok;
}
