/**
 * ManageSieve transcripts (RFC 5804), read by the protocol's own framer: a reply is the
 * lines up to a status line `OK`/`NO`/`BYE`, literals `{n}` counted in bytes; a lone string
 * after AUTHENTICATE is a challenge, answered by the client's next line.
 */
import type { PreludeStep } from '../dialect.js';
import { framedDialect } from '../framed-dialect.js';
import { createManageSieveSession } from './framer.js';

/** A status line, a string (capabilities, challenges) or a literal: the server's. */
const SERVER_LINE = /^(?:(?:OK|NO|BYE)(?:\s|$)|"|\{\d+\+?\}$)/i;

export const MANAGESIEVE = framedDialect({
  createSession: () => createManageSieveSession(),
  greeting: { kind: 'status', status: 'OK' },
  guess: (text) => (SERVER_LINE.test(text) ? 'server' : 'client'),
  starttlsVerb: 'STARTTLS',
  accepted: 'OK',
  greetingLine: 'OK',
  // `openssl s_client -starttls sieve` reads the capabilities, sends STARTTLS and reads OK;
  // the capabilities the server sends again after the handshake (RFC 5804 §2.2) come before
  // anything typed, and are read here.
  starttls: (line): PreludeStep[] => [
    { kind: 'send', text: 'STARTTLS', line },
    { kind: 'expect', matcher: { kind: 'status', status: 'OK' }, line },
    { kind: 'tls', line },
    { kind: 'expect', matcher: { kind: 'status', status: 'OK' }, line },
  ],
});
