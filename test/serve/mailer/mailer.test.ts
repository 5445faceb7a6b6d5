/**
 * The example of docs/testing-your-mailer.md, run for real: a mailer (nodemailer) tested
 * against `convospec serve` scripting a 421, a TLS failure and a slow server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { builtCli } from '../../helpers/build.js';

// The mailer under test: sends an alert, and must fail cleanly when the server misbehaves.
function sendAlert(port: number, text: string): Promise<unknown> {
  const transport = nodemailer.createTransport({ host: 'localhost', port, secure: false, socketTimeout: 1000 });
  return transport.sendMail({ from: 'alerts@example.test', to: 'oncall@example.test', subject: `ALERT: ${text}`, text });
}

let server: ChildProcess;
let port = 0;

beforeAll(async () => {
  // In a project of your own: spawn('npx', ['convospec', 'serve', 'mailer-faults.yaml'], …)
  server = spawn(process.execPath, [builtCli(), 'serve', 'mailer-faults.yaml'], { cwd: import.meta.dirname, stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: server.stdout! })) {
    const listening = /^listening on \S+:(\d+) \(smtp\)$/.exec(line);
    if (listening) {
      port = Number(listening[1]);
      break;
    }
  }
}, 60_000);

afterAll(async () => {
  // serve exits 0 when the mailer did what every test of the spec says, 1 otherwise.
  const [code] = server.exitCode === null ? await once(server, 'exit') : [server.exitCode];
  expect(code).toBe(0);
});

it('reports a 421 as a temporary failure', async () => {
  await expect(sendAlert(port, 'disk full')).rejects.toMatchObject({ responseCode: 421 });
});

it('refuses a certificate it cannot verify', async () => {
  await expect(sendAlert(port, 'disk full')).rejects.toThrow(/certificate/);
});

it('gives up on a server that stalls after the message', async () => {
  await expect(sendAlert(port, 'disk full')).rejects.toMatchObject({ code: 'ETIMEDOUT' });
});
