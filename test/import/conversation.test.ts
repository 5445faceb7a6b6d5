/**
 * How server lines are grouped into replies (one `s:` per reply, as the runtime frames
 * them), where TLS steps go, and how connections and protocols are told apart.
 */
import { describe, expect, it } from 'vitest';
import { importValid, steps } from './helpers.js';

const lines = (...text: string[]): string => text.join('\n');

describe('SMTP replies', () => {
  it('groups a multi-line reply and follows pipelined commands to the DATA body', async () => {
    const r = await importValid(
      lines(
        's: 220 mx ESMTP',
        'c: EHLO me',
        's: 250-mx',
        's: 250-PIPELINING',
        's: 250 SIZE 1000',
        'c: MAIL FROM:<a@b.test>',
        'c: RCPT TO:<c@d.test>',
        'c: DATA',
        's: 250 2.1.0 ok',
        's: 250 2.1.5 ok',
        's: 354 go',
        'c: Subject: x',
        'c: ',
        'c: ..dot',
        'c: .',
        's: 250 2.0.0 ok',
      ),
    );
    expect(steps(r.doc)).toEqual([
      { s: '220 mx ESMTP' },
      { c: 'EHLO me' },
      { s: ['250-mx', '250-PIPELINING', '250 SIZE 1000'] },
      { c: 'MAIL FROM:<a@b.test>' },
      { c: 'RCPT TO:<c@d.test>' },
      { c: 'DATA' },
      { s: '250 2.1.0 ok' },
      { s: '250 2.1.5 ok' },
      { s: '354 go' },
      { data: 'Subject: x\n\n.dot\n' },
      { s: '250 2.0.0 ok' },
    ]);
  });

  it('writes tls after an accepted STARTTLS only, with or without a marker in the log', async () => {
    const refused = await importValid(lines('s: 220 mx', 'c: STARTTLS', 's: 454 4.7.0 TLS not available', 'c: QUIT', 's: 221 bye'));
    expect(steps(refused.doc).some((s) => 'tls' in s)).toBe(false);
    const accepted = await importValid(lines('s: 220 mx', 'c: STARTTLS', 's: 220 2.0.0 go ahead', 'c: EHLO me', 's: 250 mx'));
    expect(steps(accepted.doc).slice(2, 4)).toEqual([{ s: '220 2.0.0 go ahead' }, { tls: {} }]);
    const marked = await importValid(lines('s: 220 mx', 'c: STARTTLS', 's: 220 go', '<TLS negotiation>', 'c: EHLO me', 's: 250 mx'));
    expect(steps(marked.doc).filter((s) => 'tls' in s)).toHaveLength(1);
  });

  it('a bare code reads as the code, so a dropped trailing space does not matter', async () => {
    const r = await importValid(lines('s: 220 mx', 'c: AUTH PLAIN', 's: 334', 'c: *', 's: 501 cancelled'));
    expect(steps(r.doc)[2]).toEqual({ s: 334 });
  });

  it('LMTP: LHLO makes it lmtp, and DATA is answered once per accepted recipient', async () => {
    const r = await importValid(
      lines(
        's: 220 lmtp ready',
        'c: LHLO me',
        's: 250 lmtp',
        'c: MAIL FROM:<a@b.test>',
        's: 250 ok',
        'c: RCPT TO:<x@d.test>',
        's: 250 ok',
        'c: RCPT TO:<y@d.test>',
        's: 250 ok',
        'c: DATA',
        's: 354 go',
        'c: hi',
        'c: .',
        's: 250 2.0.0 <x@d.test> delivered',
        's: 452 4.2.2 <y@d.test> over quota',
      ),
      { port: 24 },
    );
    expect(r.doc.connect).toMatchObject({ protocol: 'lmtp', port: 24 });
    expect(steps(r.doc).slice(-2)).toEqual([{ s: '250 2.0.0 <x@d.test> delivered' }, { s: '452 4.2.2 <y@d.test> over quota' }]);
  });

  it('a log that starts after the greeting gets a greeting matcher', async () => {
    const r = await importValid(lines('c: EHLO me', 's: 250 mx'));
    expect(steps(r.doc).slice(0, 2)).toEqual([{ s: 220 }, { c: 'EHLO me' }]);
  });
});

