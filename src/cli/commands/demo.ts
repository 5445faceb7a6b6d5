/**
 * `convospec demo [paths]` (what `npm start` runs): start the embedded demo mail servers on
 * loopback, run the specs against them with the demo's environment variables, stop them.
 */
import { runCommand, type RunFlags } from './run.js';
import type { Io } from '../io.js';

export async function demoCommand(paths: string[], flags: RunFlags, io: Io): Promise<number> {
  // Imported here, by this exact path: the build makes the demo servers a file of their own,
  // loaded only by this command (rolldown.config.mjs).
  const { startDemo } = await import('../../demo/index.js');
  const demo = await startDemo({ host: '127.0.0.1' });
  try {
    io.stderr.write(`demo mail servers on ${demo.env.MAIL_HOST}: SMTP ${demo.env.SMTP_PORT}, submission ${demo.env.SUBMISSION_PORT}, SMTPS ${demo.env.SMTPS_PORT}, IMAP ${demo.env.IMAP_PORT}, POP3 ${demo.env.POP3_PORT}\n`);
    // The demo's variables win: a user's own SMTP_PORT must not send the demo run elsewhere.
    return await runCommand(paths, flags, io, demo.env);
  } finally {
    await demo.close();
  }
}
