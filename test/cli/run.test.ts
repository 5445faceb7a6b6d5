/**
 * `convospec run` as a user sees it, in-process (the real CLI, real sockets on 127.0.0.1):
 * the summary, `--verbose`, duration flags, report paths checked before the run.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace, type Workspace } from '../helpers/cli.js';
import { goodPeer, listen, tlsPeer, type Peer } from '../hostile/peers.js';
import { createPki } from '../../src/pki/index.js';

let ws: Workspace;
let good: Peer;

beforeAll(async () => {
  ws = await workspace();
  good = await goodPeer();
  await ws.write(
    'mixed.yaml',
    `name: mixed
connect: { host: 127.0.0.1, port: PORT, protocol: smtp }
tests:
  - name: passes
    steps:
      - s: 220
      - c: QUIT
      - s: 221
  - name: fails
    steps:
      - s: 221
  - name: errors
    # A CA path made from a variable is read when the handshake needs it (a literal one is
    # checked at load): the test errors on our side.
    vars: { ca: missing-ca.pem }
    tls: { ca: "\${ca}" }
    steps:
      - s: 220
      - tls: {}
`.replace('PORT', String(0)),
  );
  // The port is only known now.
  const text = await readFile(join(ws.dir, 'mixed.yaml'), 'utf8');
  await writeFile(join(ws.dir, 'mixed.yaml'), text.replace('port: 0', `port: ${good.port}`));
});

afterAll(async () => {
  await good.close();
  await ws.dispose();
});

describe('the summary', () => {
  it('is one line, in the words of the reports', async () => {
    const run = await ws.run(['run', 'mixed.yaml', '--json', 'summary.json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(await readFile(join(ws.dir, 'summary.json'), 'utf8')) as { summary: { passed: number; failed: number; errored: number } };
    const { passed, failed, errored } = report.summary;
    expect([passed, failed, errored]).toEqual([1, 1, 1]);
    const summaries = run.stdout.split('\n').filter((l) => /^\d+ passed/.test(l));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatch(/^1 passed, 1 failed, 1 errored \(\d/);
  });

  it('--verbose prints each transcript once', async () => {
    const run = await ws.run(['run', 'mixed.yaml', '--verbose', '--grep', 'passes']);
    expect(run.code).toBe(0);
    expect(run.stdout.match(/c: QUIT/g)).toHaveLength(1);
    expect(run.stdout.match(/s: 221 2\.0\.0 Bye/g)).toHaveLength(1);
  });
});

describe('durations on the command line', () => {
  it.each([['--timeout'], ['--duration']])('%s without a unit is refused with a hint, exit 2', async (flag) => {
    const run = await ws.run(['run', 'mixed.yaml', flag, '5']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${flag} needs a unit: "5s"`);
    expect(run.stdout).not.toMatch(/passed/);
  });

  it('a duration with a unit is taken', async () => {
    const run = await ws.run(['run', 'mixed.yaml', '--timeout', '5s', '--grep', 'passes']);
    expect(run.code).toBe(0);
  });
});

describe('report paths', () => {
  it.each([
    [['--transcripts', 'mixed.yaml'], /--transcripts mixed\.yaml: cannot write there: it is a file/],
    [['--junit', '.'], /--junit \.: cannot write there: it is a folder/],
    [['--junit', '/dev/full'], /--junit \/dev\/full: cannot write there: it is not a regular file/],
    [['--junit', '/proc/nonexistent/junit.xml'], /--junit \/proc\/nonexistent\/junit\.xml: cannot write there/],
    [['--json', 'mixed.yaml/report.json'], /--json mixed\.yaml\/report\.json: cannot write there: a part of the path is a file/],
  ])('%j is refused before the run: exit 2, naming the path', async (args, message) => {
    const run = await ws.run(['run', 'mixed.yaml', '--junit', 'ok.xml', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
  });

  it('a report that cannot be written at the end is a message, after the other reports were written; exit 2', async () => {
    const folder = join(ws.dir, 'vanishing');
    // The folder is fine when checked, and a file by the time the report is written.
    const spoiler = await listen((conn) => {
      rmSync(folder, { recursive: true, force: true });
      writeFileSync(folder, 'in the way');
      conn.socket.end('220 ready\r\n');
    });
    try {
      await ws.write('spoiled.yaml', `name: spoiled\nconnect: { host: 127.0.0.1, port: ${spoiler.port}, protocol: smtp }\ntests:\n  - name: greets\n    steps:\n      - s: 220\n`);
      const run = await ws.run(['run', 'spoiled.yaml', '--json', 'vanishing/report.json', '--junit', 'kept/junit.xml', '--transcripts', 'vanishing/t']);
      expect(run.stderr).toContain(`cannot write ${join(folder, 'report.json')}: a part of the path is a file, not a folder`);
      expect(run.stderr).toMatch(/the other reports were written/);
      expect(run.stderr.match(/cannot write/g)).toHaveLength(2);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(await readFile(join(ws.dir, 'kept/junit.xml'), 'utf8')).toContain('name="greets"');
      expect(run.stdout).toMatch(/^1 passed/m);
      expect(run.code).toBe(2);
    } finally {
      await spoiler.close();
    }
  });
});

describe('a huge reply in the reports', () => {
  it('JUnit, JSON and transcripts keep at most the cap of it, and say how much was left out', async () => {
    // Long lines, so that what a test keeps of its transcript (the first and last 500 lines)
    // is still far more than a report keeps of one reply.
    const line = `250-${'x'.repeat(996)}\r\n`;
    const huge = await listen((conn) => {
      conn.socket.write('220 huge.convospec.test ESMTP\r\n');
      conn.lines((l) => {
        if (l.startsWith('EHLO')) conn.socket.write(`${line.repeat(4096)}250 end\r\n`);
        else if (l.startsWith('QUIT')) conn.socket.end('221 bye\r\n');
      });
    });
    try {
      await ws.write('huge.yaml', `name: huge\nconnect: { host: 127.0.0.1, port: ${huge.port}, protocol: smtp }\ntests:\n  - name: four megabytes\n    steps:\n      - s: 220\n      - c: EHLO client.test\n      - s: { code: 250, contains: [NEVER-THERE] }\n`);
      const run = await ws.run(['run', 'huge.yaml', '--junit', 'huge/junit.xml', '--json', 'huge/report.json', '--transcripts', 'huge/t']);
      expect(run.code).toBe(1);
      const junit = await readFile(join(ws.dir, 'huge/junit.xml'), 'utf8');
      const json = await readFile(join(ws.dir, 'huge/report.json'), 'utf8');
      const transcript = await readFile(join(ws.dir, 'huge/t/huge/four-megabytes.txt'), 'utf8');
      for (const text of [junit, json, transcript, run.stdout]) {
        expect(text.length).toBeLessThan(400_000);
        expect(text).toMatch(/more characters of this reply left out \([\d,]+ lines; a report keeps 65,536 per reply\)/);
      }
    } finally {
      await huge.close();
    }
  });
});

describe('--servername', () => {
  it('names the server in every handshake, over the spec: a server reached at another address verifies', async () => {
    // A certificate for mail.convospec.test alone, reached at 127.0.0.1.
    const pki = await createPki({ hosts: ['mail.convospec.test'], ips: [] });
    await ws.write('servername-ca.pem', pki.ca.cert);
    const peer = await tlsPeer(pki.server);
    try {
      const spec = (tls: string): string => `name: sni\nconnect: { host: 127.0.0.1, port: ${peer.port}, protocol: smtp, tls: true }\ntls: { ca: servername-ca.pem${tls} }\ntests:\n  - name: greets\n    steps:\n      - s: 220\n      - c: QUIT\n      - s: 221\n`;
      await ws.write('sni.yaml', spec(''));
      await ws.write('sni-named.yaml', spec(', servername: other.convospec.test'));

      const plain = await ws.run(['run', 'sni.yaml']);
      expect(plain.code).toBe(1);
      expect(plain.stdout).toMatch(/does not match the certificate|IP: 127\.0\.0\.1 is not in the cert/);

      for (const file of ['sni.yaml', 'sni-named.yaml']) {
        const named = await ws.run(['run', file, '--servername', 'mail.convospec.test']);
        expect(named.stdout).toMatch(/^1 passed \(/m);
        expect(named.code).toBe(0);
      }
    } finally {
      await peer.close();
    }
  });

  it.each([['127.0.0.1'], ['not a name'], ['']])('refuses %j: exit 2', async (name) => {
    const run = await ws.run(['run', 'mixed.yaml', '--servername', name]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--servername takes a host name such as mail.example.org');
  });
});