describe('IMAP replies', () => {
  it('counts literals in bytes: a tagged line inside one does not end the reply', async () => {
    const body = ['a2 OK fake completion', 'x'];
    const size = body.reduce((n, l) => n + Buffer.byteLength(l) + 2, 0);
    const r = await importValid(lines('S: * OK hi', 'C: a2 FETCH 1 BODY[]', `S: * 1 FETCH (BODY[] {${size}}`, ...body.map((l) => `S: ${l}`), 'S: )', 'S: a2 OK done'));
    expect(steps(r.doc)[2]).toEqual({
      s: { lines: ['/^\\* 1 FETCH \\(BODY\\[\\] \\{\\d+\\}$/', ...body, ')', 'a2 OK done'], serve: [`* 1 FETCH (BODY[] {${size}}`, ...body, ')', 'a2 OK done'] },
    });
  });

  it('pipelined commands: each reply ends at its own tagged completion', async () => {
    const r = await importValid(lines('S: * OK hi', 'C: a1 NOOP', 'C: a2 CAPABILITY', 'S: a1 OK noop', 'S: * CAPABILITY IMAP4rev1', 'S: a2 OK done'));
    expect(steps(r.doc).slice(1)).toEqual([{ c: 'a1 NOOP' }, { c: 'a2 CAPABILITY' }, { s: 'a1 OK noop' }, { s: ['* CAPABILITY IMAP4rev1', 'a2 OK done'] }]);
  });

  it('continuations: APPEND\'s literal, IDLE\'s untagged lines and DONE', async () => {
    const r = await importValid(
      lines(
        'S: * OK hi',
        'C: a1 APPEND INBOX {11}',
        'S: + Ready for literal data',
        'C: hello world',
        'S: a1 OK [APPENDUID 1 5] APPEND completed',
        'C: a2 IDLE',
        'S: + idling',
        'S: * 5 EXISTS',
        'C: DONE',
        'S: a2 OK IDLE terminated',
      ),
    );
    expect(steps(r.doc).slice(1)).toEqual([
      { c: 'a1 APPEND INBOX {11}' },
      { s: '+ Ready for literal data' },
      { c: 'hello world' },
      { s: 'a1 OK [APPENDUID 1 5] APPEND completed' },
      { c: 'a2 IDLE' },
      { s: '+ idling' },
      { s: { match: '/^\\* \\d+ EXISTS$/', serve: '* 5 EXISTS' } },
      { c: 'DONE' },
      { s: 'a2 OK IDLE terminated' },
    ]);
  });

  it('STARTTLS accepted → tls; a bare + is a status matcher', async () => {
    const r = await importValid(lines('S: * OK hi', 'C: a1 STARTTLS', 'S: a1 OK go', 'C: a2 AUTHENTICATE PLAIN', 'S: +', 'C: *', 'S: a2 BAD cancelled'));
    expect(steps(r.doc).slice(2)).toEqual([{ s: 'a1 OK go' }, { tls: {} }, { c: 'a2 AUTHENTICATE PLAIN' }, { s: { status: '+' } }, { c: '*' }, { s: 'a2 BAD cancelled' }]);
  });
});

describe('POP3 replies', () => {
  it('multi-line replies end at "." and are dot-unstuffed; LIST with an argument is one line', async () => {
    const r = await importValid(
      lines(
        's: +OK ready',
        'c: STLS',
        's: +OK begin TLS',
        'c: LIST 1',
        's: +OK 1 120',
        'c: TOP 1 0',
        's: +OK',
        's: Subject: hi',
        's: ..dotted',
        's: ....',
        's: .',
        'c: QUIT',
        's: +OK bye',
      ),
    );
    expect(steps(r.doc).slice(1)).toEqual([
      { c: 'STLS' },
      { s: '+OK begin TLS' },
      { tls: {} },
      { c: 'LIST 1' },
      { s: { match: '/^\\+OK \\d+ \\d+$/', serve: '+OK 1 120' } },
      { c: 'TOP 1 0' },
      { s: ['+OK', 'Subject: hi', '.dotted', '\\...'] },
      { c: 'QUIT' },
      { s: '+OK bye' },
    ]);
  });
});

