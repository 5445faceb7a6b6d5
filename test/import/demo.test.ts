/**
 * End to end: real conversations with the demo's SMTP, IMAP and POP3 servers are recorded
 * as a swaks log, a `c:`/`s:` transcript and a marked telnet log; each is imported, and the
 * specs run with the real CLI against the same demo. They pass (so what varies between runs
 * was recognised), and fail once one reply code is changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../../src/demo/index.js';
import { importTranscript } from '../../src/import/index.js';
import { RawClient, type TlsTrust } from '../demo/client.js';
import { workspace, type Workspace } from '../helpers/cli.js';

let demo: Demo;
let ws: Workspace;
let trust: TlsTrust;

beforeAll(async () => {
  demo = await startDemo();
  ws = await workspace();
  const { readFile } = await import('node:fs/promises');
  trust = { ca: await readFile(demo.env.MAIL_CA, 'utf8'), servername: demo.env.MAIL_SERVERNAME };
});

afterAll(async () => {
  await demo?.close();
  await ws?.dispose();
});

/** How a transcript format writes a line of each side. */
interface Style {
  client(text: string, tls: boolean): string;
  server(text: string, tls: boolean): string;
}

const SWAKS: Style = {
  client: (text, tls) => ` ${tls ? '~' : '-'}> ${text}`,
  server: (text, tls) => `<${tls ? '~' : '-'}  ${text}`,
};
const PREFIXED: Style = { client: (text) => `C: ${text}`, server: (text) => `S: ${text}` };
const TELNET: Style = { client: (text) => `> ${text}`, server: (text) => text };

/** A client that writes down everything it sends and reads, in a transcript style. */
class Recorder {
  readonly lines: string[] = [];
  tls = false;

  constructor(
    readonly client: RawClient,
    private readonly style: Style,
  ) {}

  note(line: string): void {
    this.lines.push(line);
  }

  send(text: string): void {
    this.client.line(text);
    this.lines.push(this.style.client(text, this.tls));
  }

  private read(raw: string): string[] {
    const lines = raw.split('\r\n').slice(0, -1);
    for (const line of lines) this.lines.push(this.style.server(line, this.tls));
    return lines;
  }

  /** One SMTP reply (RFC 5321 §4.2): through the line with a space after the code. */
  async smtp(): Promise<string[]> {
    return this.read(await this.client.until(/(?:^|\r\n)\d{3}(?: [^\r\n]*)?\r\n/));
  }

  async imap(tag: string, command: string): Promise<string[]> {
    this.lines.push(this.style.client(`${tag} ${command}`, this.tls));
    return this.read(await this.client.imap(tag, command));
  }

  async line(): Promise<string[]> {
    return this.read(await this.client.until(/\r\n/));
  }

  /** A POP3 multi-line reply, its closing "." included (RFC 1939 §3). */
  async multiline(): Promise<string[]> {
    return this.read(await this.client.until(/(?:^|\r\n)\.\r\n/));
  }

  async upgrade(): Promise<void> {
    await this.client.upgrade(trust);
    this.tls = true;
  }
}

async function recordSmtp(): Promise<string> {
  const port = Number(demo.env.SUBMISSION_PORT);
  const r = new Recorder(await RawClient.connect(port), SWAKS);
  r.note(`=== Trying 127.0.0.1:${port}...`);
  r.note('=== Connected to 127.0.0.1.');
  await r.smtp();
  r.send('EHLO client.convospec.test');
  await r.smtp();
  r.send('STARTTLS');
  await r.smtp();
  await r.upgrade();
  r.note('=== TLS started with cipher TLSv1.3:TLS_AES_256_GCM_SHA384:256');
  r.send('EHLO client.convospec.test');
  await r.smtp();
  r.send(`AUTH PLAIN ${Buffer.from(`\0${demo.env.MAIL_USER}\0${demo.env.MAIL_PASS}`).toString('base64')}`);
  await r.smtp();
  r.send(`MAIL FROM:<${demo.env.MAIL_USER}>`);
  await r.smtp();
  r.send(`RCPT TO:<${demo.env.MAIL_USER}>`);
  await r.smtp();
  r.send('DATA');
  await r.smtp();
  for (const line of ['Subject: imported', `Date: ${new Date().toUTCString()}`, '', 'Hello from a recorded session.', '..a stuffed dot', '.']) r.send(line);
  await r.smtp();
  r.send('QUIT');
  await r.smtp();
  await r.client.closed();
  r.note('=== Connection closed with remote host.');
  return r.lines.join('\n');
}

