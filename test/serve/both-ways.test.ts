/**
 * Format §9: a spec whose `s:` are literal texts and whose `c:` are literal lines runs both
 * ways. `convospec serve` plays it as the server, `convospec run` plays it as the client,
 * against each other: both pass, and a change on one side fails both at the same step.
 */
import { describe, expect, it } from 'vitest';
import { serve, freshWorkspace } from './harness.js';

const ws = freshWorkspace();

const spec = (quit: string): string => `
name: Both ways
connect: { port: "\${port}", protocol: smtp }
vars: { port: "0", user: alice, pass: "both-Ways-9" }
secrets: [pass]
tests:
  - name: a session
    steps:
      - s: 220 mail.test ESMTP
      - c: EHLO client.test
      - s: ["250-mail.test", "250 AUTH PLAIN"]
      - c: AUTH PLAIN \${sasl_plain(user, pass)}
      - s: 235 2.7.0 Authentication successful
      - c: MAIL FROM:<alice@example.test>
      - s: 250 OK
      - c: RCPT TO:<bob@example.test>
      - s: 250 OK
      - c: DATA
      - s: 354 go ahead
      - data: |
          Subject: both ways

          .a dot-stuffed line
          the end
      - s: 250 queued
      - c: ${quit}
      - s: 221 bye
`;

describe('serve and run play the same spec against each other', () => {
  it('both pass', async () => {
    await ws.write('both.yaml', spec('QUIT'));
    const served = await serve(ws, ['both.yaml', '--accept-timeout', '10s']);
    const run = await ws.run(['run', 'both.yaml', '--var', `port=${served.ports[0]}`]);
    const result = await served.done;
    expect(run.code, run.stdout).toBe(0);
    expect(result.code, result.stdout).toBe(0);
    expect(run.stdout + result.stdout).not.toContain('both-Ways-9');
  });

  it('a client that says something else fails on both sides at that step', async () => {
    await ws.write('server.yaml', spec('QUIT'));
    await ws.write('client.yaml', spec('RSET'));
    const served = await serve(ws, ['server.yaml', '--accept-timeout', '10s', '--timeout', '2s']);
    const run = await ws.run(['run', 'client.yaml', '--var', `port=${served.ports[0]}`, '--timeout', '2s']);
    const result = await served.done;
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('server.yaml:26:12: expected the client to send "QUIT", got "RSET"');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('client.yaml:27:12: expected a reply, but the server closed the connection');
  });

  it('a reply that varies: run matches the regex, serve sends what serve: says (format §9)', async () => {
    await ws.write(
      'varies.yaml',
      spec('QUIT').replace(
        '      - s: 250 queued\n',
        "      - s:\n          match: '/^250 queued as [0-9A-F]+$/'\n          serve: 250 queued as 4F3A2B\n",
      ),
    );
    const served = await serve(ws, ['varies.yaml', '--accept-timeout', '10s']);
    const run = await ws.run(['run', 'varies.yaml', '--var', `port=${served.ports[0]}`, '--verbose']);
    const result = await served.done;
    expect(run.code, run.stdout).toBe(0);
    expect(result.code, result.stdout).toBe(0);
    expect(run.stdout).toContain('s: 250 queued as 4F3A2B');
  });
});
