export { startDemo, DEMO_DOMAIN, DEMO_FROM, DEMO_PASS, DEMO_SERVERNAME, DEMO_USER } from './demo.js';
export type { Demo, DemoEnv, DemoOptions } from './demo.js';
export type { DemoLogger } from './logger.js';
export { DEFAULT_LIMITS } from './limits.js';
export type { DemoLimits } from './limits.js';
export { MailStore, Mailbox } from './mailbox.js';
export type { StoredMessage } from './mailbox.js';
