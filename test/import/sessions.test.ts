/**
 * `importSessions`: connections already split and marked by side (what `convospec record`
 * hands over) become a spec by the importer's own stages, with the TLS options of the
 * recording, and a failed handshake left out.
 */
import { describe, expect, it } from 'vitest';
import { importSessions, type Session, type TranscriptEvent } from '../../src/import/index.js';

let n = 0;
const c = (text: string): TranscriptEvent => ({ kind: 'line', line: ++n, side: 'client', marked: true, text });
const s = (text: string): TranscriptEvent => ({ kind: 'line', line: ++n, side: 'server', marked: true, text });
const target = { host: '127.0.0.1', port: 2525, tool: 'test' };
const SOURCE = 'Recorded by a test.';

const starttls = (): TranscriptEvent[] => [s('220 mx ESMTP'), c('EHLO me'), s('250-mx'), s('250 STARTTLS'), c('STARTTLS'), s('220 2.0.0 Ready')];

describe('importSessions', () => {
  it('writes the TLS options on the tls step, and the header names the source', () => {
    const session: Session = { target, line: 1, events: [...starttls(), { kind: 'tls', line: ++n }, c('QUIT'), s('221 Bye'), { kind: 'closed', line: ++n, by: 'server' }] };
    const { yaml } = importSessions([session], { source: SOURCE, host: '127.0.0.1', port: 2525, tls: { ca: 'ca.pem', servername: 'mx.test' } });
    expect(yaml).toMatch(/^# Recorded by a test\.\n/);
    expect(yaml).toContain('- s: 220 2.0.0 Ready\n      - tls: { ca: ca.pem, servername: mx.test }\n      - c: QUIT\n');
    expect(yaml).not.toContain('add `tls: { ca: <file> }`');
  });

  it('TLS at connect: connect.tls holds the options', () => {
    const session: Session = { target: { ...target, tls: true }, line: 1, events: [s('+OK ready'), c('QUIT'), s('+OK bye')] };
    const { yaml } = importSessions([session], { source: SOURCE, host: '127.0.0.1', port: 995, tls: { verify: false } });
    expect(yaml).toContain('connect: { host: 127.0.0.1, port: 995, protocol: pop3, tls: { verify: false } }');
  });

  it('a handshake that failed is left out: the spec ends with the server\'s answer', () => {
    const session: Session = { target, line: 1, events: starttls(), tlsFailed: true };
    const { yaml } = importSessions([session], { source: SOURCE, host: '127.0.0.1', port: 2525 });
    expect(yaml).toMatch(/- s: 220 2\.0\.0 Ready\n$/);
  });

  it('a queue id: a regex for run, and the reply as recorded in serve: for serve', () => {
    const events = [s('220 mx'), c('DATA'), s('354 go'), c('hi'), c('.'), s('250 2.0.0 Ok: queued as 4F3A2B1C0D')];
    const session: Session = { target, line: 1, events };
    const { yaml } = importSessions([session], { source: SOURCE });
    expect(yaml).toContain(`match: '/^250 2\\.0\\.0 Ok: queued as [A-Za-z0-9]+$/'`);
    expect(yaml).toContain('serve: "250 2.0.0 Ok: queued as 4F3A2B1C0D"');
  });

  it('a client line holding a CR becomes send: with its exact bytes', () => {
    const session: Session = { target, line: 1, events: [s('220 mx'), c('NOOP\r'), s('500 bad')] };
    const { yaml } = importSessions([session], { source: SOURCE });
    expect(yaml).toContain('- send: "NOOP\\r\\r\\n"');
  });
});
