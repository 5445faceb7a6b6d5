/**
 * The protocols convospec knows, by name (format §2, §4): one line each, the only list.
 * Each folder beside this file holds every fact about its protocol in one `ProtocolDef`.
 * The loader checks specs against them, the engine creates one session per connection,
 * the matchers, the schema's enum, the CLI and the importer read them.
 */
import type { ProtocolDef } from './types.js';
import { imap } from './imap/index.js';
import { line } from './line/index.js';
import { lmtp } from './lmtp/index.js';
import { managesieve } from './managesieve/index.js';
import { pop3 } from './pop3/index.js';
import { smtp } from './smtp/index.js';

export const PROTOCOLS = Object.freeze({
  smtp,
  lmtp,
  imap,
  pop3,
  managesieve,
  line,
});

// The kernel imports nothing of the project: it leaves the names to this registry.
declare module '../kernel/model.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface ProtocolNames extends Record<keyof typeof PROTOCOLS, ProtocolDef> {}
}

/** The registry's names, in its order. */
export const PROTOCOL_NAMES = Object.keys(PROTOCOLS) as readonly (keyof typeof PROTOCOLS)[];

/** The protocol a literal well-known port implies (format §2), or undefined. */
export function protocolForPort(port: number): keyof typeof PROTOCOLS | undefined {
  return Object.values(PROTOCOLS).find((def) => def.wellKnownPorts.includes(port))?.name;
}
