/**
 * Terminal pastes of `openssl s_client -starttls imap|smtp|pop3` (its default, verbose
 * output; the typed lines echoed in place, not marked), recorded from the CI Dovecot and
 * Postfix: test/fixtures/import/openssl-starttls-*-{dovecot,postfix}.txt. Each imports into
 * a spec of the conversation alone, which then passes against a scripted server whose
 * volatile values differ from the recording, and against the real server when its
 * coordinates are in the environment (MAIL_HOST…, from the env file of test/servers/start.sh).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importTranscript } from '../../src/import/index.js';
import { createPki, type Pki } from '../../src/pki/index.js';
import { workspace, type Workspace } from '../helpers/cli.js';
import { close, expectBytes, send, startPeer, upgradeTls, type PeerAction } from '../helpers/peer.js';
import { importValid, steps } from './helpers.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'import');
const PASS = 'demo-password';
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const crlf = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');

interface Paste {
  readonly protocol: 'imap' | 'smtp' | 'pop3';
  readonly file: string;
  /** The `c:` steps: what s_client sent unseen, then what was typed. */
  readonly sends: readonly string[];
  /** The environment variable of the real server's port. */
  readonly portVar: string;
  /** A server that answers as the recorded one did, with other volatile values. */
  readonly script: (pki: Pki) => PeerAction[];
}

const fixture = (file: string): string => readFileSync(join(DIR, file), 'utf8');
/** A line of a fixture, found by its start: long server lines are copied, not retyped. */
const lineOf = (file: string, start: string): string => {
  const found = fixture(file)
    .split('\n')
    .find((l) => l.startsWith(start));
  if (found === undefined) throw new Error(`no line starting "${start}" in ${file}`);
  return found;
};

const IMAP_FILE = 'openssl-starttls-imap-dovecot.txt';
const SMTP_FILE = 'openssl-starttls-smtp-postfix.txt';
const POP3_FILE = 'openssl-starttls-pop3-dovecot.txt';

const PASTES: readonly Paste[] = [
  {
    protocol: 'imap',
    file: IMAP_FILE,
    sends: ['. CAPABILITY', '. STARTTLS', 'a1 CAPABILITY', 'a2 LOGIN ${user} ${pass}', 'a3 SELECT INBOX', 'a4 LOGOUT'],
    portVar: 'IMAP_PORT',
    script: (pki) => [
      send(crlf('* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.')),
      expectBytes(crlf('. CAPABILITY')),
      send(crlf('* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN', '. OK Pre-login capabilities listed, post-login capabilities have more.')),
      expectBytes(crlf('. STARTTLS')),
      send(crlf('. OK Begin TLS negotiation now.')),
      upgradeTls(pki.server),
      expectBytes(crlf('a1 CAPABILITY')),
      send(crlf(lineOf(IMAP_FILE, '* CAPABILITY'), 'a1 OK Pre-login capabilities listed, post-login capabilities have more.')),
      expectBytes(crlf(`a2 LOGIN dave@convospec.test ${PASS}`)),
      send(crlf(lineOf(IMAP_FILE, '* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT'), 'a2 OK Logged in')),
      expectBytes(crlf('a3 SELECT INBOX')),
      send(
        crlf(
          lineOf(IMAP_FILE, '* FLAGS'),
          lineOf(IMAP_FILE, '* OK [PERMANENTFLAGS'),
          '* 12 EXISTS',
          '* 3 RECENT',
          '* OK [UIDVALIDITY 1700000001] UIDs valid',
          '* OK [UIDNEXT 4711] Predicted next UID',
          'a3 OK [READ-WRITE] Select completed (1.250 + 0.125 + 1.124 secs).',
        ),
      ),
      expectBytes(crlf('a4 LOGOUT')),
      send(crlf('* BYE Logging out', 'a4 OK Logout completed (0.010 + 0.002 + 0.009 secs).')),
      close(),
    ],
  },
  {
    protocol: 'smtp',
    file: SMTP_FILE,
    sends: [
      'EHLO openssl.client.net',
      'STARTTLS',
      'EHLO client.convospec.test',
      'AUTH PLAIN ${sasl_plain(user, pass)}',
      'MAIL FROM:<alice@convospec.test>',
      'rcpt to:<alice@convospec.test>',
      'rset',
      'quit',
    ],
    portVar: 'SUBMISSION_PORT',
    script: (pki) => {
      const ehlo = fixture(SMTP_FILE)
        .split('\n')
        .filter((l) => /^250[- ]/.test(l))
        .slice(1);
      return [
        send(crlf('220 mail.convospec.test ESMTP Postfix (Debian/GNU)')),
        expectBytes(crlf('EHLO openssl.client.net')),
        send(crlf('250-mail.convospec.test', '250-STARTTLS', '250 CHUNKING')),
        expectBytes(crlf('STARTTLS')),
        send(crlf('220 2.0.0 Ready to start TLS')),
        upgradeTls(pki.server),
        expectBytes(crlf('EHLO client.convospec.test')),
        send(crlf(...ehlo.slice(0, ehlo.indexOf('250 CHUNKING') + 1))),
        expectBytes(crlf(`AUTH PLAIN ${b64(`\0alice@convospec.test\0${PASS}`)}`)),
        send(crlf('235 2.7.0 Authentication successful')),
        expectBytes(crlf('MAIL FROM:<alice@convospec.test>')),
        send(crlf('250 2.1.0 Ok')),
        expectBytes(crlf('rcpt to:<alice@convospec.test>')),
        send(crlf('250 2.1.5 Ok')),
        expectBytes(crlf('rset')),
        send(crlf('250 2.0.0 Ok')),
        expectBytes(crlf('quit')),
        send(crlf('221 2.0.0 Bye')),
        close(),
      ];
    },
  },
  {
    protocol: 'pop3',
    file: POP3_FILE,
    sends: ['STLS', 'CAPA', 'USER ${user}', 'PASS ${pass}', 'STAT', 'quit'],
    portVar: 'POP3_PORT',
    script: (pki) => [
      send(crlf('+OK Dovecot (Debian) ready.')),
      expectBytes(crlf('STLS')),
      send(crlf('+OK Begin TLS negotiation now.')),
      upgradeTls(pki.server),
      expectBytes(crlf('CAPA')),
      send(crlf('+OK', 'CAPA', 'TOP', 'UIDL', 'RESP-CODES', 'PIPELINING', 'AUTH-RESP-CODE', 'USER', 'SASL PLAIN LOGIN', '.')),
      expectBytes(crlf('USER dave@convospec.test')),
      send(crlf('+OK')),
      expectBytes(crlf(`PASS ${PASS}`)),
      send(crlf('+OK Logged in.')),
      expectBytes(crlf('STAT')),
      send(crlf('+OK 3 4521')),
      expectBytes(crlf('quit')),
      send(crlf('+OK Logging out.')),
      close(),
    ],
  },
];

