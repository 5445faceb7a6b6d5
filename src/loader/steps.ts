/**
 * Steps (format §3): one builder per action key, in a table. Each turns the YAML of one
 * step into its `Step`. Problems go to the sink; the step still comes back (with
 * placeholders where parts failed) so the later checks can look at the rest of the test.
 */
import { resolve } from 'node:path';
import type { ConnectBuilder } from './connect.js';
import { duration } from './connect.js';
import type { Matchers } from './matcher.js';
import type { DataBody, Fragment, RawBytes, Step, VarDef } from '../kernel/model.js';
import type { Template } from '../template/types.js';
import type { YNode } from './nodes.js';
import type { BuildNotes } from './notes.js';
import type { Sink } from './sink.js';
import { mayChangeScope, type Rejected } from './rejected.js';
import type { Templates } from './templates.js';
import type { TlsBuilder } from './tls.js';
import { walkVarDefs, walkVars } from './variables.js';
import { checkNamedFile, type NamedFiles } from './named-file.js';
import { buildWhen } from './when.js';

export const DEFAULT_RETRY_DELAY_MS = 1000;
const LINE_BREAK = /[\r\n]/;
/** Includes nested deeper than this are a mistake (a cycle is caught before). */
const MAX_INCLUDE_DEPTH = 16;
/** Fragments are built once per include site; a diamond of includes must not explode. */
const MAX_INCLUDES_PER_SUITE = 10_000;

/** What the steps of one test inherit, and where they stand. */
export interface StepEnv {
  /** The file's and the test's `tls` maps, outermost first. */
  readonly tlsLayers: readonly YNode[];
  /** The file's and the test's `connect` maps, outermost first (a `connect` step inherits some keys). */
  readonly connectLayers: readonly YNode[];
  /** Absolute paths: the spec file, then each fragment being included. */
  readonly includeStack: readonly string[];
  readonly sink: Sink;
  /** Shared by a whole suite, to bound the work includes can cause. */
  readonly budget: { includes: number };
  /** Parts of this file the schema rejected: their steps become placeholders. */
  readonly rejected?: Rejected;
}

export interface FragmentFile {
  readonly root: YNode;
  readonly display: string;
  readonly baseDir: string;
}

/** Finds fragment files for `include`. */
export interface FragmentFiles {
  /**
   * The fragment at `path`. Problems of the include itself (no such file, not a
   * fragment) go to `sink`, at `at`; problems inside the file go to `inside` (which
   * knows the include trail).
   */
  fragment(path: string, at: YNode, sink: Sink, inside: Sink): FragmentFile | undefined;
  /** A path as shown to users. */
  displayOf(path: string): string;
}

/** What the steps need of the file system: fragments, and whether named files can be read. */
export type StepFiles = FragmentFiles & NamedFiles;

type Body = { [K in Step['kind']]: Omit<Extract<Step, { kind: K }>, 'span' | 'name' | 'timeoutMs' | 'when'> }[Step['kind']];
type Builder = (value: YNode, step: YNode, env: StepEnv) => Body;
/** What every step has besides its body, set on the body once it is built. */
type StepLabel = { -readonly [K in 'span' | 'name' | 'timeoutMs' | 'when']?: Step[K] };

export class StepBuilder {
  private readonly table: Readonly<Record<string, Builder>>;
  private readonly cycles = new Set<string>();

  constructor(
    private readonly templates: Templates,
    private readonly matchers: Matchers,
    private readonly tls: TlsBuilder,
    private readonly connects: ConnectBuilder,
    private readonly files: StepFiles,
    private readonly notes: BuildNotes,
  ) {
    const ms = (v: YNode, env: StepEnv): number => duration(v, env.sink) ?? 0;
    this.table = {
      c: (v, _s, env) => ({ kind: 'c', lines: (v.kind === 'list' ? v.items() : [v]).map((n) => this.line(n, env.sink)) }),
      send: (v, _s, env) => ({ kind: 'send', bytes: this.raw(v, env.sink) }),
      data: (v, _s, env) => ({ kind: 'data', body: this.data(v, env.sink) }),
      s: (v, _s, env) => ({ kind: 's', matcher: this.matchers.build(v, env.sink) }),
      tls: (v, _s, env) => ({ kind: 'tls', options: this.tls.merge(v.kind === 'map' ? [...env.tlsLayers, v] : env.tlsLayers, v.keySpan(), env.sink) }),
      connect: (v, _s, env) => ({ kind: 'connect', connect: this.connects.forStep(v, env.connectLayers, env.tlsLayers, env.sink) }),
      use: (v) => ({ kind: 'use', connection: v.str() }),
      close: () => ({ kind: 'close' }),
      silent: (v, _s, env) => ({ kind: 'silent', durationMs: ms(v, env) }),
      sleep: (v, _s, env) => ({ kind: 'sleep', durationMs: ms(v, env) }),
      set: (v, _s, env) => ({ kind: 'set', vars: this.vars(v, env.sink) }),
      repeat: (v, _s, env) => {
        const as = v.get('as');
        return { kind: 'repeat', times: v.get('times')?.num() ?? 1, ...(as ? { as: as.str() } : {}), steps: this.steps(v.get('steps'), env) };
      },
      retry: (v, _s, env) => {
        const delay = v.get('delay');
        const delayMs = (delay ? duration(delay, env.sink) : undefined) ?? DEFAULT_RETRY_DELAY_MS;
        return { kind: 'retry', times: v.get('times')?.num() ?? 1, delayMs, steps: this.steps(v.get('steps'), env) };
      },
      include: (v, s, env) => this.include(v, s, env),
    };
  }

