/**
 * Strings of a spec as templates (format §7), read from YAML scalars with exact spans: a
 * problem inside `${…}` is shown at its own column when the string stands on one line
 * character for character. Load-time checks that need no context are made here: syntax,
 * function names and argument counts, and (for `run`) environment variables that are
 * unset and have no default.
 */
import { envLookup, FUNCTIONS, parseTemplate, templateRefs } from '../template/index.js';
import type { Template } from '../template/types.js';
import type { YNode } from './nodes.js';
import type { BuildNotes, Locator } from './notes.js';
import type { Sink } from './sink.js';
import type { Span } from '../kernel/span.js';
import { didYouMean } from './suggest.js';

export interface TemplateOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly checkEnv: boolean;
}

export class Templates {
  constructor(
    private readonly options: TemplateOptions,
    private readonly notes: BuildNotes,
  ) {}

  /**
   * The whole scalar (a string, or a number or boolean as written) as a template. A
   * template that does not parse is reported and comes back as plain text, so later
   * checks go on without inventing problems of their own.
   */
  read(node: YNode, sink: Sink): Template {
    const text = node.kind === 'string' ? node.str() : node.written();
    return this.slice(node, text, 0, sink);
  }

  /**
   * `text`, which starts at `start` within the node's string value (after a leading `\`,
   * or inside `/…/`), as a template.
   */
  slice(node: YNode, text: string, start: number, sink: Sink): Template {
    const offset = node.valueOffset();
    if (offset !== undefined) return this.parse(text, node.src.span(offset + start, offset + start + text.length), sink, undefined);
    // Not one line character for character: a block scalar maps line by line, or not at all.
    const span = node.span();
    const chars = node.charOffsets();
    const locate = chars && ((at: number, length: number): Span => {
      const from = chars(start + at);
      return node.src.span(from, Math.min(from + length, chars(start + at + length - 1) + 1));
    });
    return this.parse(text, span, sink, locate);
  }

  /** A template for a value the user did not write (a default), at `span`. */
  literal(text: string, span: Span): Template {
    return { source: text, parts: text === '' ? [] : [{ kind: 'text', value: text }], span };
  }

  /**
   * The text of a template whose value is known at load time: one without `${…}`, or, when
   * the environment is checked (`run`), one of `${env.…}` parts alone, each set or defaulted.
   */
  knownText(t: Template): string | undefined {
    let text = '';
    for (const part of t.parts) {
      if (part.kind === 'text') text += part.value;
      else if (part.expr.kind !== 'env' || !this.options.checkEnv) return undefined;
      else {
        const value = envLookup(this.options.env, part.expr.name);
        const fallback = part.expr.fallback;
        if (fallback !== undefined && (value === undefined || value === '')) text += fallback;
        else if (value === undefined) return undefined;
        else text += value;
      }
    }
    return text;
  }

  private parse(text: string, span: Span, sink: Sink, locate: Locator | undefined): Template {
    const parsed = parseTemplate(text, span);
    if (!parsed.ok) {
      const placeholder = this.literal(text, span);
      sink.error('template-syntax', locate ? locate(parsed.offset, 1) : this.notes.locate(placeholder, parsed.offset, 1), parsed.message);
      return placeholder;
    }
    if (locate) this.notes.setLocator(parsed.template, locate);
    this.check(parsed.template, sink);
    return parsed.template;
  }

  private check(t: Template, sink: Sink): void {
    const refs = templateRefs(t);
    for (const call of refs.calls) {
      const fn = FUNCTIONS.get(call.name);
      const at = this.notes.locate(t, call.offset, call.name.length);
      if (!fn) {
        sink.error('unknown-function', at, `unknown function \`${call.name}\``, didYouMean(call.name, FUNCTIONS.keys()) ?? `functions: ${[...FUNCTIONS.keys()].join(', ')}`);
      } else if (call.argc < fn.minArgs || call.argc > fn.maxArgs) {
        sink.error('function-arity', at, `\`${call.name}\` takes ${arity(fn.minArgs, fn.maxArgs)}, got ${call.argc}`, fn.summary);
      }
    }
    if (!this.options.checkEnv) return;
    for (const env of refs.envs) {
      if (env.hasDefault || envLookup(this.options.env, env.name) !== undefined) continue;
      sink.error(
        'env-unset',
        this.notes.locate(t, env.offset, `env.${env.name}`.length),
        `the environment variable \`${env.name}\` is not set`,
        `set it, or give a default: \`\${env.${env.name}:-…}\``,
      );
    }
  }
}

function arity(min: number, max: number): string {
  const n = (k: number): string => `${k} argument${k === 1 ? '' : 's'}`;
  if (min === max) return n(min);
  if (max === min + 1) return `${min} or ${n(max)}`;
  return `${min} to ${n(max)}`;
}
