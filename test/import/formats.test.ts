/**
 * The three input formats, their detection, and the shell commands that say where a
 * transcript connected.
 */
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/import/command.js';
import { detectFormat } from '../../src/import/detect.js';
import { importTranscript } from '../../src/import/index.js';
import { importValid, steps } from './helpers.js';

const lines = (...text: string[]): string => text.join('\n');

describe('format detection', () => {
  it('tells swaks, prefixed and telnet logs apart', () => {
    expect(detectFormat(['=== Trying x:25...', '<-  220 hi', ' -> QUIT', '<-  221 bye'])).toBe('swaks');
    expect(detectFormat(['C: a1 NOOP', 'S: a1 OK'])).toBe('prefixed');
    expect(detectFormat(['c:EHLO x', 's:250 ok'])).toBe('prefixed');
    expect(detectFormat(['220 hi', '> QUIT', '221 bye'])).toBe('telnet');
    expect(detectFormat(['220 hi', 'C: QUIT', '221 bye'])).toBe('telnet');
  });
});

describe('prefixed transcripts', () => {
  it('accepts any case, with or without a space, and reads chatter in s: lines', async () => {
    const r = await importValid(lines('c: telnet mx.test 2525', 'S:Trying 192.0.2.1...', 's: 220 hi', 'C:QUIT', 'S: 221 bye', 's: Connection closed by foreign host.'));
    expect(r.doc.connect?.port).toBe(2525);
    expect(steps(r.doc)).toEqual([{ s: '220 hi' }, { c: 'QUIT' }, { s: '221 bye' }, { s: { closed: true } }]);
  });
});

describe('swaks logs', () => {
  it('reads error markers, and the switch to ~> as TLS when the info line is missing', async () => {
    const r = await importValid(
      lines(
        '<-  220 hi',
        ' -> STARTTLS',
        '<-  220 go',
        ' ~> EHLO me',
        '<~  250 hi',
        ' ~> AUTH LOGIN',
        '<~* 535 5.7.8 no',
        '*** No authentication type succeeded',
        ' ~> QUIT',
        '<~  221 bye',
        '*** Remote host closed connection unexpectedly.',
      ),
    );
    expect(steps(r.doc).map((s) => Object.keys(s)[0])).toEqual(['s', 'c', 's', 'tls', 'c', 's', 'c', 's', 'c', 's', 's']);
    expect(steps(r.doc)[7]).toEqual({ s: '535 5.7.8 no' });
    expect(r.warnings.map((w) => w.message)).toContain('swaks reported: No authentication type succeeded');
  });

  it('swaks --tls-on-connect: TLS at connect', async () => {
    const r = await importValid(lines('$ swaks --server mx.test --port 465 --tlsc', '=== TLS started with cipher TLSv1.3', '<~  220 hi', ' ~> QUIT', '<~  221 bye'));
    expect(r.doc.connect).toEqual({ host: '${env.MAIL_HOST:-127.0.0.1}', port: 465, protocol: 'smtp', tls: true });
  });
});

describe('telnet logs', () => {
  it('client lines marked with "C: " work like "> "', async () => {
    const r = await importValid(lines('Connected to x.', '220 hi', 'C: QUIT', '221 bye', 'Connection closed by foreign host.'));
    expect(steps(r.doc)).toEqual([{ s: '220 hi' }, { c: 'QUIT' }, { s: '221 bye' }, { s: { closed: true } }]);
  });

  it('telnet\'s own quit closes from the client side', async () => {
    const r = await importValid(lines('$ telnet mx.test 25', '220 hi', '> NOOP', '250 ok', '^]', 'telnet> quit', 'Connection closed.'));
    expect(steps(r.doc).slice(-1)).toEqual([{ close: true }]);
  });

  it('unmarked IMAP and POP3 logs are split by the protocol\'s shape', async () => {
    const imap = await importValid(lines('$ telnet imap.test 143', '* OK hi', 'a1 CAPABILITY', '* CAPABILITY IMAP4rev1', 'a1 OK done'));
    expect(steps(imap.doc)).toEqual([{ s: '* OK hi' }, { c: 'a1 CAPABILITY' }, { s: ['* CAPABILITY IMAP4rev1', 'a1 OK done'] }]);
    const pop3 = await importValid(lines('$ telnet pop.test 110', '+OK hi', 'RETR 1', '+OK 3 octets', 'Subject: x', '', 'body', '.', 'QUIT', '+OK bye'));
    expect(steps(pop3.doc)).toEqual([
      { s: '+OK hi' },
      { c: 'RETR 1' },
      { s: { lines: ['/^\\+OK \\d+ octets$/', 'Subject: x', '', 'body'], serve: ['+OK 3 octets', 'Subject: x', '', 'body'] } },
      { c: 'QUIT' },
      { s: '+OK bye' },
    ]);
  });

  it('prose after the connection closed is skipped, even when it looks like replies', () => {
    const r = importTranscript(lines('$ telnet mx.test 25', '220 hi', 'QUIT', '221 bye', 'Connection closed by foreign host.', 'Common codes:', '421 Too many connections', '554 Too many hops'));
    expect(r.yaml).not.toContain('421');
    expect(r.warnings.map((w) => [w.line, w.message])).toContainEqual([6, 'skipped 3 lines (6–8) that are not part of the conversation, from "Common codes:"']);
  });

  it('openssl s_client: its report is not conversation; RENEGOTIATING is explained', () => {
    const r = importTranscript(
      lines('$ openssl s_client -connect mx.test:465', 'CONNECTED(00000003)', 'depth=0 CN = mx', '---', 'SSL handshake has read 1 bytes', '---', '220 hi', 'RCPT TO:<a@b>', 'RENEGOTIATING', 'read R BLOCK', 'QUIT', 'DONE'),
    );
    expect(r.yaml).not.toMatch(/CONNECTED|depth|R BLOCK|DONE/);
    expect(r.warnings.some((w) => w.line === 9 && /renegotiation/.test(w.message))).toBe(true);
  });
});

describe('shell commands', () => {
  it('reads host, port and TLS from telnet, nc, openssl and swaks', () => {
    expect(parseCommand('$ telnet $REMOTE_SRV 587')).toEqual({ tool: 'telnet', host: '$REMOTE_SRV', port: 587 });
    expect(parseCommand('user@box:~$ telnet -l me mail.test smtp')).toEqual({ tool: 'telnet', host: 'mail.test', port: 25 });
    expect(parseCommand('nc -C -w 5 mail.test 25')).toEqual({ tool: 'nc', host: 'mail.test', port: 25 });
    expect(parseCommand('ncat --ssl mail.test 465')).toEqual({ tool: 'ncat', host: 'mail.test', port: 465, tls: true });
    expect(parseCommand('$ openssl s_client -debug -crlf -connect [::1]:993')).toEqual({ tool: 'openssl', host: '::1', port: 993, tls: true });
    expect(parseCommand('openssl s_client -starttls imap -connect h.test:143')).toEqual({
      tool: 'openssl',
      host: 'h.test',
      port: 143,
      starttls: 'imap',
      protocol: 'imap',
    });
    expect(parseCommand('swaks --to a@b.test -s mx.test:2525 --auth')).toEqual({ tool: 'swaks', protocol: 'smtp', host: 'mx.test', port: 2525 });
  });

  it('does not take prose for a command', () => {
    expect(parseCommand('telnet start')).toBeUndefined();
    expect(parseCommand('openssl is a toolkit')).toBeUndefined();
    expect(parseCommand('$ telnet start')).toEqual({ tool: 'telnet', host: 'start' });
  });
});
