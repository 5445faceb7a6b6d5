/**
 * IMAP (RFC 9051; RFC 3501 alike): a reply is the lines up to the tagged completion of a
 * pending command, or up to a continuation request `+` (§2.2.2, §7.5). Literals `{n}` are
 * counted in bytes, so a tag inside one never ends a reply (§4.3). After a `+`, the
 * client's lines continue that command (SASL responses, APPEND's literal, IDLE's DONE)
 * until its completion; while a `+` is pending a single untagged line is a reply of its
 * own, as in IDLE (format §4).
 */
import type { ConversationOut, Dialect, DialectDef, PreludeStep } from '../dialect.js';

const TAGGED = /^(\S+) (OK|NO|BAD|BYE|PREAUTH)(?: |$)/i;
const CONTINUATION = /^\+(?: |$)/;
const LITERAL = /\{(\d+)(\+?)\}$/;

/** Bytes a transcript line stood for on the wire: its UTF-8 text and CRLF. */
function wireBytes(text: string): number {
  return Buffer.byteLength(text, 'utf8') + 2;
}

function createImap(out: ConversationOut): Dialect {
  let greeted = false;
  /** tag → command name, for commands sent and not yet completed. */
  const pending = new Map<string, string>();
  let lastTag: string | undefined;
  let reply: string[] = [];
  let replyLine = 0;
  let serverLiteral = 0;
  let clientLiteral = 0;
  /** Tag of the command a `+` was read for, until its completion. */
  let continued: string | undefined;

  const emit = (): void => {
    out.reply(reply, replyLine);
    reply = [];
    greeted = true;
  };

  /** A line that holds the rest of a literal: true if it was all literal. */
  const inLiteral = (text: string): boolean => {
    serverLiteral -= wireBytes(text);
    if (serverLiteral >= 0) return true;
    serverLiteral = 0;
    return false;
  };

  return {
    guess(text) {
      if (serverLiteral > 0) return 'server';
      if (clientLiteral > 0) return 'client';
      // A tagged completion is the server's even for a tag the log did not show being sent
      // (openssl s_client -starttls prints the end of its own `. CAPABILITY`).
      return text.startsWith('* ') || CONTINUATION.test(text) || TAGGED.test(text) ? 'server' : 'client';
    },
    blank() {
      if (serverLiteral > 0) return 'server';
      if (clientLiteral > 0 || continued !== undefined) return 'client';
      return undefined;
    },
    client(text, line) {
      if (clientLiteral > 0) {
        clientLiteral = Math.max(0, clientLiteral - wireBytes(text));
        out.send(text, line);
        return;
      }
      if (continued !== undefined) {
        out.send(text, line);
        return;
      }
      if (!greeted && pending.size === 0 && reply.length === 0) {
        out.expect(IMAP.greeting, line, 'the transcript starts after the greeting');
        greeted = true;
      }
      const [tag = '', command = ''] = text.trim().split(/\s+/);
      if (command === '') out.warn(line, `"${tag}" has no tag: an IMAP command starts with one (RFC 9051 §2.2.1); sent as written`);
      pending.set(tag, command.toUpperCase());
      lastTag = tag;
      out.send(text, line);
      const literal = LITERAL.exec(text);
      // A non-synchronising literal {n+} follows at once (RFC 7888); {n} waits for a `+`.
      if (literal?.[2] === '+') clientLiteral = Number(literal[1]);
    },
    server(text, line) {
      if (reply.length === 0) replyLine = line;
      if (serverLiteral > 0) {
        reply.push(text);
        if (inLiteral(text)) return;
      } else {
        reply.push(text);
      }
      const literal = LITERAL.exec(text);
      if (literal) {
        serverLiteral = Number(literal[1]);
        return;
      }
      if (!greeted && pending.size === 0) {
        emit();
        return;
      }
      if (CONTINUATION.test(text)) {
        continued = lastTag;
        emit();
        return;
      }
      const tagged = TAGGED.exec(text);
      const tag = tagged?.[1] ?? '';
      if (tagged && pending.has(tag)) {
        const command = pending.get(tag);
        pending.delete(tag);
        if (continued === tag) continued = undefined;
        emit();
        if (command === 'STARTTLS' && tagged[2]?.toUpperCase() === 'OK') out.upgrade(replyLine);
        return;
      }
      if (continued !== undefined && text.startsWith('* ')) emit();
      // Otherwise untagged data: it belongs to the reply that the next completion ends,
      // even if the client sends more commands first (the runtime reads it that way too).
    },
    skipGreeting() {
      greeted = true;
    },
    end() {
      if (reply.length > 0) {
        out.warn(replyLine, 'the transcript ends before this reply\'s tagged completion');
        emit();
      }
    },
  };
}

export const IMAP: DialectDef = {
  create: createImap,
  greeting: { kind: 'regex', source: '^\\* (?:OK|PREAUTH) ' },
  // `openssl s_client -starttls imap` asks for CAPABILITY first, with the tag ".": a server
  // may answer differently after it (Dovecot sends `* CAPABILITY` after LOGIN, not a code).
  starttls: (line): PreludeStep[] => [
    { kind: 'send', text: '. CAPABILITY', line },
    { kind: 'expect', matcher: { kind: 'status', status: 'OK', contains: ['STARTTLS'] }, line },
    { kind: 'send', text: '. STARTTLS', line },
    { kind: 'expect', matcher: { kind: 'status', status: 'OK' }, line },
    { kind: 'tls', line },
  ],
};
