/**
 * Clients that misbehave, and specs that cannot be served (format §9): each failure named at
 * its step, within the timeouts and limits, never a hang; bad specs and busy ports are exit 2.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { python, serve, HAS, freshWorkspace, envelope } from './harness.js';

const ws = freshWorkspace();

const SHORT = `
name: Short
connect: { port: 0, protocol: smtp }
timeout: 2s
tests:
  - name: one message
    steps:
      - s: 220 mail.test ESMTP
      - c: '/^(EHLO|HELO) /i'
      - s: 250 mail.test
${envelope()}      - data: |
          Subject: expected

          the expected body
      - s: 250
      - c: QUIT
      - s: 221
`;

/** A raw TCP client: sends `bytes` after the greeting, then waits for the server to close. */
function raw(port: number, bytes: Buffer | string, hold = true): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    socket.on('data', (d) => {
      if (got === '') {
        if (bytes.length > 0) socket.write(bytes);
        if (!hold) socket.end();
      }
      got += d.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(got));
  });
}

describe('serve: misbehaving clients', () => {
  it.skipIf(!(HAS.python3))('a client that sends the wrong body fails at the data step, with the first line that differs', async () => {
    await ws.write('short.yaml', SHORT);
    const served = await serve(ws, ['short.yaml', '--accept-timeout', '10s']);
    await python(`import smtplib
s = smtplib.SMTP('127.0.0.1', PORT)
try:
    s.sendmail('a@example.test', ['b@example.test'], 'Subject: expected\\r\\n\\r\\nanother body\\r\\n')
except Exception as e:
    print(e)`, served.ports[0]!);
    const result = await served.done;
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('short.yaml:17:9: the message body differs at line 3: expected "the expected body", got "another body"');
  });

  it('no client comes: the test fails with the --accept-timeout reason, at its connect', async () => {
    await ws.write('short.yaml', SHORT);
    const served = await serve(ws, ['short.yaml', '--accept-timeout', '300ms']);
    const result = await served.done;
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('short.yaml:3:1: no client connected within 300ms (--accept-timeout): the test was not played');
  });

  it('a client that sends nothing fails at the step waiting for it, within the timeout', async () => {
    await ws.write('short.yaml', SHORT);
    const served = await serve(ws, ['short.yaml', '--accept-timeout', '10s']);
    await raw(served.ports[0]!, '');
    const result = await served.done;
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('short.yaml:9:13: the client sent no line within 2s');
  });

  it('a client that sends garbage fails at the step, with what it sent shown escaped', async () => {
    await ws.write('short.yaml', SHORT);
    const served = await serve(ws, ['short.yaml', '--accept-timeout', '10s']);
    await raw(served.ports[0]!, Buffer.from([0x00, 0xff, 0x1b, 0x0d, 0x0a]), false);
    const result = await served.done;
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('short.yaml:9:13: expected the client to send a line matching /^(EHLO|HELO) /i, got "\\x00\\xff\\x1b"');
  });

  it('a 1 MB line fails against the line limit, not with a crash', async () => {
    await ws.write('short.yaml', SHORT);
    const served = await serve(ws, ['short.yaml', '--accept-timeout', '10s']);
    await raw(served.ports[0]!, `EHLO ${'x'.repeat(1 << 20)}\r\n`, false);
    const result = await served.done;
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('short.yaml:9:13: the client sent a line longer than 64 KiB');
  });

  it.skipIf(!(HAS.python3))('a body past the reply limit fails the data step at the limit', async () => {
    await ws.write('short.yaml', SHORT.replace('protocol: smtp }', 'protocol: smtp, limits: { reply: 4KiB } }'));
    const served = await serve(ws, ['short.yaml', '--accept-timeout', '10s']);
    await python(`import smtplib
s = smtplib.SMTP('127.0.0.1', PORT)
try:
    s.sendmail('a@example.test', ['b@example.test'], 'Subject: big\\r\\n\\r\\n' + ('x' * 100 + '\\r\\n') * 100)
except Exception as e:
    print(e)`, served.ports[0]!);
    const result = await served.done;
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("short.yaml:17:9: the client's message body is larger than the limit of 4096 bytes");
  });

  it.skipIf(!(HAS.python3))('a connection beyond the tests is closed at once; serve still ends', async () => {
    await ws.write('short.yaml', SHORT.replace('tests:', 'tests:\n  - name: skipped\n    skip: true\n    steps: []'));
    const served = await serve(ws, ['short.yaml', '--accept-timeout', '10s']);
    await python(`import smtplib
s = smtplib.SMTP('127.0.0.1', PORT)
s.sendmail('a@example.test', ['b@example.test'], 'Subject: expected\\r\\n\\r\\nthe expected body\\r\\n')
s.quit()`, served.ports[0]!);
    const result = await served.done;
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain('1 passed, 1 skipped');
    await expect(raw(served.ports[0]!, '')).resolves.toBe('');
  });
});

describe('serve: faults scripted with send, close and silent', () => {
  const FAULTS = `
name: Faults
connect: { port: 0, protocol: smtp }
tests:
  - name: a reply cut in the middle
    steps:
      - send: "220-mail.test half a rep"
      - close: true
  - name: the client must wait
    steps:
      - s: 220 mail.test ESMTP
      - silent: 300ms
      - s: 221 bye
`;

  it('send writes raw bytes and close hangs up; silent fails when the client speaks', async () => {
    await ws.write('faults.yaml', FAULTS);
    const served = await serve(ws, ['faults.yaml', '--accept-timeout', '10s']);
    const cut = await new Promise<string>((resolve) => {
      const socket = net.connect(served.ports[0]!, '127.0.0.1');
      let got = '';
      socket.on('data', (d) => (got += d.toString('latin1')));
      socket.on('close', () => resolve(got));
    });
    const eager = await raw(served.ports[0]!, 'EHLO me\r\n');
    const result = await served.done;
    expect(cut).toBe('220-mail.test half a rep');
    expect(eager).toBe('220 mail.test ESMTP\r\n');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✓ Faults › a reply cut in the middle');
    expect(result.stdout).toContain('faults.yaml:12:9: expected the client to send nothing for 300ms, but it sent: "EHLO me"');
  });
});

describe('serve: specs and ports that cannot be served', () => {
  it('a regex or a matcher map in s: is a load-time error at file:line:col, exit 2, nothing listens', async () => {
    await ws.write('bad.yaml', `
name: Bad
connect: { port: 0, protocol: smtp }
steps:
  - s: '/^220/'
  - c: QUIT
  - s: { code: 221, contains: [Bye] }
  - s: 2xx
`);
    const served = await serve(ws, ['bad.yaml']);
    const result = await served.done;
    expect(served.ports).toEqual([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bad.yaml:5:8: a `/regex/` cannot be sent');
    expect(result.stderr).toContain('bad.yaml:7:32: this `s:` cannot be sent (`contains` checks a reply, it does not make one)');
    expect(result.stderr).toContain('bad.yaml:8:8: a code pattern or a list of codes cannot be sent');
  });

  it('a port in use is a clear error, exit 2', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      await ws.write('short.yaml', SHORT.replace('port: 0', `port: ${port}`));
      const served = await serve(ws, ['short.yaml']);
      const result = await served.done;
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);
    } finally {
      busy.close();
    }
  });
});
