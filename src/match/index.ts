/** Pure reply matchers (format §5). */
export { matchReply } from './matcher.js';
export type { Observed, MatchResult, MatchFailure, MatchContext } from './types.js';
export { codeFits, enhancedFits } from './code.js';
export { waitedTags } from './imap.js';
