/** The in-process smtp-server the API's tests run specs against, and the test they share. */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Relay {
  readonly port: number;
  close(): Promise<void>;
}

/** smtp-server on 127.0.0.1, port 0, without STARTTLS and AUTH: it accepts any sender. */
export async function startRelay(): Promise<Relay> {
  const server = new SMTPServer({ disabledCommands: ['STARTTLS', 'AUTH'], logger: false, name: 'mx.convospec.test' });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** A spec's start, its port from `SMTP_PORT`, and a first test that passes against the relay. */
export function specWithGreeting(name: string, testExtra = ''): string {
  return `name: ${name}
connect: { host: 127.0.0.1, port: "\${env.SMTP_PORT}", protocol: smtp }
tests:
  - name: greets and says goodbye
${testExtra}    steps:
      - s: 220
      - c: EHLO client.test
      - s: { code: 250, contains: [PIPELINING] }
      - c: QUIT
      - s: 221
`;
}

/** A test that fails against the relay, at its last step: it takes any sender, the test expects 550. */
export function senderRefusedTest(name: string, stepExtra = ''): string {
  return `  - name: ${name}
    steps:
      - s: 220
      - c: EHLO client.test
      - s: 250
      - c: MAIL FROM:<a@convospec.test>
      - s: 550
${stepExtra}`;
}
