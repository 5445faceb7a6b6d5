/**
 * How large `limits` may be. A line is decoded into one string for matching, and a reply's
 * lines are joined into one, so neither may exceed the longest string Node holds
 * (`buffer.constants.MAX_STRING_LENGTH`: 512 MiB less 24 bytes on 64-bit Node 20).
 * Failures keep a bounded piece of what came, whatever the limits.
 */
import { constants } from 'node:buffer';
import type { Limits } from '../kernel/model.js';
import { formatBytes } from './format.js';
import { TransportError } from './types.js';

export const MAX_LIMIT_BYTES = constants.MAX_STRING_LENGTH;

/** Bytes of a failed read kept for the message and the transcript (the engine keeps as much). */
export const PARTIAL_BYTES = 16 * 1024;

const MIB = 1024 * 1024;

/** Each limit as a spec names it. */
const KEYS: readonly (readonly [keyof Limits, string])[] = [
  ['lineBytes', 'limits.line'],
  ['replyBytes', 'limits.reply'],
];

/** A `limit` error naming the first limit Node cannot hold, or undefined when all fit. */
export function limitsError(limits: Limits): TransportError | undefined {
  for (const [key, name] of KEYS) {
    const value = limits[key];
    if (value > MAX_LIMIT_BYTES) {
      const most = `${Math.floor(MAX_LIMIT_BYTES / MIB)}MiB`;
      return new TransportError(
        'limit',
        `${name} of ${formatBytes(value)} is more than Node can hold as one string (${formatBytes(MAX_LIMIT_BYTES)}): set it to ${most} or less`,
      );
    }
  }
  return undefined;
}

/**
 * What holding one line of a reply costs beyond its bytes (its string's header and its slot in
 * the reply's lines), charged against `limits.reply` with each line: a reply of a million
 * 5-byte lines costs far more than 5 MB to hold, and the limit is there to bound that.
 */
export const LINE_OVERHEAD_BYTES = 32;

const LF = 0x0a;

/** What `bytes` read as a block (an IMAP literal) cost against `limits.reply`: each LF in them ends a line. */
export function blockCost(bytes: Buffer): number {
  let lines = 0;
  for (let lf = bytes.indexOf(LF); lf !== -1; lf = bytes.indexOf(LF, lf + 1)) lines++;
  return bytes.length + lines * LINE_OVERHEAD_BYTES;
}
