import type { Matcher, ProtocolName } from '../kernel/model.js';
import type { Span } from '../kernel/span.js';
import type { Reply } from '../protocol/types.js';
import type { RegexCache } from '../template/regex.js';
import type { Scope, Value } from '../template/types.js';

/** What one `s:` step saw: a whole reply, or the server closing the connection (EOF). */
export type Observed = { readonly kind: 'reply'; readonly reply: Reply } | { readonly kind: 'closed' };

export interface MatchFailure {
  readonly ok: false;
  /** One sentence a mail admin understands: `expected reply code 235, got 535`. */
  readonly message: string;
  /** The matcher key (or list item) that failed, so the report points there. */
  readonly span: Span;
  readonly expected?: string;
  readonly actual?: string;
}

/** `captures` may be shared between results: read it, never write to it. */
export type MatchResult = { readonly ok: true; readonly captures: ReadonlyMap<string, Value> } | MatchFailure;

export interface MatchContext {
  readonly protocol: ProtocolName;
  /** Compiled regexes, shared across steps; optional (without it each regex is compiled afresh). */
  readonly regexCache?: RegexCache;
}

/** What every check gets besides its key and the reply. */
export interface MatchEnv {
  readonly scope: Scope;
  readonly ctx: MatchContext;
}

/** A failed check before it is marked `ok: false`. */
export type Miss = Omit<MatchFailure, 'ok'>;

/** One matcher key's check against a reply: undefined when it holds or is not given. */
export type Check = (m: Matcher, reply: Reply, env: MatchEnv) => Miss | undefined;