describe('connections', () => {
  it('implicit TLS: openssl s_client without -starttls, or TLS before anything was said', async () => {
    const r = await importValid(lines('$ openssl s_client -connect mail.example.net:993', '* OK hi', 'a1 LOGOUT', '* BYE', 'a1 OK bye'));
    expect(r.doc.connect).toEqual({ host: '${env.MAIL_HOST:-127.0.0.1}', port: 993, protocol: 'imap', tls: true });
  });

  it('options: protocol, host, port and name win over the transcript', async () => {
    const r = await importValid(lines('c: telnet mail.example.net 2525', 's: 220 hi', 'c: QUIT', 's: 221 bye'), {
      name: 'Mine',
      host: 'localhost',
      port: 10025,
      protocol: 'lmtp',
    });
    expect(r.doc.name).toBe('Mine');
    expect(r.doc.connect).toEqual({ host: 'localhost', port: 10025, protocol: 'lmtp' });
  });

  it('two connections become two tests; what they share is written once', async () => {
    const r = await importValid(
      lines(
        '$ telnet mx.example.net 25',
        'Trying 192.0.2.1...',
        '220 mx',
        '> QUIT',
        '221 bye',
        'Connection closed by foreign host.',
        'Now the submission port:',
        '$ telnet mx.example.net 587',
        '220 mx',
        '> QUIT',
        '221 bye',
        'Connection closed by foreign host.',
      ),
    );
    expect(r.doc.connect).toEqual({ host: '${env.MAIL_HOST:-127.0.0.1}', protocol: 'smtp' });
    expect(r.doc.tests.map((t) => [t.name, t.connect])).toEqual([
      ['connection 1: SMTP port 25', { port: 25 }],
      ['connection 2: SMTP port 587', { port: 587 }],
    ]);
    expect(r.warnings.map((w) => w.line)).toEqual([7]);
  });

  it('openssl s_client -starttls: what it did unseen is written out, its leftover reply skipped', async () => {
    const r = await importValid(
      lines('$ openssl s_client -starttls pop3 -connect pop.example.net:110', 'CONNECTED(00000003)', '---', 'New, TLSv1.3, Cipher is X', '---', '+OK leftover', '> CAPA', '+OK', 'USER', '.', '> QUIT', '+OK bye', 'closed'),
    );
    expect(steps(r.doc)).toEqual([
      { s: { status: '+OK' } },
      { c: 'STLS' },
      { s: { status: '+OK' } },
      { tls: {} },
      { c: 'CAPA' },
      { s: ['+OK', 'USER'] },
      { c: 'QUIT' },
      { s: '+OK bye' },
      { s: { closed: true } },
    ]);
  });

  it('a transcript with no conversation gives a test of the connection alone, and a warning', async () => {
    const r = await importValid('just prose\n');
    expect(r.doc.tests).toEqual([{ name: 'as recorded', steps: [] }]);
    expect(r.warnings.map((w) => w.message)).toContain('no conversation found: the spec only connects');
  });
});

describe('escaping', () => {
  it('${ in a transcript stays literal; strings that look like regexes or ... stay exact', async () => {
    const r = await importValid(lines('s: 220 mx', 'c: EHLO ${HOME}', 's: 250-/var/mail', 's: 250-...', 's: 250 \\back ${x}'));
    expect(steps(r.doc).slice(1)).toEqual([{ c: 'EHLO $${HOME}' }, { s: ['250-/var/mail', '250-...', '250 \\back $${x}'] }]);
    const sent = r.suite.tests[0]?.steps[1];
    expect(sent?.kind === 'c' && sent.lines[0]?.parts).toEqual([{ kind: 'text', value: 'EHLO ${HOME}' }]);
  });

  it('a reply of one exact line that starts with / is written with a leading backslash', async () => {
    const r = await importValid(lines('S: * OK hi', 'C: a1 NOOP', 'S: /weird/ line', 'S: a1 OK'), { protocol: 'line', port: 7 });
    expect(steps(r.doc)).toContainEqual({ s: '\\/weird/ line' });
  });
});
