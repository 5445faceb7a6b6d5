/**
 * What a server sends is shown so that it cannot pass for something else (spec §4): a
 * backslash that could start an escape shows as `\\`, so the text `\x00` never reads like a
 * NUL byte (IMAP's `\Seen` stays as it is), and invisible format characters (a bidi override
 * that reverses what follows on a terminal, zero-width characters) show as `\u{202E}`, in the
 * console, the JSON and JUnit reports and the transcripts alike.
 */
import { describe, expect, it } from 'vitest';
import { listen, smtpScript } from './peers.js';
import { expectFailure, hostileSetup, jsonTest, matcherAt, runWithReports } from './harness.js';

const { ws: workspaceOf, good: goodOf, start } = hostileSetup();

/** `250 a<NUL>b \x00 <RLO>evil<PDF> <ZWSP> <LRI>x<PDI> <LS> \Seen \<NUL>` */
const TRICKY = Buffer.concat([
  Buffer.from('250 a'),
  Buffer.from([0x00]),
  Buffer.from('b \\x00 \u202eevil\u202c \u200b \u2066x\u2069 \u2028 \\Seen \\', 'utf8'),
  Buffer.from([0x00]),
  Buffer.from(' end\r\n'),
]);
const SHOWN = 'a\\x00b \\\\x00 \\u{202E}evil\\u{202C} \\u{200B} \\u{2066}x\\u{2069} \\u{2028} \\Seen \\\\\\x00 end';

function spec(port: number): string {
  return `name: escaping
timeout: 2s
tests:
  - name: hostile
    connect: { host: 127.0.0.1, port: ${port}, protocol: smtp }
    steps:
      - s: 220
      - c: EHLO client.test
      - s: { code: 250, text: ok } #fails
  - name: good
    connect: { host: 127.0.0.1, port: ${goodOf().port}, protocol: smtp }
    steps:
      - s: 220
      - c: QUIT
      - s: 221
`;
}

describe('a reply with a literal backslash and bidi controls', () => {
  it('shows \\ as \\\\ and format characters as \\u{…} in every output', async () => {
    const peer = await start(listen(smtpScript({ EHLO: (conn) => conn.socket.write(TRICKY) })));
    const text = spec(peer.port);
    const file = await workspaceOf().write('escaping.yaml', text);
    const reports = await runWithReports(workspaceOf(), file);
    const { file: name, line } = matcherAt('escaping.yaml', text);
    expectFailure(reports, { file: name, line }, /expected text "ok"/);
    const outputs = {
      console: reports.cli.stdout,
      json: JSON.stringify(jsonTest(reports, 'hostile')),
      junit: reports.junitText,
      transcripts: [...reports.transcripts.values()].join('\n'),
    };
    for (const [name, output] of Object.entries(outputs)) {
      expect(/[\u200b\u2028\u202a-\u202e\u2066-\u2069]/.test(output), `raw format character in the ${name}`).toBe(false);
    }
    // The failure message quotes the text; the transcript shows the line as it came.
    expect(reports.cli.stdout).toContain(`got "${SHOWN}"`);
    expect(reports.cli.stdout).toContain(`250 ${SHOWN}`);
    expect(jsonTest(reports, 'hostile').failure?.message).toContain(SHOWN);
    expect(jsonTest(reports, 'hostile').transcript.some((e) => e.text.includes(`250 ${SHOWN}`))).toBe(true);
    expect(outputs.transcripts).toContain(`250 ${SHOWN}`);
  });
});
