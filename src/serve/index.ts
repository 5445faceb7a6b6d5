/** The serve stage (format §9): convospec plays the server, to test mail clients. */
export { serveSuites, listenAddress } from './serve.js';
export type { ServeEnvironment, ServeOptions, ServeOutcome } from './serve.js';
export { checkServable, tlsNeeds } from './check.js';
export { listenTcp, ListenError } from './listen.js';
export type { Listen, Listener } from './listen.js';
export type { CertPair } from './context.js';
