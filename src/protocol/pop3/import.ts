/**
 * POP3 (RFC 1939): a reply is one status line (`+OK`/`-ERR`), or a SASL continuation `+`
 * (RFC 5034 §4); after `+OK` to CAPA (RFC 2449), LIST or UIDL without argument, RETR or TOP
 * the lines up to `.` belong to it, dot-unstuffed (RFC 1939 §3), the `.` itself not.
 */
import { quoteLine, verbOf, type ConversationOut, type Dialect, type DialectDef, type PreludeStep } from '../dialect.js';

const STATUS = /^(?:\+OK|-ERR)(?: |$)/;
const CONTINUATION = /^\+(?: |$)/;

/** Commands whose `+OK` opens a multi-line reply: verb → does it, given its arguments. */
const MULTILINE: Readonly<Record<string, (args: string) => boolean>> = {
  CAPA: () => true,
  LIST: (args) => args === '',
  UIDL: (args) => args === '',
  RETR: () => true,
  TOP: () => true,
};

function isMultiline(text: string): boolean {
  const verb = verbOf(text);
  const args = text.trim().slice(verb.length).trim();
  return MULTILINE[verb]?.(args) ?? false;
}

interface Pending {
  readonly verb: string;
  readonly multiline: boolean;
}

function createPop3(out: ConversationOut): Dialect {
  let greeted = false;
  const pending: Pending[] = [];
  let body: string[] | undefined;
  let bodyLine = 0;

  const endBody = (): void => {
    if (!body) return;
    out.reply(body, bodyLine);
    body = undefined;
  };

  return {
    guess(text) {
      if (body) return 'server';
      return STATUS.test(text) || CONTINUATION.test(text) ? 'server' : 'client';
    },
    blank() {
      return body ? 'server' : undefined;
    },
    client(text, line) {
      if (body) {
        out.warn(bodyLine, 'this multi-line reply has no final "." line');
        endBody();
      }
      if (!greeted && pending.length === 0) {
        out.expect(POP3.greeting, line, 'the transcript starts after the greeting');
        greeted = true;
      }
      pending.push({ verb: verbOf(text), multiline: isMultiline(text) });
      out.send(text, line);
    },
    server(text, line) {
      if (body) {
        // The terminating "." is framing; other lines starting with "." were stuffed.
        if (text === '.') endBody();
        else body.push(text.startsWith('.') ? text.slice(1) : text);
        return;
      }
      if (!greeted && pending.length === 0) {
        greeted = true;
        out.reply([text], line);
        return;
      }
      greeted = true;
      const command = pending.shift();
      if (text.startsWith('+OK') && command?.multiline) {
        body = [text];
        bodyLine = line;
        return;
      }
      if (!STATUS.test(text) && !CONTINUATION.test(text)) out.warn(line, `not a POP3 status line (RFC 1939 §3): ${quoteLine(text)}`);
      out.reply([text], line);
      if (command?.verb === 'STLS' && text.startsWith('+OK')) out.upgrade(line);
    },
    skipGreeting() {
      greeted = true;
    },
    end() {
      if (body) {
        out.warn(bodyLine, 'this multi-line reply has no final "." line');
        endBody();
      }
    },
  };
}

export const POP3: DialectDef = {
  create: createPop3,
  greeting: { kind: 'status', status: '+OK' },
  starttls: (line): PreludeStep[] => [
    { kind: 'send', text: 'STLS', line },
    { kind: 'expect', matcher: { kind: 'status', status: '+OK' }, line },
    { kind: 'tls', line },
  ],
};
