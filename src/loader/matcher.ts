/**
 * The value of `s:` in its normal form (format §5): every shorthand becomes `Matcher` keys.
 * Whether a key makes sense for the protocol is checked later (`semantics.ts`), which
 * needs to know which connection is current; the spans of the keys are kept for it.
 */
import type { Capture, LinePattern, Matcher, Spanned, TextPattern } from '../kernel/model.js';
import type { Template } from '../kernel/template.js';
import type { YNode } from './nodes.js';
import type { BuildNotes } from './notes.js';
import type { Patterns } from './patterns.js';
import type { Sink } from './sink.js';
import type { Span } from '../kernel/span.js';
import { codePattern, parseDuration } from './values.js';
import { buildImapMatcher } from './imap-matcher.js';
import type { Templates } from './templates.js';


type MutableMatcher = { -readonly [K in keyof Matcher]: Matcher[K] };

/**
 * The keys whose own position a later check points at (`semantics.ts`: "`code` makes no
 * sense in imap"); the spans of the others are never asked for, so they are not kept.
 * `semantics.ts` asks only with a `PointedAtKey`, so a new check cannot ask for one not kept.
 */
const POINTED_AT_KEYS = ['code', 'enhanced', 'status', 'multiline', 'imap', 'ehlo'] as const;
export type PointedAtKey = (typeof POINTED_AT_KEYS)[number];
const POINTED_AT: ReadonlySet<string> = new Set(POINTED_AT_KEYS);
/** Keys whose value is `true`: written bare (`s: any`), they are a likely slip for the key. */
const FLAG_KEYS: ReadonlySet<string> = new Set(['any', 'closed']);
/** What may stand beside `until`. */
const UNTIL_KEYS: ReadonlySet<string> = new Set(['until', 'skip', 'max', 'timeout']);
/** Keys that say what the reply must be (`serve` only says what serve sends). */
const MATCHING_KEYS: ReadonlySet<string> = new Set(['code', 'enhanced', 'status', 'text', 'whole', 'lines', 'match', 'contains', 'excludes', 'ehlo', 'closed', 'any', 'oneOf', 'imap', 'until']);
/** Replies `until` reads past at most, unless `max` says otherwise. */
export const DEFAULT_UNTIL_MAX = 1000;

export class Matchers {
  constructor(
    readonly patterns: Patterns,
    private readonly notes: BuildNotes,
    private readonly templates: Templates,
  ) {}

  /**
   * Always a matcher: problems are reported, and the parts at fault stand in as placeholders.
   * A shorthand (`s: 250`) keeps no key spans: its code's span is the matcher's own, which is
   * what the checks fall back to.
   */
  build(node: YNode, sink: Sink): Matcher {
    switch (node.kind) {
      case 'number': {
        const span = node.span();
        return { span, code: [{ value: node.written(), span }] };
      }
      case 'string':
        return this.fromString(node, sink);
      case 'list':
        return { span: node.span(), lines: this.lines(node, sink) };
      case 'map':
        return this.fromMap(node, sink);
      case 'boolean':
      case 'null':
        // The schema refuses these; nothing to build.
        return { span: node.span(), any: { value: true, span: node.span() } };
      default: {
        const never: never = node.kind;
        throw new Error(`unexpected matcher node ${String(never)}`);
      }
    }
  }

  private fromString(node: YNode, sink: Sink): Matcher {
    const text = node.str();
    const code = codePattern(text);
    const span = node.span();
    if (code !== undefined) return { span, code: [{ value: code, span }] };
    if (FLAG_KEYS.has(text)) {
      sink.error('matcher-flag-as-text', span, `\`${text}\` here matches a reply whose whole text is \`${text}\``, `did you mean \`{ ${text}: true }\`? To match the text, write \`'\\${text}'\``);
    }
    const pattern = this.patterns.text(node, sink);
    return pattern.kind === 'regex' ? { span, match: pattern } : { span, whole: pattern };
  }