  /**
   * One `c:` line. A CR or LF written in it would end the line early: the server would read
   * the rest as a second command (command smuggling), so it is refused here; one made by a
   * template is refused when the step runs, before anything is written.
   */
  private line(node: YNode, sink: Sink): Template {
    const t = this.templates.read(node, sink);
    const literal = t.parts.some((p) => p.kind === 'text' && LINE_BREAK.test(p.value));
    if (literal) {
      const at = Math.max(0, t.source.search(LINE_BREAK));
      const which = t.source[at] === '\r' ? 'a CR' : 'a line break (LF)';
      sink.error(
        'c-line-break',
        this.notes.locate(t, at, 1),
        `a \`c:\` line holds ${which}: the server would read what follows as another command`,
        'write one `c:` per command (or a list of lines), and `send:` for raw bytes; a `|` block adds a final line break (write `|-`)',
      );
    }
    return t;
  }

  steps(list: YNode | undefined, env: StepEnv): Step[] {
    const out: Step[] = [];
    for (const node of list?.items() ?? []) {
      const step = this.step(node, env);
      if (step) out.push(step);
    }
    return out;
  }

  /** One value (a `matrix` value): a template. */
  value(node: YNode, sink: Sink): Template {
    return this.templates.read(node, sink);
  }

  /** `vars`, `set` and `with` maps: name → template. */
  vars(node: YNode | undefined, sink: Sink): VarDef[] {
    return (node?.entries() ?? []).map((entry) => ({ name: entry.key ?? '', value: this.templates.read(entry, sink), span: entry.keySpan() }));
  }

  /** A fragment built for one include site (it inherits that test's TLS and connect defaults). */
  fragment(file: FragmentFile, env: StepEnv): Fragment {
    const vars = this.vars(file.root.get('vars'), env.sink);
    const steps = this.steps(file.root.get('steps'), env);
    return { file: file.display, description: file.root.get('fragment')?.str() ?? '', baseDir: file.baseDir, vars, steps, params: fragmentParams(vars, steps) };
  }

  private step(node: YNode, env: StepEnv): Step | undefined {
    if (env.rejected?.has(node)) return this.placeholder(node);
    const action = node.entries().find((e) => e.key !== undefined && Object.hasOwn(this.table, e.key));
    const build = action && this.table[action.key ?? ''];
    // The schema guarantees one action; nothing to build without it.
    if (!action || !build) return undefined;
    // The body is new and no one else's: it becomes the step (keys in the same order as a
    // copy `{ ...body, span, name, timeoutMs }` would have, without making that copy).
    const step = build(action, node, env) as Body & StepLabel;
    step.span = action.entrySpan();
    const name = node.get('name');
    if (name) step.name = name.str();
    const timeout = node.get('timeout');
    const timeoutMs = timeout ? duration(timeout, env.sink) : undefined;
    if (timeoutMs !== undefined) step.timeoutMs = timeoutMs;
    const when = node.get('when');
    if (when) step.when = buildWhen(when);
    // Only these kinds are pointed at by later checks (a key or value of their own).
    if (step.kind === 'use' || step.kind === 'data') this.notes.setKeySpans(step, new Map([['action', action.keySpan()], ['value', action.span()]]));
    return step as Step;
  }

  /**
   * A step the schema rejected (its problem is already reported): an include of nothing,
   * so the checks after it go on. If it may have set variables or switched connections,
   * the fragment is marked broken and the checks stop guessing what is known after it.
   */
  private placeholder(node: YNode): Step {
    const fragment: Fragment = { file: '', description: '', baseDir: '', vars: [], steps: [], params: [] };
    return { kind: 'include', fragment: mayChangeScope(node) ? this.notes.markBroken(fragment) : fragment, with: [], span: node.span() };
  }