async function recordImap(): Promise<string> {
  const port = Number(demo.env.IMAP_PORT);
  const r = new Recorder(await RawClient.connect(port), PREFIXED);
  r.note(`c: telnet 127.0.0.1 ${port}`);
  await r.line();
  await r.imap('a1', 'STARTTLS');
  await r.upgrade();
  r.note('<TLS negotiation, further commands are under [TLS] layer>');
  await r.imap('a2', `LOGIN ${demo.env.MAIL_USER} ${demo.env.MAIL_PASS}`);
  await r.imap('a3', 'SELECT INBOX');
  await r.imap('a4', 'FETCH 1 (FLAGS BODY.PEEK[])');
  await r.imap('a5', 'LOGOUT');
  return r.lines.join('\n');
}

async function recordPop3(): Promise<string> {
  const port = Number(demo.env.POP3_PORT);
  const r = new Recorder(await RawClient.connect(port), TELNET);
  r.note(`$ telnet 127.0.0.1 ${port}`);
  r.note('Trying 127.0.0.1...');
  r.note('Connected to localhost.');
  r.note("Escape character is '^]'.");
  await r.line();
  r.send('STLS');
  await r.line();
  await r.upgrade();
  r.send('CAPA');
  await r.multiline();
  r.send(`USER ${demo.env.MAIL_USER}`);
  await r.line();
  r.send(`PASS ${demo.env.MAIL_PASS}`);
  await r.line();
  r.send('RETR 1');
  await r.multiline();
  r.send('QUIT');
  await r.line();
  await r.client.closed();
  r.note('Connection closed by foreign host.');
  return r.lines.join('\n');
}

async function run(files: string[]) {
  return ws.run(['run', ...files, '--ca', demo.env.MAIL_CA], { env: { ...demo.env } });
}

describe('imported specs against the demo', () => {
  const cases = [
    { name: 'smtp', record: recordSmtp, format: 'swaks', reply: /^(\s+- s: )235\b/m },
    { name: 'imap', record: recordImap, format: 'prefixed', reply: /^(\s+- s: )(a2 OK)/m },
    { name: 'pop3', record: recordPop3, format: 'telnet', reply: /^(\s+- s: )\+OK\b/m },
  ] as const;

  for (const c of cases) {
    it(`${c.name}: a recorded ${c.format} transcript passes when replayed, and fails with one reply changed`, async () => {
      const transcript = await c.record();
      const { yaml, warnings } = importTranscript(transcript);
      expect(warnings.map((w) => `${w.line}: ${w.message}`)).toEqual([]);
      expect(yaml).not.toContain(demo.env.MAIL_PASS);
      expect(transcript).toContain(demo.env.MAIL_PASS.slice(0, 4));

      const file = await ws.write(`${c.name}.yaml`, yaml);
      const passed = await run([file]);
      expect(passed.code, `${transcript}\n\n${yaml}\n\n${passed.stdout}${passed.stderr}`).toBe(0);

      expect(yaml).toMatch(c.reply);
      const changed = yaml.replace(c.reply, c.name === 'imap' ? '$1a2 NO' : c.name === 'smtp' ? '$1535' : '$1-ERR');
      const broken = await ws.write(`${c.name}-changed.yaml`, changed);
      const failed = await run([broken]);
      expect(failed.code, `${changed}\n\n${failed.stdout}${failed.stderr}`).toBe(1);
    });
  }
});
