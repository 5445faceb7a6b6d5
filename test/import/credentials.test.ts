/**
 * Credentials in transcripts: each mechanism is rewritten to an expression that sends the
 * same bytes (checked by evaluating the loaded spec with the password in the environment),
 * and the password never appears in the spec or the warnings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importTranscript } from '../../src/import/index.js';
import { workspace } from '../helpers/cli.js';
import { close, expectBytes, send, startPeer } from '../helpers/peer.js';
import { importValid, sentLines, steps } from './helpers.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** Client lines of a c:/s: transcript, in order. */
function clientLines(transcript: string): string[] {
  return transcript
    .split('\n')
    .filter((l) => /^c: ?/i.test(l))
    .map((l) => l.replace(/^c: ?/i, ''));
}

function noLeak(result: { yaml: string; warnings: { message: string }[] }, ...secrets: string[]): void {
  for (const secret of secrets) {
    expect(result.yaml).not.toContain(secret);
    for (const w of result.warnings) expect(w.message).not.toContain(secret);
  }
}

const SMTP_AUTH_PLAIN = (payload: string): string =>
  ['s: 220 mx ESMTP', 'c: EHLO me', 's: 250 mx', `c: AUTH PLAIN ${payload}`, 's: 235 2.7.0 ok', 'c: QUIT', 's: 221 bye'].join('\n');

