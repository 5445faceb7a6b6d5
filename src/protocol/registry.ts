/**
 * The protocols convospec knows, by name (format §2, §4). The loader checks matchers
 * against this metadata; the engine creates one session per connection from it.
 */
import type { ProtocolName } from '../kernel/model.js';
import type { ProtocolDef } from './types.js';
import { imap } from './imap.js';
import { line } from './line.js';
import { lmtp } from './lmtp.js';
import { managesieve } from './managesieve.js';
import { pop3 } from './pop3.js';
import { smtp } from './smtp.js';

export const PROTOCOLS: Readonly<Record<ProtocolName, ProtocolDef>> = Object.freeze({ smtp, lmtp, imap, pop3, managesieve, line });

/** The protocol a literal well-known port implies (format §2), or undefined. */
export function protocolForPort(port: number): ProtocolName | undefined {
  return Object.values(PROTOCOLS).find((def) => def.wellKnownPorts.includes(port))?.name;
}
