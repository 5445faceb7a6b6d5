/**
 * `imap:` in a matcher (format §5): its patterns parsed when the spec loads, so a pattern
 * that is no IMAP is an error at its own column.
 */
import type { ImapCompletion, ImapMatcher, ImapPattern } from '../kernel/model.js';
import type { YNode } from './nodes.js';
import type { BuildNotes } from './notes.js';
import type { Sink } from './sink.js';
import type { Templates } from './templates.js';
import { parseImapPattern, type ImapPatternRole } from '../match/imap-pattern.js';

/** What a pattern that failed stands in for: one that any response matches. */
const PLACEHOLDER: Omit<ImapPattern, 'span' | 'template'> = { source: '$', items: { kind: 'list', open: '', items: [], order: { kind: 'ordered', extra: true } }, prefix: true, vars: [] };

export function buildImapMatcher(node: YNode, templates: Templates, notes: BuildNotes, sink: Sink): ImapMatcher {
  const pattern = (n: YNode, role: ImapPatternRole): ImapPattern => {
    const t = templates.read(n, sink);
    const parsed = parseImapPattern(t, role);
    if (parsed.ok) return { ...parsed.pattern, template: t, span: n.span() };
    sink.error('imap-pattern', notes.locate(t, parsed.offset, parsed.length), parsed.message, parsed.hint);
    return { ...PLACEHOLDER, template: t, span: n.span() };
  };
  const list = (n: YNode | undefined): ImapPattern[] => (n === undefined ? [] : (n.kind === 'list' ? n.items() : [n]).map((item) => pattern(item, 'untagged')));
  const tagged = node.get('tagged');
  let completions: ImapCompletion[];
  if (tagged === undefined) completions = [];
  else if (tagged.kind === 'map') completions = tagged.entries().map((e) => ({ tag: e.key ?? '', pattern: pattern(e, 'completion') }));
  else completions = [{ pattern: pattern(tagged, 'completion') }];
  return {
    span: node.span(),
    untagged: list(node.get('untagged')),
    optional: list(node.get('optional')),
    forbid: list(node.get('forbid')),
    extra: node.get('extra')?.bool() ?? true,
    tagged: completions,
  };
}