describe('credentials', () => {
  it('AUTH PLAIN → sasl_plain(user, pass) with the password from MAIL_PASS', async () => {
    const text = SMTP_AUTH_PLAIN(b64('\0alice\0Tr0ub4dor&3'));
    const r = await importValid(text, {}, { MAIL_PASS: 'Tr0ub4dor&3' });
    expect(r.doc.vars).toEqual({ user: 'alice', pass: '${env.MAIL_PASS}' });
    expect(r.doc.secrets).toEqual(['pass']);
    expect(steps(r.doc)).toContainEqual({ c: 'AUTH PLAIN ${sasl_plain(user, pass)}' });
    expect(sentLines(r.suite, { MAIL_PASS: 'Tr0ub4dor&3' })).toEqual(clientLines(text));
    noLeak(r, 'Tr0ub4dor&3', b64('\0alice\0Tr0ub4dor&3'), b64('Tr0ub4dor&3'));
  });

  it('AUTH PLAIN with an authorization identity keeps it as a variable', async () => {
    const text = SMTP_AUTH_PLAIN(b64('admin\0alice\0s3cret-word'));
    const r = await importValid(text, {}, { MAIL_PASS: 's3cret-word' });
    expect(r.doc.vars).toEqual({ user: 'alice', pass: '${env.MAIL_PASS}', authz: 'admin' });
    expect(steps(r.doc)).toContainEqual({ c: 'AUTH PLAIN ${sasl_plain(user, pass, authz)}' });
    expect(sentLines(r.suite, { MAIL_PASS: 's3cret-word' })).toEqual(clientLines(text));
  });

  it('AUTH PLAIN whose response follows a 334 (no initial response)', async () => {
    const text = ['s: 220 mx', 'c: AUTH PLAIN', 's: 334 ', `c: ${b64('\0bob\0hunter2hunter2')}`, 's: 235 ok'].join('\n');
    const r = await importValid(text, {}, { MAIL_PASS: 'hunter2hunter2' });
    expect(steps(r.doc).slice(1)).toEqual([{ c: 'AUTH PLAIN' }, { s: 334 }, { c: '${sasl_plain(user, pass)}' }, { s: '235 ok' }]);
    expect(sentLines(r.suite, { MAIL_PASS: 'hunter2hunter2' })).toEqual(clientLines(text));
  });

  it('a PLAIN payload that does not decode goes to a secret variable of its own', async () => {
    const text = SMTP_AUTH_PLAIN(b64('no-nul-bytes-here'));
    const r = await importValid(text, {}, { MAIL_AUTH_PAYLOAD: b64('no-nul-bytes-here') });
    expect(r.doc.vars).toEqual({ payload: '${env.MAIL_AUTH_PAYLOAD}' });
    expect(r.doc.secrets).toEqual(['payload']);
    expect(r.warnings.some((w) => /does not decode/.test(w.message))).toBe(true);
    noLeak(r, b64('no-nul-bytes-here'));
  });

  it('AUTH LOGIN → base64(user) and base64(pass), by the server\'s prompts', async () => {
    const text = [
      's: 220 mx',
      'c: AUTH LOGIN',
      `s: 334 ${b64('Username:')}`,
      `c: ${b64('carol@example.org')}`,
      `s: 334 ${b64('Password:')}`,
      `c: ${b64('pa55-w0rd!')}`,
      's: 235 2.7.0 Authentication successful',
    ].join('\n');
    const r = await importValid(text, {}, { MAIL_PASS: 'pa55-w0rd!' });
    expect(steps(r.doc).filter((s) => 'c' in s)).toEqual([{ c: 'AUTH LOGIN' }, { c: '${base64(user)}' }, { c: '${base64(pass)}' }]);
    expect(sentLines(r.suite, { MAIL_PASS: 'pa55-w0rd!' })).toEqual(clientLines(text));
    noLeak(r, 'pa55-w0rd!', b64('pa55-w0rd!'));
  });

  it('AUTH LOGIN with the user name as initial response', async () => {
    const text = ['s: 220 mx', `c: AUTH LOGIN ${b64('dave')}`, `s: 334 ${b64('Password:')}`, `c: ${b64('dave-secret')}`, 's: 235 ok'].join('\n');
    const r = await importValid(text, {}, { MAIL_PASS: 'dave-secret' });
    expect(steps(r.doc)[1]).toEqual({ c: 'AUTH LOGIN ${base64(user)}' });
    expect(sentLines(r.suite, { MAIL_PASS: 'dave-secret' })).toEqual(clientLines(text));
  });

  it('CRAM-MD5 captures the challenge and computes the digest from MAIL_PASS', async () => {
    const challenge = b64('<1896.697170952@postoffice.example.net>');
    const text = ['s: 220 mx', 'c: AUTH CRAM-MD5', `s: 334 ${challenge}`, `c: ${b64('tim b913a602c7eda7a495b4e6e7334d3890')}`, 's: 235 ok'].join('\n');
    const r = await importValid(text);
    expect(steps(r.doc).slice(1, 4)).toEqual([
      { c: 'AUTH CRAM-MD5' },
      { s: { code: 334, capture: { challenge: '/^334 (\\S+)$/' } } },
      { c: '${cram_md5(user, pass, challenge)}' },
    ]);
    // RFC 2195's example: tim / tanstaaftanstaaf gives that digest for that challenge.
    expect(r.doc.vars).toEqual({ user: 'tim', pass: '${env.MAIL_PASS}' });
  });

  it('XOAUTH2 moves the token into MAIL_TOKEN', async () => {
    const payload = b64('user=erin@example.org\x01auth=Bearer ya29.a0AfH6SMBx-token\x01\x01');
    const text = SMTP_AUTH_PLAIN('x').replace('AUTH PLAIN x', `AUTH XOAUTH2 ${payload}`);
    const r = await importValid(text, {}, { MAIL_TOKEN: 'ya29.a0AfH6SMBx-token' });
    expect(steps(r.doc)).toContainEqual({ c: 'AUTH XOAUTH2 ${xoauth2(user, token)}' });
    expect(sentLines(r.suite, { MAIL_TOKEN: 'ya29.a0AfH6SMBx-token' })).toEqual(clientLines(text));
    noLeak(r, 'ya29.a0AfH6SMBx-token', payload);
  });

  it('IMAP LOGIN, quoted or not, and AUTHENTICATE PLAIN with SASL-IR', async () => {
    const text = [
      's: * OK ready',
      'c: a1 LOGIN "frank smith" "with space\\"quote"',
      's: a1 NO [AUTHENTICATIONFAILED] nope',
      `c: a2 AUTHENTICATE PLAIN ${b64('\0frank\0right-one')}`,
      's: a2 OK done',
    ].join('\n');
    const r = await importValid(text, {}, { MAIL_PASS: 'with space"quote', MAIL_PASS2: 'right-one' });
    expect(steps(r.doc).filter((s) => 'c' in s)).toEqual([
      { c: 'a1 LOGIN "${user}" "${pass}"' },
      { c: 'a2 AUTHENTICATE PLAIN ${sasl_plain(user2, pass2)}' },
    ]);
    expect(r.doc.vars).toEqual({ user: 'frank smith', pass: '${env.MAIL_PASS}', user2: 'frank', pass2: '${env.MAIL_PASS2}' });
    expect(r.doc.secrets).toEqual(['pass', 'pass2']);
    noLeak(r, 'with space', 'right-one');
  });

  it('IMAP LOGIN with the password as a literal: its content becomes ${pass}, the + continuation stays', async () => {
    const text = ['s: * OK ready', 'c: a1 LOGIN alice {7}', 's: + Ready for literal data', 'c: secret1', 's: a1 OK Logged in', 'c: a2 LOGOUT', 's: * BYE', 's: a2 OK bye'].join('\n');
    const r = await importValid(text, {}, { MAIL_PASS: 'secret1' });
    expect(r.doc.vars).toEqual({ user: 'alice', pass: '${env.MAIL_PASS}' });
    expect(r.doc.secrets).toEqual(['pass']);
    expect(steps(r.doc).slice(1, 5)).toEqual([{ c: 'a1 LOGIN ${user} {7}' }, { s: '+ Ready for literal data' }, { c: '${pass}' }, { s: 'a1 OK Logged in' }]);
    expect(r.yaml).toMatch(/# \{7\} is the length in bytes of `pass`.*\n\s+- c: a1 LOGIN/);
    expect(r.warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/literal of 7 bytes.*MAIL_PASS must be 7 bytes long/));
    expect(sentLines(r.suite, { MAIL_PASS: 'secret1' })).toEqual(clientLines(text));
    noLeak(r, 'secret1');
  });

  it('IMAP LOGIN with literals: the user too, a non-synchronising one, a quoted user', async () => {
    const both = ['s: * OK ready', 'c: a1 LOGIN {5}', 's: + go', 'c: alice {10}', 's: + go', 'c: p4ss w0rd', 's: a1 OK'].join('\n');
    const r1 = await importValid(both, {}, { MAIL_PASS: 'p4ss w0rd' });
    expect(steps(r1.doc).filter((s) => 'c' in s)).toEqual([{ c: 'a1 LOGIN {5}' }, { c: '${user} {10}' }, { c: '${pass}' }]);
    expect(r1.doc.vars).toEqual({ user: 'alice', pass: '${env.MAIL_PASS}' });
    expect(sentLines(r1.suite, { MAIL_PASS: 'p4ss w0rd' })).toEqual(clientLines(both));
    noLeak(r1, 'p4ss w0rd');

    const plus = ['s: * OK ready', 'c: a1 LOGIN "bob" {12+}', 'c: non-sync-pw1', 's: a1 OK'].join('\n');
    const r2 = await importValid(plus, {}, { MAIL_PASS: 'non-sync-pw1' });
    expect(steps(r2.doc).filter((s) => 'c' in s)).toEqual([{ c: 'a1 LOGIN "${user}" {12+}' }, { c: '${pass}' }]);
    expect(sentLines(r2.suite, { MAIL_PASS: 'non-sync-pw1' })).toEqual(clientLines(plus));
    noLeak(r2, 'non-sync-pw1');
  });

  it('IMAP LOGIN refused before its literal: the next line is a command, not a password', async () => {
    const text = ['s: * OK ready', 'c: a1 LOGIN alice {7}', 's: a1 BAD no literals', 'c: a2 LOGIN alice secret1', 's: a2 OK'].join('\n');
    const r = await importValid(text, {}, { MAIL_PASS: 'secret1' });
    expect(steps(r.doc).filter((s) => 'c' in s)).toEqual([{ c: 'a1 LOGIN ${user} {7}' }, { c: 'a2 LOGIN ${user} ${pass}' }]);
    noLeak(r, 'secret1');
  });

  it('a spec with the password in a literal logs in against a server that asks for it with +', async () => {
    const peer = await startPeer([
      send('* OK ready\r\n'),
      expectBytes('a1 LOGIN alice {7}\r\n'),
      send('+ Ready for literal data\r\n'),
      expectBytes('secret1\r\n'),
      send('a1 OK Logged in\r\n'),
      expectBytes('a2 LOGOUT\r\n'),
      send('* BYE\r\na2 OK bye\r\n'),
      close(),
    ]);
    const ws = await workspace();
    try {
      const text = ['s: * OK ready', 'c: a1 LOGIN alice {7}', 's: + Ready for literal data', 'c: secret1', 's: a1 OK Logged in', 'c: a2 LOGOUT', 's: * BYE', 's: a2 OK bye'].join('\n');
      const { yaml } = importTranscript(text, { port: peer.port });
      const result = await ws.run(['run', await ws.write('login.yaml', yaml)], { env: { MAIL_PASS: 'secret1' } });
      expect(result.code, `${yaml}\n${result.stdout}${result.stderr}`).toBe(0);
      expect(await (await peer.session()).done).toEqual({ completed: true });
    } finally {
      await peer.stop();
      await ws.dispose();
    }
  });

  it('POP3 USER/PASS and AUTH PLAIN after a + continuation', async () => {
    const text = ['s: +OK ready', 'c: USER gina', 's: +OK', 'c: PASS gina-pass-1', 's: -ERR no', 'c: AUTH PLAIN', 's: + ', `c: ${b64('\0gina\0gina-pass-1')}`, 's: +OK in'].join('\n');
    const r = await importValid(text, {}, { MAIL_PASS: 'gina-pass-1' });
    expect(steps(r.doc).filter((s) => 'c' in s)).toEqual([
      { c: 'USER ${user}' },
      { c: 'PASS ${pass}' },
      { c: 'AUTH PLAIN' },
      { c: '${sasl_plain(user, pass)}' },
    ]);
    expect(sentLines(r.suite, { MAIL_PASS: 'gina-pass-1' })).toEqual(clientLines(text));
  });

  it('a password the server echoes is matched as ${pass}; warnings that quote it are redacted', () => {
    const text = ['oops: typed hunter2-echo here', 's: +OK ready', 'c: USER h', 's: +OK', 'c: PASS hunter2-echo', 's: -ERR bad password hunter2-echo'].join('\n');
    const r = importTranscript(text);
    expect(r.yaml).toContain('s: -ERR bad password ${pass}');
    expect(r.warnings[0]?.message).toContain('***');
    noLeak(r, 'hunter2-echo');
  });

  it('never writes a password, whatever it is', () => {
    const password = fc.stringMatching(/^[A-Za-z0-9!#%&*+\-.:;=?@^_~]{8,24}$/);
    const user = fc.stringMatching(/^[a-z][a-z0-9.]{2,10}$/);
    fc.assert(
      fc.property(user, password, fc.constantFrom('plain', 'login', 'imap', 'literal', 'pop3'), (u, p, how) => {
        const transcript = (p: string): string => ({
          plain: SMTP_AUTH_PLAIN(b64(`\0${u}\0${p}`)),
          login: ['s: 220 x', 'c: AUTH LOGIN', `s: 334 ${b64('Username:')}`, `c: ${b64(u)}`, `s: 334 ${b64('Password:')}`, `c: ${b64(p)}`, 's: 235 ok'].join('\n'),
          imap: ['s: * OK x', `c: a1 LOGIN ${u} ${p}`, 's: a1 OK'].join('\n'),
          literal: ['s: * OK x', `c: a1 LOGIN ${u} {${p.length}}`, 's: + go', `c: ${p}`, 's: a1 OK'].join('\n'),
          pop3: ['s: +OK x', `c: USER ${u}`, 's: +OK', `c: PASS ${p}`, 's: +OK'].join('\n'),
        })[how];
        // A password that is a word of what the importer writes anyway (`rguments` in a
        // comment's "arguments") is in the output without being leaked: such draws say nothing.
        const other = importTranscript(transcript('\u00a7'.repeat(p.length)));
        fc.pre(![other.yaml, ...other.warnings.map((w) => w.message)].some((text) => text.includes(p) || text.includes(b64(p))));
        noLeak(importTranscript(transcript(p)), p, b64(p));
      }),
      { numRuns: 200 },
    );
  });
});
