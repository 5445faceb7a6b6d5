/**
 * The pure, typed model of a spec that the engine runs (docs/format.md).
 * No YAML nodes and no I/O here: the loader (`spec/load.ts`) builds it, the engine reads it.
 * Every node carries the span of the YAML it came from, so any failure can point at it.
 * Defaults are already applied and file/test/step settings already merged where the
 * format says they merge, so the engine never looks upward.
 */
import type { Span } from './span.js';
import type { Template } from './template.js';

/**
 * The protocols convospec knows, one key each. The kernel imports nothing of the project, so
 * the protocol registry (`src/protocol/registry.ts`), the one list of protocols, fills this
 * in by declaration merging; `ProtocolName` is the union of its keys.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ProtocolNames {}

export type ProtocolName = keyof ProtocolNames & string;

export interface Limits {
  /** Longest line, in bytes, EOL excluded (default 64 KiB). */
  readonly lineBytes: number;
  /** Largest reply, in bytes, all its lines and literals (default 16 MiB). */
  readonly replyBytes: number;
}

/** A string or `/regex/` to compare with a value (reply text, a line, a TLS field). */
export type TextPattern =
  | { readonly kind: 'exact'; readonly value: Template; readonly span: Span }
  /** `${…}` inside `source` is replaced by its value, regex-escaped (format §5). */
  | { readonly kind: 'regex'; readonly source: Template; readonly flags: string; readonly span: Span };

export type RegexPattern = Extract<TextPattern, { kind: 'regex' }>;

/** An item of a `lines:` list: a pattern, or `...` for any number of lines. */
export type LinePattern = TextPattern | { readonly kind: 'ellipsis'; readonly span: Span };

export interface Spanned<T> {
  readonly value: T;
  readonly span: Span;
}

export interface Capture {
  readonly name: string;
  readonly regex: RegexPattern;
  readonly span: Span;
}

/**
 * The value of `s:` in its normal form: every shorthand of format §5 is turned into keys.
 * `20x`-style codes are kept as three-character patterns of digits and `x`.
 */
export interface Matcher {
  readonly span: Span;
  readonly code?: readonly Spanned<string>[];
  readonly enhanced?: Spanned<string>;
  /** Any of these status words. */
  readonly status?: readonly Spanned<string>[];
  readonly text?: TextPattern;
  /** The string shorthand: the whole reply (lines joined by `\n`) equals it. */
  readonly whole?: TextPattern;
  readonly lines?: Spanned<readonly LinePattern[]>;
  readonly match?: RegexPattern;
  readonly contains?: readonly TextPattern[];
  readonly excludes?: readonly TextPattern[];
  /** smtp/lmtp: EHLO keywords that must (`has`) and must not (`lacks`) be advertised. */
  readonly ehlo?: { readonly span: Span; readonly has: readonly Spanned<string>[]; readonly lacks: readonly Spanned<string>[] };
  readonly capture?: readonly Capture[];
  readonly closed?: Spanned<true>;
  readonly any?: Spanned<true>;
  readonly oneOf?: readonly Matcher[];
  readonly multiline?: Spanned<boolean>;
  readonly timeoutMs?: number;
  /** `imap:` structural matching (format §5, imap only). */
  readonly imap?: ImapMatcher;
  /**
   * `until`: read replies until one matches `match` (its captures are taken); each one before
   * it must match `skip` when given; at most `max` of them. Stands alone (with `timeout`).
   */
  readonly until?: { readonly span: Span; readonly match: Matcher; readonly skip?: Matcher; readonly max: number };
  /**
   * `serve`: the lines `convospec serve` sends for this step (format §9), which a regex or
   * the other checks cannot say; `run` does not read it. Written by `import` and `record`
   * beside a regex for a reply with values that vary, as the server sent them.
   */
  readonly serve?: Spanned<readonly Template[]>;
}

/**
 * `imap:` (format §5): responses parsed as IMAP values and matched as imaptest matches them.
 * Patterns are parsed when the spec loads; list directives are already resolved (defaults
 * included), so matching needs no knowledge of response kinds.
 */
export interface ImapMatcher {
  readonly span: Span;
  /** A set: each matches a distinct untagged response, in any order. */
  readonly untagged: readonly ImapPattern[];
  /**
   * Untagged responses that may come (imaptest's `?` lines): each takes the first response
   * not yet taken that it matches, if any, which is then no extra.
   */
  readonly optional?: readonly ImapPattern[];
  /** No untagged response may match any of these (imaptest's `!` lines). */
  readonly forbid: readonly ImapPattern[];
  /** Untagged responses that no `untagged` pattern took are allowed (default true). */
  readonly extra: boolean;
  /**
   * Completions: one without a tag is the reply's own (its tagged completion, or the
   * greeting); with tags, each tag's, and the reply is read until every listed tag has
   * completed. None written: a reply that ends in a tagged completion must end in `OK`.
   */
  readonly tagged: readonly ImapCompletion[];
}

