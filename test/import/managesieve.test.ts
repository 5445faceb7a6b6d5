/**
 * ManageSieve transcripts (RFC 5804), read by the protocol's own framer: a conversation
 * recorded from the CI Dovecot (test/fixtures/import/managesieve-dovecot.txt) is detected
 * by its capability greeting, imports into a spec whose password is a secret, and passes
 * against a scripted server and, when its coordinates are in the environment, against the
 * real one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importTranscript } from '../../src/import/index.js';
import { createPki, type Pki } from '../../src/pki/index.js';
import { workspace, type Workspace } from '../helpers/cli.js';
import { close, expectBytes, send, startPeer, upgradeTls, type PeerAction } from '../helpers/peer.js';
import { importValid, sentLines, steps } from './helpers.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'import');
const FILE = join(DIR, 'managesieve-dovecot.txt');
/** `openssl s_client -starttls sieve`, its report and all, the typed lines echoed unmarked. */
const PASTE = join(DIR, 'openssl-starttls-sieve-dovecot.txt');
const PASS = 'demo-password';
const USER = 'alice@convospec.test';
const crlf = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const fixture = (): string => readFileSync(FILE, 'utf8');
const SCRIPT = ['require "fileinto";', 'fileinto "Junk";', ''];

/** Dovecot's answers, with another implementation string and another capability order. */
function script(pki: Pki): PeerAction[] {
  const caps = ['"IMPLEMENTATION" "Dovecot (Debian) Pigeonhole"', '"SIEVE" "fileinto reject envelope encoded-character vacation subaddress comparator-i;ascii-numeric relational regex imap4flags copy include variables body enotify environment mailbox date index ihave duplicate mime foreverypart extracttext"', '"NOTIFY" "mailto"'];
  return [
    send(crlf(...caps, '"SASL" ""', '"STARTTLS"', '"VERSION" "1.0"', 'OK "Dovecot (Debian) ready."')),
    expectBytes(crlf('STARTTLS')),
    send(crlf('OK "Begin TLS negotiation now."')),
    upgradeTls(pki.server),
    send(crlf(...caps, '"SASL" "PLAIN LOGIN"', '"VERSION" "1.0"', 'OK "TLS negotiation successful."')),
    expectBytes(crlf(`AUTHENTICATE "PLAIN" "${b64(`\0${USER}\0${PASS}`)}"`)),
    send(crlf('OK "Logged in."')),
    expectBytes(crlf('PUTSCRIPT "convospec" {39+}', ...SCRIPT)),
    send(crlf('OK "PUTSCRIPT completed."')),
    expectBytes(crlf('LISTSCRIPTS')),
    send(crlf('"convospec"', 'OK "Listscripts completed."')),
    expectBytes(crlf('GETSCRIPT "convospec"')),
    send(crlf('{39}', ...SCRIPT, 'OK "Getscript completed."')),
    expectBytes(crlf('DELETESCRIPT "convospec"')),
    send(crlf('OK "Deletescript completed."')),
    expectBytes(crlf('LOGOUT')),
    send(crlf('OK "Logout completed."')),
    close(),
  ];
}

describe('a ManageSieve transcript', () => {
  it('is detected by its greeting; the framer groups the replies, a literal reply whole', async () => {
    const r = await importValid(fixture(), {}, { MAIL_PASS: PASS });
    expect(r.doc.connect).toEqual({ host: '${env.MAIL_HOST:-127.0.0.1}', port: 4190, protocol: 'managesieve' });
    expect(r.doc.name).toBe('Imported ManageSieve transcript');
    const all = steps(r.doc);
    // The greeting and the capabilities after the handshake are one reply each, up to their OK.
    expect(all[0]).toEqual({ s: expect.arrayContaining(['"STARTTLS"', 'OK "Dovecot (Debian) ready."']) as unknown });
    expect(all.slice(1, 4)).toEqual([{ c: 'STARTTLS' }, { s: 'OK "Begin TLS negotiation now."' }, { tls: {} }]);
    // The script lines after {39+} are the literal's bytes, then the line that ends the command.
    expect(sentLines(r.suite, { MAIL_PASS: PASS })).toEqual([
      'STARTTLS',
      `AUTHENTICATE "PLAIN" "${b64(`\0${USER}\0${PASS}`)}"`,
      'PUTSCRIPT "convospec" {39+}',
      ...SCRIPT,
      'LISTSCRIPTS',
      'GETSCRIPT "convospec"',
      'DELETESCRIPT "convospec"',
      'LOGOUT',
    ]);
    const getscript = all.findIndex((s) => s.c === 'GETSCRIPT "convospec"');
    expect(all[getscript + 1]).toEqual({ s: { lines: ['/^\\{\\d+\\}$/', ...SCRIPT, 'OK "Getscript completed."'], serve: [expect.stringMatching(/^\{\d+\}$/), ...SCRIPT, 'OK "Getscript completed."'] } });
    expect(r.warnings.map((w) => w.message)).toEqual(['the transcript names no port: using ManageSieve\'s 4190']);
  });

  it('keeps the password out: AUTHENTICATE\'s quoted initial response becomes sasl_plain', async () => {
    const r = await importValid(fixture(), {}, { MAIL_PASS: PASS });
    expect(r.yaml).not.toContain(PASS);
    expect(r.yaml).not.toContain(b64(`\0${USER}\0${PASS}`));
    expect(steps(r.doc)).toContainEqual({ c: 'AUTHENTICATE "PLAIN" "${sasl_plain(user, pass)}"' });
    expect(r.doc.secrets).toEqual(['pass']);
  });

  it('in an unmarked log, a string after a challenge is the client\'s response', async () => {
    const text = [
      '$ telnet 127.0.0.2 4190',
      '"IMPLEMENTATION" "Example"',
      '"SASL" "PLAIN"',
      'OK "ready."',
      'AUTHENTICATE "PLAIN"',
      '""',
      `"${b64(`\0${USER}\0${PASS}`)}"`,
      'OK "Logged in."',
      'LOGOUT',
      'OK "Bye."',
      'Connection closed by foreign host.',
    ].join('\n');
    const r = await importValid(text, {}, { MAIL_PASS: PASS });
    expect(r.doc.connect?.protocol).toBe('managesieve');
    expect(steps(r.doc).slice(1)).toEqual([
      { c: 'AUTHENTICATE "PLAIN"' },
      { s: '""' },
      { c: '"${sasl_plain(user, pass)}"' },
      { s: 'OK "Logged in."' },
      { c: 'LOGOUT' },
      { s: 'OK "Bye."' },
      { s: { closed: true } },
    ]);
    expect(r.yaml).not.toContain(PASS);
  });
});

