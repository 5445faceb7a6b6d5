/**
 * What `convospec serve` sends for a bare reply code (`s: 250`): the code and a short
 * standard text, as RFC 5321 §4.2.2 and §4.2.3 list them (RFC 4954 §6 for AUTH, RFC 3207 §4
 * for STARTTLS). A code without one is sent with `OK` for 2xx and 3xx, `failed` otherwise.
 */
const TEXTS: Readonly<Record<number, string>> = {
  211: 'System status',
  214: 'Help message follows',
  220: 'localhost Service ready',
  221: 'localhost Service closing transmission channel',
  235: '2.7.0 Authentication successful',
  250: 'OK',
  251: 'User not local; will forward',
  252: 'Cannot VRFY user, but will accept message and attempt delivery',
  334: '',
  354: 'Start mail input; end with <CRLF>.<CRLF>',
  421: 'localhost Service not available, closing transmission channel',
  432: '4.7.12 A password transition is needed',
  450: 'Requested mail action not taken: mailbox unavailable',
  451: 'Requested action aborted: local error in processing',
  452: 'Requested action not taken: insufficient system storage',
  454: 'TLS not available due to temporary reason',
  455: 'Server unable to accommodate parameters',
  500: 'Syntax error, command unrecognized',
  501: 'Syntax error in parameters or arguments',
  502: 'Command not implemented',
  503: 'Bad sequence of commands',
  504: 'Command parameter not implemented',
  530: '5.7.0 Authentication required',
  534: '5.7.9 Authentication mechanism is too weak',
  535: '5.7.8 Authentication credentials invalid',
  538: '5.7.11 Encryption required for requested authentication mechanism',
  550: 'Requested action not taken: mailbox unavailable',
  551: 'User not local',
  552: 'Requested mail action aborted: exceeded storage allocation',
  553: 'Requested action not taken: mailbox name not allowed',
  554: 'Transaction failed',
  555: 'MAIL FROM/RCPT TO parameters not recognized or not implemented',
};

/** The one line a bare code is sent as (`334` alone: an empty challenge, RFC 4954 §4). */
export function smtpCodeLine(code: number): string {
  const text = TEXTS[code] ?? (code < 400 ? 'OK' : 'failed');
  return text === '' ? `${code} ` : `${code} ${text}`;
}

/**
 * RFC 5321 §2.4: verbs and argument keywords (`FROM:`, `TO:`) are case-insensitive, so a
 * client's `mail FROM:<a@b>` is the spec's `MAIL FROM:<a@b>`. Only a known verb counts: a
 * SASL response (base64) is compared as it is.
 */
export function smtpCommandKey(line: string): string {
  const found = /^([A-Za-z]+)(?=\s|$)(\s+(?:FROM|TO):)?/i.exec(line);
  if (!found || !SMTP_VERBS.has(found[1]!.toUpperCase())) return line;
  return found[0].toUpperCase() + line.slice(found[0].length);
}

const SMTP_VERBS = new Set(['HELO', 'EHLO', 'LHLO', 'MAIL', 'RCPT', 'DATA', 'BDAT', 'RSET', 'VRFY', 'EXPN', 'HELP', 'NOOP', 'QUIT', 'STARTTLS', 'AUTH']);
