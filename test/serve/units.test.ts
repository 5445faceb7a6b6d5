/** The pure parts of serve: client-line regexes, command keys, code lines, message headers. */
import { describe, expect, it } from 'vitest';
import { lineRegex } from '../../src/kernel/client-line.js';
import type { Template } from '../../src/kernel/template.js';
import { parseTemplate } from '../../src/template/index.js';
import { smtpCodeLine, smtpCommandKey } from '../../src/protocol/smtp/serve.js';
import { PROTOCOLS } from '../../src/protocol/registry.js';
import { parseHeaders } from '../../src/serve/body.js';

const span = { file: 't.yaml', line: 1, col: 1, endLine: 1, endCol: 1 };
function template(source: string): Template {
  const parsed = parseTemplate(source, span as never);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.template;
}

describe('lineRegex', () => {
  it('reads /pattern/flags and the names of its groups', () => {
    const r = lineRegex(template('/^MAIL FROM:<(?<from>[^>]*)> (?<rest>.*)$/i'))!;
    expect(r.source.source).toBe('^MAIL FROM:<(?<from>[^>]*)> (?<rest>.*)$');
    expect(r.flags).toBe('i');
    expect(r.names).toEqual(['from', 'rest']);
  });

  it('keeps templates inside the pattern', () => {
    const r = lineRegex(template('/^RCPT TO:<${user}@/'))!;
    expect(r.source.parts.map((p) => p.kind)).toEqual(['text', 'expr', 'text']);
    expect(r.names).toEqual([]);
  });

  it('is undefined for a line matched exactly', () => {
    for (const line of ['QUIT', '/', 'a/b/', '/etc/passwd x', '${x}/a/']) expect(lineRegex(template(line)), line).toBeUndefined();
  });
});

describe('command keys: the keyword in any case, the rest as sent', () => {
  it('smtp: verbs and FROM:/TO:, never a SASL response', () => {
    expect(smtpCommandKey('mail FROM:<a@B>')).toBe(smtpCommandKey('MAIL from:<a@B>'));
    expect(smtpCommandKey('mail FROM:<a@b>')).not.toBe(smtpCommandKey('MAIL FROM:<a@B>'));
    expect(smtpCommandKey('ehlo x')).toBe('EHLO x');
    expect(smtpCommandKey('dGVzdA==')).toBe('dGVzdA==');
    expect(smtpCommandKey('quit')).toBe('QUIT');
  });

  it('pop3 and imap', () => {
    const pop3 = PROTOCOLS.pop3.serve!.commandKey!;
    expect(pop3('retr 1')).toBe('RETR 1');
    expect(pop3('YWxpY2U=')).toBe('YWxpY2U=');
    const imap = PROTOCOLS.imap.serve!.commandKey!;
    expect(imap('select INBOX')).toBe('SELECT INBOX');
  });
});

describe('smtpCodeLine', () => {
  it('sends the standard short text of RFC 5321 §4.2.2, or a generic one', () => {
    expect(smtpCodeLine(250)).toBe('250 OK');
    expect(smtpCodeLine(354)).toBe('354 Start mail input; end with <CRLF>.<CRLF>');
    expect(smtpCodeLine(334)).toBe('334 ');
    expect(smtpCodeLine(299)).toBe('299 OK');
    expect(smtpCodeLine(599)).toBe('599 failed');
  });
});

describe('parseHeaders', () => {
  it('reads the header section, names in any case, folded lines unfolded', () => {
    const h = parseHeaders('Subject: Hello\nX-Long: one\n two\nsubject: again\n\nBody: not a header');
    expect(h.get('subject')).toEqual(['Hello', 'again']);
    expect(h.get('x-long')).toEqual(['one two']);
    expect(h.has('body')).toBe(false);
  });
});
