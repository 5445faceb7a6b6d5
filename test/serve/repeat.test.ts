/**
 * `serve --repeat N` (each test N times, with `run`'s load statistics) and `--loop` (until
 * Ctrl-C), format §9.
 */
import { describe, expect, it } from 'vitest';
import { python, serve, HAS, freshWorkspace, envelope } from './harness.js';

const ws = freshWorkspace();

const SINK = `
name: Sink
connect: { port: 0, protocol: smtp }
tests:
  - name: accept one message
    steps:
      - s: 220 sink ESMTP
      - c: '/^EHLO /i'
      - s: 250 sink
${envelope()}      - data: { any: true }
      - s: 250
      - c: QUIT
      - s: 221
`;

const SEND = (count: number): string => `import smtplib
for i in range(${count}):
    s = smtplib.SMTP('127.0.0.1', PORT)
    s.sendmail('a@example.test', ['b@example.test'], 'Subject: %d\\r\\n\\r\\nbody\\r\\n' % i)
    s.quit()`;

describe('serve: --repeat and --loop', () => {
  it.skipIf(!(HAS.python3))('--repeat 5 plays the test five times and prints the load statistics', async () => {
    await ws.write('sink.yaml', SINK);
    const served = await serve(ws, ['sink.yaml', '--repeat', '5', '--accept-timeout', '10s', '--json', 'report.json']);
    const py = await python(SEND(5), served.ports[0]!);
    const result = await served.done;
    expect(py.stderr).toBe('');
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/5 sessions/);
  });

  it.skipIf(!(HAS.python3))('--repeat: sessions no client came for fail with the accept-timeout reason', async () => {
    await ws.write('sink.yaml', SINK);
    const served = await serve(ws, ['sink.yaml', '--repeat', '3', '--accept-timeout', '500ms']);
    await python(SEND(1), served.ports[0]!);
    const result = await served.done;
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/3 sessions/);
    expect(result.stdout).toContain('no client connected within 500ms');
  });

  it.skipIf(!(HAS.python3))('--loop plays the tests again and again until Ctrl-C (exit 130)', async () => {
    await ws.write('sink.yaml', SINK);
    const served = await serve(ws, ['sink.yaml', '--loop', '--accept-timeout', '200ms']);
    const py = await python(SEND(3), served.ports[0]!);
    served.stop();
    const result = await served.done;
    expect(py.stderr).toBe('');
    expect(result.code).toBe(130);
    expect(result.stdout).toContain('1 passed');
  });
});