/** Text of openssl s_client's own report: none of it may reach the spec. */
const REPORT =
  /CONNECTED|SSL_get_servername|depth=|verify return|Certificate chain|CERTIFICATE|subject=|issuer=|Peer sign|Temp Key|SSL handshake|Verification|Cipher is|Renegotiation|Compression|ALPN|Early data|Verify return|Session Ticket|SSL-Session|Session-ID|PSK|read R BLOCK|closed$/m;

describe('openssl s_client -starttls pastes (typed lines not marked)', () => {
  for (const paste of PASTES) {
    it(`${paste.protocol}: only the conversation is imported, the STARTTLS is a tls step, the password a secret`, async () => {
      const text = fixture(paste.file);
      const r = await importValid(text, {}, { MAIL_PASS: PASS });
      const all = steps(r.doc);
      const yamlSteps = r.yaml.slice(r.yaml.indexOf('tests:'));
      expect(yamlSteps.replace(/closed: true/g, '')).not.toMatch(REPORT);
      expect(all.filter((s) => 'c' in s).map((s) => s.c)).toEqual(paste.sends);
      const tls = all.findIndex((s) => 'tls' in s);
      expect(all.filter((s) => 'tls' in s)).toHaveLength(1);
      expect(all[tls - 2]).toEqual({ c: paste.sends[paste.protocol === 'pop3' ? 0 : 1] });
      expect(all.at(-1)).toEqual({ s: { closed: true } });
      expect(r.yaml).not.toContain(PASS);
      expect(r.doc.secrets).toEqual(['pass']);
      expect(r.warnings.map((w) => w.message)).not.toContainEqual(expect.stringMatching(/TLS starts here|has no tag|not an? (?:SMTP|POP3)/));
    });
  }

  it('drops the report in its other shapes: -showcerts, CA name lists, TLSv1.2 sessions, a failed try before', async () => {
    const text = [
      '$ openssl s_client -connect mx.test:465',
      'CONNECTED(00000003)',
      'depth=0 CN = mx.test',
      'verify error:num=18:self-signed certificate',
      '40C7B1F7:error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed',
      '---',
      'no peer certificate available',
      '---',
      'SSL handshake has read 7 bytes and written 9 bytes',
      'Verification error: self-signed certificate',
      '---',
      'New, (NONE), Cipher is (NONE)',
      'This TLS version forbids renegotiation.',
      '---',
      '$ openssl s_client -connect mx.test:465 -showcerts -verify_hostname mx.test',
      'CONNECTED(00000003)',
      '---',
      'Certificate chain',
      ' 0 s:CN = mx.test',
      '-----BEGIN CERTIFICATE-----',
      'MIIB',
      'QUIT',
      '-----END CERTIFICATE-----',
      '---',
      'Server certificate',
      'subject=CN = mx.test',
      '---',
      'Acceptable client certificate CA names',
      'O = Example, CN = Example CA',
      'C = DE, O = Other',
      'Requested Signature Algorithms: RSA-PSS+SHA256',
      '---',
      'SSL handshake has read 1 bytes and written 2 bytes',
      'Verified peername: mx.test',
      '---',
      'New, TLSv1.2, Cipher is ECDHE-RSA-AES256-GCM-SHA384',
      'Secure Renegotiation IS supported',
      'SSL-Session:',
      '    Protocol  : TLSv1.2',
      '',
      'Keying material exporter:',
      "    Label: 'x'",
      '---',
      '220 mx.test ESMTP',
      'EHLO me',
      '250 mx.test',
      'QUIT',
      '221 bye',
      'closed',
    ].join('\n');
    const r = await importValid(text);
    expect(r.doc.connect).toEqual({ host: '${env.MAIL_HOST:-127.0.0.1}', port: 465, protocol: 'smtp', tls: true });
    expect(steps(r.doc)).toEqual([{ s: '220 mx.test ESMTP' }, { c: 'EHLO me' }, { s: '250 mx.test' }, { c: 'QUIT' }, { s: '221 bye' }, { s: { closed: true } }]);
  });

  it('says where a report with no closing --- starts, since nothing after it could be read', async () => {
    const cut = ['$ openssl s_client -connect mx.test:465', 'CONNECTED(00000003)', '---', 'New, TLSv1.3, Cipher is X', '220 mx.test ESMTP', 'QUIT', '221 bye'];
    const r = importTranscript(cut.join('\n'));
    expect(r.warnings).toContainEqual({ line: 2, message: expect.stringMatching(/no closing "---" line/) as unknown as string });
    // A command at a prompt starts the next connection all the same.
    const next = await importValid([...cut, '$ telnet mx.test 25', '220 mx.test ESMTP', '> QUIT', '221 bye'].join('\n'));
    expect(next.doc.tests.map((t) => t.steps)).toEqual([[{ s: '220 mx.test ESMTP' }, { c: 'QUIT' }, { s: '221 bye' }]]);
    expect(next.warnings).toContainEqual({ line: 2, message: expect.stringMatching(/no closing "---" line/) as unknown as string });
  });

  it("imap: Dovecot's command timings become a regex that matches other timings", async () => {
    const r = await importValid(fixture(IMAP_FILE), {}, { MAIL_PASS: PASS });
    const replies = steps(r.doc).flatMap((s) => (Array.isArray(s.s) ? (s.s as string[]) : ((s.s as { lines?: string[] } | undefined)?.lines ?? [])));
    const select = replies.find((l) => l.includes('Select completed'));
    expect(select).toMatch(/^\/\^.*\$\/$/);
    const regex = new RegExp((select ?? '').slice(1, -1));
    expect(regex.test('a3 OK [READ-WRITE] Select completed (1.250 + 0.125 + 1.124 secs).')).toBe(true);
    expect(regex.test('a3 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).')).toBe(true);
    expect(regex.test('a3 OK [READ-ONLY] Select completed (0.001 + 0.000 secs).')).toBe(false);
  });
});