describe('an openssl s_client -starttls sieve paste', () => {
  it('writes out what s_client did, the capabilities after the handshake included', async () => {
    const r = await importValid(readFileSync(PASTE, 'utf8'));
    expect(r.doc.connect?.protocol).toBe('managesieve');
    expect(steps(r.doc)).toEqual([
      { s: { status: 'OK' } },
      { c: 'STARTTLS' },
      { s: { status: 'OK' } },
      { tls: {} },
      { s: { status: 'OK' } },
      { c: 'CAPABILITY' },
      { s: expect.arrayContaining(['"SASL" "PLAIN LOGIN"', 'OK "Capability completed."']) as unknown },
      { c: 'LOGOUT' },
      { s: 'OK "Logout completed."' },
      { s: { closed: true } },
    ]);
    expect(r.yaml).toContain('# what openssl s_client -starttls sieve did before the log starts');
  });
});

describe('the imported ManageSieve transcript replayed', () => {
  let ws: Workspace;
  let pki: Pki;
  let caFile: string;

  beforeAll(async () => {
    ws = await workspace();
    pki = await createPki();
    caFile = await ws.write('ca.pem', pki.ca.cert);
  });
  afterAll(async () => {
    await ws?.dispose();
  });

  it('passes against a scripted server', async () => {
    const peer = await startPeer(script(pki));
    try {
      const { yaml } = importTranscript(fixture(), { port: peer.port });
      const file = await ws.write('sieve-scripted.yaml', yaml.replace('protocol: managesieve }', 'protocol: managesieve }\ntls: { servername: localhost }'));
      const result = await ws.run(['run', file, '--ca', caFile], { env: { MAIL_HOST: '127.0.0.1', MAIL_PASS: PASS } });
      const session = await peer.session();
      expect(result.code, `${yaml}\n${result.stdout}${result.stderr}`).toBe(0);
      expect(await session.done).toEqual({ completed: true });
    } finally {
      await peer.stop();
    }
  });

  const env = process.env;
  const real = env.MAIL_HOST !== undefined && env.MAIL_CA !== undefined && env.MAIL_PASS !== undefined && env.SIEVE_PORT !== undefined;
  const why = real ? '' : ' (skipped: MAIL_HOST, MAIL_CA, MAIL_PASS and SIEVE_PORT are not set; source the env file test/servers/start.sh prints)';
  it.skipIf(!real)(`passes against the real server it was recorded from${why}`, async () => {
    const { yaml } = importTranscript(fixture(), { port: Number(env.SIEVE_PORT) });
    const file = await ws.write('sieve-real.yaml', yaml.replace('protocol: managesieve }', 'protocol: managesieve }\ntls: { servername: "${env.MAIL_SERVERNAME}" }'));
    // Recorded on the second listener address, where the server sees a remote client.
    const host = env.MAIL_HOST2 ?? env.MAIL_HOST;
    const result = await ws.run(['run', file, '--ca', env.MAIL_CA ?? ''], { env: { ...env, MAIL_HOST: host } });
    expect(result.code, `${yaml}\n${result.stdout}${result.stderr}`).toBe(0);
  });

  it.skipIf(!real)(`the openssl paste passes against the real server it was recorded from${why}`, async () => {
    const { yaml } = importTranscript(readFileSync(PASTE, 'utf8'), { port: Number(env.SIEVE_PORT) });
    const file = await ws.write('sieve-paste-real.yaml', yaml.replace('protocol: managesieve }', 'protocol: managesieve }\ntls: { servername: "${env.MAIL_SERVERNAME}" }'));
    const result = await ws.run(['run', file, '--ca', env.MAIL_CA ?? ''], { env: { ...env, MAIL_HOST: env.MAIL_HOST2 ?? env.MAIL_HOST } });
    expect(result.code, `${yaml}\n${result.stdout}${result.stderr}`).toBe(0);
  });
});