  private fromMap(node: YNode, sink: Sink): Matcher {
    const m: MutableMatcher = { span: node.span() };
    const spans: [string, Span][] = [];
    for (const entry of node.entries()) {
      const key = entry.key ?? '';
      if (POINTED_AT.has(key)) spans.push([key, entry.keySpan()]);
      switch (key) {
        case 'code':
          m.code = this.codes(entry);
          break;
        case 'enhanced':
          m.enhanced = { value: entry.str().toLowerCase(), span: entry.span() };
          break;
        case 'status':
          m.status = (entry.kind === 'list' ? entry.items() : [entry]).map((n) => ({ value: n.str(), span: n.span() }));
          break;
        case 'text':
          m.text = this.patterns.text(entry, sink);
          break;
        case 'lines':
          m.lines = this.lines(entry, sink);
          break;
        case 'match':
          m.match = this.patterns.regex(entry, sink);
          break;
        case 'contains':
          m.contains = this.list(entry, sink);
          break;
        case 'excludes':
          m.excludes = this.list(entry, sink);
          break;
        case 'ehlo': {
          const words = (key: string): Spanned<string>[] => {
            const n = entry.get(key);
            return (n === undefined ? [] : n.kind === 'list' ? n.items() : [n]).map((item) => ({ value: item.str(), span: item.span() }));
          };
          m.ehlo = { span: entry.span(), has: words('has'), lacks: words('lacks') };
          break;
        }
        case 'capture':
          m.capture = this.captures(entry, sink);
          break;
        case 'closed':
          m.closed = { value: true, span: entry.span() };
          break;
        case 'any':
          m.any = { value: true, span: entry.span() };
          break;
        case 'oneOf':
          m.oneOf = entry.items().map((item) => this.build(item, sink));
          break;
        case 'imap':
          m.imap = buildImapMatcher(entry, this.templates, this.notes, sink);
          break;
        case 'multiline':
          m.multiline = { value: entry.bool(), span: entry.span() };
          break;
        case 'serve':
          m.serve = this.serveLines(entry, sink);
          break;
        case 'until':
        case 'skip':
        case 'max':
          // Read together, after the loop (`until`).
          break;
        case 'timeout': {
          const d = parseDuration(entry.kind === 'number' ? entry.num() : entry.str());
          if (d.ok) m.timeoutMs = d.value;
          else sink.error(d.code, entry.span(), d.message, d.hint);
          break;
        }
        default:
          // The schema allows no other key.
          break;
      }
    }
    const until = node.get('until');
    if (until) m.until = this.until(node, until, sink);
    else {
      for (const key of ['skip', 'max']) {
        const lone = node.get(key);
        if (lone) sink.error('missing-key', lone.keySpan(), `\`${key}\` goes with \`until\``, 'read replies until one matches: `s: { until: <matcher>, skip: <matcher>, max: N }`');
      }
    }
    const served = node.get('serve');
    if (served && !Object.keys(m).some((key) => MATCHING_KEYS.has(key))) {
      sink.error('missing-key', served.keySpan(), '`serve` says what `convospec serve` sends; `run` needs something to match beside it', 'add what the reply must be: `s: { match: /^250 /, serve: "250 OK" }`, or write the reply itself: `s: "250 OK"`');
    }
    return this.keep(m, spans);
  }

  /** `serve`: a string's lines (a final line end not doubled), or a list of lines. */
  private serveLines(node: YNode, sink: Sink): Spanned<readonly Template[]> {
    if (node.kind === 'list') return { value: node.items().map((item) => this.templates.slice(item, item.str(), 0, sink)), span: node.span() };
    const text = node.str();
    const lines: Template[] = [];
    let at = 0;
    for (const line of text.replace(/\n$/, '').split('\n')) {
      lines.push(this.templates.slice(node, line, at, sink));
      at += line.length + 1;
    }
    return { value: lines, span: node.span() };
  }

  /** `until`, `skip`, `max`: the other checks go inside `until`. */
  private until(node: YNode, until: YNode, sink: Sink): NonNullable<Matcher['until']> {
    for (const entry of node.entries()) {
      const key = entry.key ?? '';
      if (UNTIL_KEYS.has(key)) continue;
      sink.error('exclusive-keys', entry.keySpan(), `\`${key}\` cannot stand beside \`until\``, `put it inside: \`until: { ${key}: … }\` checks the awaited reply, \`skip: { ${key}: … }\` each one before it`);
    }
    const skip = node.get('skip');
    const max = node.get('max');
    return {
      span: until.keySpan(),
      match: this.build(until, sink),
      ...(skip ? { skip: this.build(skip, sink) } : {}),
      max: max ? max.num() : DEFAULT_UNTIL_MAX,
    };
  }

  private codes(entry: YNode): Spanned<string>[] {
    const one = (n: YNode): Spanned<string> => ({ value: n.kind === 'number' ? n.written() : n.str().toLowerCase(), span: n.span() });
    return entry.kind === 'list' ? entry.items().map(one) : [one(entry)];
  }

  private lines(node: YNode, sink: Sink): Spanned<readonly LinePattern[]> {
    return { value: node.items().map((item) => this.patterns.line(item, sink)), span: node.span() };
  }

  private list(node: YNode, sink: Sink): TextPattern[] {
    return (node.kind === 'list' ? node.items() : [node]).map((n) => this.patterns.text(n, sink));
  }

  private captures(node: YNode, sink: Sink): Capture[] {
    return node.entries().map((entry) => ({ name: entry.key ?? '', regex: this.patterns.regex(entry, sink), span: entry.keySpan() }));
  }

  private keep(m: Matcher, spans: readonly [string, Span][]): Matcher {
    if (spans.length > 0) this.notes.setKeySpans(m, new Map(spans));
    return m;
  }
}
