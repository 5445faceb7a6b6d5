/**
 * SMTP and LMTP (RFC 5321, RFC 2033): a reply is `ddd-text` lines up to a `ddd text` line
 * (RFC 5321 §4.2); after DATA and its 354 the client's lines up to `.` are the message
 * (§4.1.1.4); LMTP answers the end of DATA once per accepted recipient (RFC 2033 §4.2).
 */
import { quoteLine, verbOf, type ConversationOut, type Dialect, type DialectDef, type PreludeStep, type SynthMatcher, type CredentialShapes } from '../dialect.js';

const REPLY_LINE = /^(\d{3})([ -]|$)/;

function codeOf(line: string | undefined): number {
  return Number(REPLY_LINE.exec(line ?? '')?.[1] ?? 0);
}

function createSmtp(out: ConversationOut, lmtp: boolean): Dialect {
  let greeted = false;
  /** Verbs sent and not yet answered, oldest first (pipelining, RFC 2920). */
  const pending: string[] = [];
  let reply: string[] = [];
  let replyLine = 0;
  let body: string[] | undefined;
  let bodyLine = 0;
  /** Recipients accepted in the current transaction: LMTP's number of replies after DATA. */
  let recipients = 0;

  const complete = (): void => {
    const lines = reply;
    reply = [];
    out.reply(lines, replyLine);
    if (!greeted && pending.length === 0) {
      greeted = true;
      return;
    }
    greeted = true;
    const verb = pending.shift();
    const code = codeOf(lines[0]);
    if (verb === 'STARTTLS' && code >= 200 && code < 300) out.upgrade(replyLine);
    else if (verb === 'DATA' && code === 354) body = [];
    else if (verb === 'MAIL') recipients = 0;
    else if (verb === 'RCPT' && code >= 200 && code < 300) recipients += 1;
  };

  const endBody = (line: number): void => {
    if (!body) return;
    out.data(body, bodyLine || line);
    body = undefined;
    const replies = lmtp ? Math.max(1, recipients) : 1;
    for (let i = 0; i < replies; i += 1) pending.push('.');
  };

  return {
    guess(text) {
      if (body) return 'client';
      return reply.length > 0 || REPLY_LINE.test(text) ? 'server' : 'client';
    },
    blank() {
      return body ? 'client' : undefined;
    },
    client(text, line) {
      if (body) {
        if (bodyLine === 0) bodyLine = line;
        if (text === '.') endBody(line);
        else body.push(text);
        return;
      }
      if (reply.length > 0) {
        out.warn(replyLine, 'this reply has no last line (one with a space after the code, RFC 5321 §4.2)');
        complete();
      }
      if (!greeted && pending.length === 0) {
        out.expect(GREETING, line, 'the transcript starts after the greeting');
        greeted = true;
      }
      out.send(text, line);
      pending.push(verbOf(text));
    },
    server(text, line) {
      if (body) {
        out.warn(bodyLine || line, 'the DATA body has no final "." line; it ends here');
        endBody(line);
      }
      if (reply.length === 0) replyLine = line;
      reply.push(text);
      const m = REPLY_LINE.exec(text);
      if (m?.[2] === '-') return;
      if (!m) out.warn(line, `not an SMTP reply line (RFC 5321 §4.2): ${quoteLine(text)}`);
      complete();
    },
    skipGreeting() {
      greeted = true;
    },
    end(line) {
      if (body) {
        out.warn(bodyLine || line, 'the DATA body has no final "." line');
        endBody(line);
      }
      if (reply.length > 0) {
        out.warn(replyLine, 'this reply has no last line (one with a space after the code, RFC 5321 §4.2)');
        complete();
      }
    },
  };
}

/** `openssl s_client -starttls smtp` says EHLO, checks for STARTTLS, and starts TLS. */
function starttlsPrelude(hello: string): (line: number) => PreludeStep[] {
  return (line) => [
    { kind: 'send', text: `${hello} openssl.client.net`, line },
    { kind: 'expect', matcher: { kind: 'code', code: 250, contains: ['STARTTLS'] }, line },
    { kind: 'send', text: 'STARTTLS', line },
    { kind: 'expect', matcher: { kind: 'code', code: 220 }, line },
    { kind: 'tls', line },
  ];
}

const GREETING: SynthMatcher = { kind: 'code', code: 220 };

/** SMTP's dialect, or LMTP's (`LHLO`, one reply per recipient after DATA). */
export function smtpDialect(hello: 'EHLO' | 'LHLO', lmtp: boolean): DialectDef {
  return {
    create: (out) => createSmtp(out, lmtp),
    greeting: GREETING,
    starttls: starttlsPrelude(hello),
  };
}

export const SMTP_SERVER_SHAPES: readonly RegExp[] = [/^\d{3}(?:[ -]|$)/];

/** RFC 4954: `AUTH mech [ir]`, continuations `334 text`. */
export const SMTP_CREDENTIALS: CredentialShapes = {
  continuation: /^334(?: (.*))?$/,
  challenge: '^334 (\\S+)$',
  authCommand: /^(AUTH)\s+(\S+)(?:\s+(\S+))?\s*$/i,
};
