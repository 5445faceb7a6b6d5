/**
 * `convospec/vitest` in this repository's own suite: tests of the regression suite that touch
 * no mailbox (Postfix's MX greeting and STARTTLS, Dovecot's LOGINDISABLED and IMAPS
 * certificate), as vitest tests, against the real servers (the env file of
 * test/servers/start.sh, which .ci/run sources). Without those servers: one skipped test.
 */
import { it } from 'vitest';
import { defineSpecs } from '../../src/vitest/index.js';
import { ROOT } from '../helpers/build.js';

const env = process.env;
const real = env.MAIL_HOST !== undefined && env.MAIL_CA !== undefined && env.SMTP_PORT !== undefined && env.IMAP_PORT !== undefined;

if (real) {
  defineSpecs('specs/smtp-mx.yaml', { cwd: ROOT, env, grep: /Greeting and EHLO|STARTTLS upgrades|offers no AUTH/ });
  defineSpecs(['specs/imap.yaml'], { cwd: ROOT, env, grep: /LOGINDISABLED is announced|IMAPS presents/, name: 'Dovecot' });
} else {
  it.skip('specs/ as vitest tests (skipped: MAIL_HOST, MAIL_CA, SMTP_PORT and IMAP_PORT are not set; source the env file test/servers/start.sh prints)', () => {});
}