  private raw(v: YNode, sink: Sink): RawBytes {
    if (v.kind === 'string') return { kind: 'text', value: this.templates.read(v, sink) };
    const hex = v.get('hex');
    if (hex) return { kind: 'hex', value: hex.str().replace(/\s+/g, '').toLowerCase() };
    const node = v.get('base64') as YNode;
    const value = node.str().replace(/\s+/g, '');
    if (value.replace(/=+$/, '').length % 4 === 1 || /=[^=]/.test(value)) {
      sink.error('base64-invalid', node.span(), '`base64` is not valid base64 (RFC 4648)', 'its length is wrong, or `=` stands inside it');
    }
    return { kind: 'base64', value };
  }

  private data(v: YNode, sink: Sink): DataBody {
    if (v.kind === 'string') return { kind: 'text', value: this.templates.read(v, sink), dotStuff: true };
    const any = v.get('any');
    const match = v.get('match');
    const headers = v.get('headers');
    if (any || match || headers) {
      return {
        kind: 'expect',
        span: v.span(),
        any: any?.bool() ?? false,
        ...(match ? { match: this.matchers.patterns.regex(match, sink) } : {}),
        headers: (headers?.entries() ?? []).map((entry) => ({ name: entry.key ?? '', pattern: this.matchers.patterns.text(entry, sink) })),
      };
    }
    const dotStuff = v.get('dotStuff')?.bool() ?? true;
    const file = v.get('file');
    if (file) {
      const path = this.templates.read(file, sink);
      checkNamedFile(file, path, 'data', 'data file', this.templates, this.files, sink);
      return { kind: 'file', path, dotStuff };
    }
    return { kind: 'text', value: this.templates.read(v.get('text') as YNode, sink), dotStuff };
  }

  private include(v: YNode, step: YNode, env: StepEnv): Body {
    const sink = env.sink;
    const withVars = this.vars(step.get('with'), sink);
    const placeholder = (): Body => ({
      kind: 'include',
      fragment: this.notes.markBroken({ file: v.str(), description: '', baseDir: '', vars: [], steps: [], params: [] }),
      with: withVars,
    });
    const text = v.str();
    if (text.includes('${')) {
      sink.error('include-template', v.span(), 'an `include` path cannot hold `${…}`', 'includes are resolved when the spec is loaded, before any variable has a value');
      return placeholder();
    }
    const from = env.includeStack[env.includeStack.length - 1] ?? '';
    const path = resolve(from, '..', text);
    const at = env.includeStack.indexOf(path);
    if (at >= 0) {
      const cycle = env.includeStack.slice(at);
      // One cycle, reached from each of its files, is still one problem.
      const key = [...cycle].sort().join('\n');
      if (this.cycles.has(key)) sink.fail();
      else {
        this.cycles.add(key);
        const chain = [...cycle, path].map((p) => this.files.displayOf(p));
        sink.error('include-cycle', v.span(), `include cycle: ${chain.join(' → ')}`, 'a fragment may not include itself, directly or through others');
      }
      return placeholder();
    }
    if (env.includeStack.length > MAX_INCLUDE_DEPTH) {
      sink.error('include-too-deep', v.span(), `includes are nested more than ${MAX_INCLUDE_DEPTH} deep`);
      return placeholder();
    }
    env.budget.includes += 1;
    if (env.budget.includes > MAX_INCLUDES_PER_SUITE) {
      sink.error('include-too-many', v.span(), `more than ${MAX_INCLUDES_PER_SUITE} includes in one spec file`, 'fragments that include each other several times multiply');
      return placeholder();
    }
    const inside = sink.within(step.entrySpan());
    const file = this.files.fragment(path, v, sink, inside);
    if (!file) return placeholder();
    // The fragment passed the schema; `rejected` spoke of the including file only.
    const { rejected: _rejected, ...inherited } = env;
    const fragment = this.fragment(file, { ...inherited, includeStack: [...env.includeStack, path], sink: inside });
    return { kind: 'include', fragment, with: withVars };
  }
}

/** Names a fragment uses before it sets them: the including test must supply them. */
export function fragmentParams(vars: readonly VarDef[], steps: readonly Step[]): string[] {
  const params = new Set<string>();
  const known = new Set<string>();
  const found = (name: string): void => {
    params.add(name);
    known.add(name);
  };
  const report = { unknown: found, missingParam: found };
  // Defaults may use parameters and earlier defaults; a defaulted name is not a parameter.
  walkVarDefs(vars, known, report);
  walkVars(steps, known, report);
  for (const def of vars) params.delete(def.name);
  return [...params];
}
