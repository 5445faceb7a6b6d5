/**
 * Text patterns (format §5): an exact string, a `/regex/flags`, a leading backslash that
 * makes a string literal, and `...` in line lists. Regexes are checked here: flags from
 * `imsu`, and that they compile (with each `${…}` standing in for its escaped value).
 */
import type { LinePattern, RegexPattern, TextPattern } from '../kernel/model.js';
import type { YNode } from './nodes.js';
import type { Sink } from './sink.js';
import type { Templates } from './templates.js';
import { checkRegexCompiles, checkRegexFlags, splitRegexLiteral } from './values.js';
import { regexHazard } from '../match/linear.js';

export class Patterns {
  constructor(private readonly templates: Templates) {}

  /** A string that is a regex if it looks like `/…/flags`, else an exact string. */
  text(node: YNode, sink: Sink): TextPattern {
    const text = node.kind === 'string' ? node.str() : node.written();
    if (text.startsWith('\\')) return { kind: 'exact', value: this.templates.slice(node, text.slice(1), 1, sink), span: node.span() };
    if (splitRegexLiteral(text)) return this.regex(node, sink);
    return { kind: 'exact', value: this.templates.slice(node, text, 0, sink), span: node.span() };
  }

  /**
   * A string the schema has already found to be `/…/flags`. A regex with a problem is
   * reported and comes back as one that matches nothing unusual (the file is invalid
   * anyway; this keeps the later checks going).
   */
  regex(node: YNode, sink: Sink): RegexPattern {
    const text = node.str();
    const parts = splitRegexLiteral(text) ?? { body: text, flags: '' };
    const source = this.templates.slice(node, parts.body, 1, sink);
    const regex: RegexPattern = { kind: 'regex', source, flags: '', span: node.span() };
    const flags = checkRegexFlags(parts.flags);
    if (!flags.ok) {
      const offset = node.valueOffset();
      const at = offset === undefined ? node.span() : node.src.span(offset + 1 + parts.body.length + 1, offset + text.length);
      sink.error(flags.code, at, flags.message, flags.hint);
      return regex;
    }
    const probe = source.parts.map((p) => (p.kind === 'text' ? p.value : '0')).join('');
    const compiled = checkRegexCompiles(probe, parts.flags);
    if (!compiled.ok) {
      sink.error(compiled.code, node.span(), compiled.message);
      return regex;
    }
    const hazard = regexHazard(probe, parts.flags);
    if (hazard) {
      sink.error('regex-risky', node.span(), hazard.message, hazard.hint);
      return regex;
    }
    return { ...regex, flags: parts.flags };
  }

  /** An item of a `lines` list: `...` is any number of lines. */
  line(node: YNode, sink: Sink): LinePattern {
    if (node.kind === 'string' && node.str() === '...') return { kind: 'ellipsis', span: node.span() };
    return this.text(node, sink);
  }
}