export interface ImapCompletion {
  readonly tag?: string;
  /** The status word (`OK`, `NO`, `BAD`) and a prefix of the resp-text, as one pattern. */
  readonly pattern: ImapPattern;
}

export interface ImapPattern {
  readonly span: Span;
  /** The pattern as written, for messages. */
  readonly source: string;
  /** The string it was read from, for the loader's variable checks. */
  readonly template: Template;
  /** The response's values after `*` (or the tag), matched in order. */
  readonly items: ImapPatternList;
  /** `true`: the response may have more values after these (status responses, completions). */
  readonly prefix: boolean;
  /** Names of the `$name` variables in it, in order of first use. */
  readonly vars: readonly string[];
}

/** How a parenthesised (or bracketed) list compares, after imaptest's `$!` directives. */
export type ImapListOrder =
  | { readonly kind: 'ordered'; readonly extra: boolean }
  | {
      readonly kind: 'unordered';
      /** Elements come in chains of this many (`$!unordered=2`: FETCH `name value` pairs). */
      readonly chain: number;
      readonly extra: boolean;
      /** Upper-cased first elements of chains allowed as extras even when `extra` is false. */
      readonly ignore: readonly string[];
      /** Upper-cased first elements of chains never allowed as extras. */
      readonly ban: readonly string[];
    };

export interface ImapPatternList {
  readonly kind: 'list';
  readonly open: '(' | '[' | '';
  readonly items: readonly ImapPatternNode[];
  readonly order: ImapListOrder;
}

/** A piece of a pattern word: text, or a `${…}` template whose value is inserted. */
export type ImapWordPart = string | Template;

export type ImapPatternNode =
  /** An atom, number or string: compared with any received atom, number, string or literal, in any case. */
  | { readonly kind: 'word'; readonly parts: readonly ImapWordPart[]; /** Upper-cased text when there is no template. */ readonly upper?: string }
  | { readonly kind: 'nil' }
  /** `$`: any one value, a list included. */
  | { readonly kind: 'any' }
  /** `$name`: bound on first use (to an atom, number or string), compared after. */
  | { readonly kind: 'var'; readonly name: string }
  /**
   * `$1`, `$2`…: the sequence number that message n had when the command was sent, as the
   * EXPUNGE responses received before the response being matched have moved it.
   */
  | { readonly kind: 'seq'; readonly n: number }
  | ImapPatternList;

export interface TlsExpect {
  readonly span: Span;
  readonly protocol?: TextPattern;
  readonly cipher?: TextPattern;
  readonly subject?: TextPattern;
  readonly issuer?: TextPattern;
  readonly altNames?: TextPattern;
  readonly authorized?: Spanned<boolean>;
  readonly validDays?: Spanned<number>;
  /** The handshake must fail with an error matching this. */
  readonly error?: RegexPattern;
}

/** TLS options after merging file → test → step/connect, key by key (format §6). */
export interface TlsOptions {
  readonly span: Span;
  readonly servername?: Template;
  readonly verify: boolean;
  /** File paths, relative to the spec file's folder (`Suite.baseDir`) once evaluated. */
  readonly ca?: Template;
  readonly cert?: Template;
  readonly key?: Template;
  readonly minVersion?: string;
  readonly maxVersion?: string;
  readonly ciphers?: string;
  readonly alpn?: readonly string[];
  readonly expect?: TlsExpect;
}

/** The name of a test's own connection (`use: main`). */
export const MAIN_CONNECTION = 'main';

export interface ConnectSpec {
  readonly span: Span;
  readonly host: Template;
  readonly port: Template;
  readonly protocol: ProtocolName;
  /** Implicit TLS at connect, with the merged options. Absent: plain TCP. */
  readonly tls?: TlsOptions;
  readonly timeoutMs: number;
  readonly eol: 'crlf' | 'lf';
  readonly limits: Limits;
  /** Name for `use`; the test's own connection is `MAIN_CONNECTION`. */
  readonly as?: string;
}

export interface VarDef {
  readonly name: string;
  readonly value: Template;
  readonly span: Span;
}

export type RawBytes =
  | { readonly kind: 'text'; readonly value: Template }
  | { readonly kind: 'hex'; readonly value: string }
  | { readonly kind: 'base64'; readonly value: string };