describe('the imported pastes replayed', () => {
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

  for (const paste of PASTES) {
    it(`${paste.protocol}: passes against a scripted server whose volatile values differ`, async () => {
      const peer = await startPeer(paste.script(pki));
      try {
        const { yaml } = importTranscript(fixture(paste.file), { port: peer.port });
        const file = await ws.write(`${paste.protocol}-scripted.yaml`, yaml);
        const result = await ws.run(['run', file, '--ca', caFile], { env: { MAIL_HOST: '127.0.0.1', MAIL_PASS: PASS } });
        const session = await peer.session();
        expect(result.code, `${yaml}\n${result.stdout}${result.stderr}`).toBe(0);
        expect(await session.done).toEqual({ completed: true });
      } finally {
        await peer.stop();
      }
    });
  }

  const env = process.env;
  const real = env.MAIL_HOST !== undefined && env.MAIL_CA !== undefined && env.MAIL_PASS !== undefined;
  const why = real ? '' : ' (skipped: MAIL_HOST, MAIL_CA and MAIL_PASS are not set; source the env file test/servers/start.sh prints)';
  for (const paste of PASTES) {
    it.skipIf(!real)(`${paste.protocol}: passes against the real server it was recorded from${why}`, async () => {
      const port = Number(env[paste.portVar]);
      const { yaml } = importTranscript(fixture(paste.file), { port });
      const file = await ws.write(`${paste.protocol}-real.yaml`, yaml);
      // Recorded on the second listener address, where the server sees a remote client.
      const host = env.MAIL_HOST2 ?? env.MAIL_HOST;
      const result = await ws.run(['run', file, '--ca', env.MAIL_CA ?? ''], { env: { ...env, MAIL_HOST: host } });
      expect(result.code, `${yaml}\n${result.stdout}${result.stderr}`).toBe(0);
    });
  }
});