export type DataBody =
  | { readonly kind: 'text'; readonly value: Template; readonly dotStuff: boolean }
  /** Path relative to `Suite.baseDir` once evaluated. */
  | { readonly kind: 'file'; readonly path: Template; readonly dotStuff: boolean }
  /**
   * `convospec serve` only: what the client's body must hold (docs/format.md, Serve): `any`
   * body, a `match` regex searched in it, `headers` (name → exact text or `/regex/`).
   */
  | { readonly kind: 'expect'; readonly span: Span; readonly any: boolean; readonly match?: RegexPattern; readonly headers: readonly DataHeader[] };

/** `data: {headers: {Subject: …}}`: a header of the client's message (serve). */
export interface DataHeader {
  readonly name: string;
  readonly pattern: TextPattern;
}

/** One entry of a `when:` map: the variable `name` equals one of `values` (or, `negated`, none of them). */
export interface WhenTerm {
  readonly name: string;
  readonly values: readonly string[];
  readonly negated: boolean;
  /** The entry's key, where an unknown name is reported. */
  readonly span: Span;
}

/** A step's `when:`: every term holds. */
export interface Condition {
  readonly span: Span;
  readonly terms: readonly WhenTerm[];
}

interface StepBase {
  readonly span: Span;
  readonly name?: string;
  /** The step's own `timeout`; absent: the test's reply timeout. */
  readonly timeoutMs?: number;
  /** `when:`: the step runs only when this holds, and is passed over otherwise. */
  readonly when?: Condition;
}

export type Step =
  | (StepBase & { readonly kind: 'c'; readonly lines: readonly Template[] })
  | (StepBase & { readonly kind: 'send'; readonly bytes: RawBytes })
  | (StepBase & { readonly kind: 'data'; readonly body: DataBody })
  | (StepBase & { readonly kind: 's'; readonly matcher: Matcher })
  | (StepBase & { readonly kind: 'tls'; readonly options: TlsOptions })
  | (StepBase & { readonly kind: 'connect'; readonly connect: ConnectSpec })
  | (StepBase & { readonly kind: 'use'; /** The connection (`as:`) to make current. */ readonly connection: string })
  | (StepBase & { readonly kind: 'close' })
  | (StepBase & { readonly kind: 'silent'; readonly durationMs: number })
  | (StepBase & { readonly kind: 'sleep'; readonly durationMs: number })
  | (StepBase & { readonly kind: 'set'; readonly vars: readonly VarDef[] })
  | (StepBase & { readonly kind: 'repeat'; readonly times: number; readonly as?: string; readonly steps: readonly Step[] })
  | (StepBase & { readonly kind: 'retry'; readonly times: number; readonly delayMs: number; readonly steps: readonly Step[] })
  | (StepBase & { readonly kind: 'include'; readonly fragment: Fragment; readonly with: readonly VarDef[] });

/** A step's kind is its YAML key (`c`, `send`, `s`, …: format §3). */
export type StepKind = Step['kind'];

/** The step of one kind. */
export type StepOf<K extends StepKind> = Extract<Step, { kind: K }>;

export interface Fragment {
  /** Display path (relative to cwd), as in spans. */
  readonly file: string;
  readonly description: string;
  readonly baseDir: string;
  /** Default values of parameters. */
  readonly vars: readonly VarDef[];
  readonly steps: readonly Step[];
  /** Variables the fragment uses but does not set: each include must supply them. */
  readonly params: readonly string[];
}

export interface Test {
  readonly name: string;
  readonly span: Span;
  readonly tags: readonly string[];
  /** `skip: true` → `{}`; `skip: "reason"` → `{ reason }`. */
  readonly skip?: { readonly reason?: string };
  /** `xfail: reason`: a known failure; its passing fails the run. */
  readonly xfail?: string;
  /** The file's and the test's `requires`, each once: capabilities the server must advertise. */
  readonly requires?: readonly Spanned<string>[];
  /** This test's combination of `matrix` values, set before the file's `vars`. */
  readonly matrix?: readonly VarDef[];
  /** File's and test's `connect`, merged. Absent: the first step must be a `connect` step. */
  readonly connect?: ConnectSpec;
  /** Default wait for each reply (test → file → 10s). */
  readonly timeoutMs: number;
  /** Most the whole test may take (test → file → 5m). */
  readonly deadlineMs: number;
  /** The test's own `vars`, evaluated after the file's. */
  readonly vars: readonly VarDef[];
  readonly steps: readonly Step[];
}

export interface Suite {
  /** Display path (relative to cwd), used in spans and reports. */
  readonly file: string;
  /** Folder of the spec file, absolute: relative paths (ca, data files) resolve against it. */
  readonly baseDir: string;
  readonly span: Span;
  readonly name: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly serial: boolean;
  readonly vars: readonly VarDef[];
  readonly secrets: readonly string[];
  readonly tests: readonly Test[];
}
