/**
 * Stage 3: a schema-valid YAML document → the pure model (`model.ts`). Shorthands are
 * normalised, `connect` and `tls` merged, defaults applied. Problems that need no context
 * (durations, sizes, regexes, templates, protocols to infer, includes to find) are
 * reported here; those that depend on where a step runs are `semantics.ts`'s.
 */
import type { ConnectSpec, Spanned, Suite, Test, VarDef } from '../kernel/model.js';
import { combinations, MAX_MATRIX_RUNS } from './matrix.js';
import type { YNode } from './nodes.js';
import type { Sink } from './sink.js';
import type { ConnectBuilder } from './connect.js';
import { duration } from './connect.js';
import type { Rejected } from './rejected.js';
import type { StepBuilder, StepEnv } from './steps.js';
import { assignedNames } from './variables.js';
import { didYouMean } from './suggest.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_DEADLINE_MS = 5 * 60_000;

export interface SuiteFile {
  readonly root: YNode;
  /** Absolute path. */
  readonly path: string;
  readonly display: string;
  readonly baseDir: string;
  /** Set when the file failed the schema: the parts to leave out (see `rejected.ts`). */
  readonly rejected?: Rejected;
}

export class SuiteBuilder {
  constructor(
    private readonly steps: StepBuilder,
    private readonly connects: ConnectBuilder,
    /** `--var` names: known everywhere, and they may be secrets. */
    private readonly cliVars: ReadonlySet<string>,
  ) {}

  /** The suite, as far as it could be built; `sink.failed` says whether it is valid. */
  build(file: SuiteFile, sink: Sink): Suite {
    const root = file.root;
    // A key at fault that nothing depends on is read as absent (see `rejected.ts`).
    const top = (key: string): YNode | undefined => (file.rejected?.drops(root, key) ? undefined : root.get(key));
    const vars = this.steps.vars(root.get('vars'), sink);
    const timeoutMs = this.duration(top('timeout'), DEFAULT_TIMEOUT_MS, sink);
    const deadlineMs = this.duration(top('deadline'), DEFAULT_DEADLINE_MS, sink);
    // A test without a `connect` or `tls` of its own has the file's connection: built once
    // (its templates parsed once, its problems found once), shared by those tests.
    let fileConnect: ConnectSpec | undefined;
    const sharedConnect = (): ConnectSpec | undefined => (fileConnect ??= this.connects.forTest(layers(root.get('connect')), layers(root.get('tls')), sink));
    const suiteDefaults = { timeoutMs, deadlineMs, sharedConnect };
    const testNodes = root.get('tests')?.items() ?? [];
    // A test the schema rejected outside its steps is left out (its problem is reported).
    const kept = testNodes.filter((node) => !file.rejected?.hasOutsideSteps(node));
    const tests = root.has('steps')
      ? this.runs(root, file, suiteDefaults, sink, true)
      : kept.flatMap((node) => this.runs(node, file, suiteDefaults, sink, false));
    if (tests.length > MAX_MATRIX_RUNS && tests.some((t) => t.matrix !== undefined)) {
      sink.error('matrix-too-large', (top('matrix') ?? root).keySpan(), `the \`matrix\` values make ${tests.length} tests in this file, more than the limit of ${MAX_MATRIX_RUNS}`, 'split the file, or use fewer values');
    }
    // Names set only in a left-out test are unknown: `secrets` is checked only when all are here.
    const secrets = this.secrets(top('secrets'), vars, tests, kept.length === testNodes.length ? sink : undefined);
    const description = top('description');
    return {
      file: file.display,
      baseDir: file.baseDir,
      span: top('name')?.entrySpan() ?? root.span(),
      name: top('name')?.str() ?? '',
      ...(description ? { description: description.str() } : {}),
      tags: strings(top('tags')),
      serial: top('serial')?.bool() ?? false,
      vars,
      secrets,
      tests,
    };
  }

  /** A test once per combination of its `matrix` (the file's and its own), each named with its values. */
  private runs(node: YNode, file: SuiteFile, defaults: TestDefaults, sink: Sink, single: boolean): Test[] {
    const root = file.root;
    const own = single ? undefined : node;
    const matrices = layers(file.rejected?.drops(root, 'matrix') ? undefined : root.get('matrix'), own && !file.rejected?.drops(own, 'matrix') ? own.get('matrix') : undefined);
    const test = this.test(node, file, defaults, sink, single);
    if (matrices.length === 0) return [test];
    const runs = combinations(matrices, (n) => this.steps.value(n, sink), sink);
    if (runs === undefined) return [test];
    return runs.map((run) => ({ ...test, name: `${test.name}${run.suffix}`, matrix: run.vars }));
  }

  /** A test; with `single`, the file itself is the test (top-level `steps:`). */
  private test(node: YNode, file: SuiteFile, defaults: TestDefaults, sink: Sink, single: boolean): Test {
    const root = file.root;
    const own = single ? undefined : node;
    const mine = (key: string): YNode | undefined => (own && !file.rejected?.drops(own, key) ? own.get(key) : undefined);
    const connectLayers = layers(root.get('connect'), own?.get('connect'));
    const tlsLayers = layers(root.get('tls'), own?.get('tls'));
    const env: StepEnv = { tlsLayers, connectLayers, includeStack: [file.path], sink, budget: { includes: 0 }, ...(file.rejected ? { rejected: file.rejected } : {}) };
    const ownConnection = own?.has('connect') || own?.has('tls');
    const connect = ownConnection ? this.connects.forTest(connectLayers, tlsLayers, sink) : defaults.sharedConnect();
    const vars = own ? this.steps.vars(own.get('vars'), sink) : [];
    const steps = this.steps.steps(node.get('steps'), env);
    const skip = mine('skip');
    const xfail = mine('xfail');
    const requires = requirements(file.rejected?.drops(root, 'requires') ? undefined : root.get('requires'), mine('requires'));
    const name = file.rejected?.drops(node, 'name') ? undefined : node.get('name');
    return {
      name: name?.str() ?? '',
      span: name?.entrySpan() ?? node.anchorSpan(),
      tags: strings(mine('tags')),
      ...(skip && !(skip.kind === 'boolean' && !skip.bool()) ? { skip: skip.kind === 'string' ? { reason: skip.str() } : {} } : {}),
      ...(xfail ? { xfail: xfail.str() } : {}),
      ...(requires.length > 0 ? { requires } : {}),
      ...(connect ? { connect } : {}),
      timeoutMs: this.duration(mine('timeout'), defaults.timeoutMs, sink),
      deadlineMs: this.duration(mine('deadline'), defaults.deadlineMs, sink),
      vars,
      steps,
    };
  }

  /** `secrets` must name variables of this file (or `--var`s). */
  private secrets(node: YNode | undefined, vars: readonly VarDef[], tests: readonly Test[], sink: Sink | undefined): string[] {
    const items = node?.items() ?? [];
    if (items.length === 0) return [];
    const names = new Set<string>([...this.cliVars, ...vars.map((v) => v.name)]);
    // The tests' names are walked for only when a secret is not a file variable or `--var`.
    let withTests = false;
    const known = (name: string): boolean => {
      if (!names.has(name) && !withTests) {
        withTests = true;
        for (const t of tests) {
          t.vars.forEach((v) => names.add(v.name));
          assignedNames(t.steps).forEach((n) => names.add(n));
        }
      }
      return names.has(name);
    };
    const out: string[] = [];
    for (const item of items) {
      const name = item.str();
      if (!known(name)) {
        sink?.error('unknown-secret', item.span(), `\`secrets\` names \`${name}\`, which is not a variable of this file`, didYouMean(name, names) ?? 'list the names of variables whose values must not be shown');
      }
      out.push(name);
    }
    return out;
  }

  private duration(node: YNode | undefined, fallback: number, sink: Sink): number {
    return node ? (duration(node, sink) ?? fallback) : fallback;
  }
}

interface TestDefaults {
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  /** The file's connection, for the tests that add nothing to it. */
  readonly sharedConnect: () => ConnectSpec | undefined;
}

/** The file's and the test's maps of one key, outermost first, those present. */
function layers(fileLevel: YNode | undefined, testLevel?: YNode): YNode[] {
  return [fileLevel, testLevel].filter((n): n is YNode => n !== undefined);
}

/** The file's and the test's `requires`, each capability once (compared without case). */
function requirements(fileLevel: YNode | undefined, testLevel: YNode | undefined): Spanned<string>[] {
  const out = new Map<string, Spanned<string>>();
  for (const item of [...(fileLevel?.items() ?? []), ...(testLevel?.items() ?? [])]) {
    const value = item.str();
    const key = value.toUpperCase();
    if (!out.has(key)) out.set(key, { value, span: item.span() });
  }
  return [...out.values()];
}

function strings(node: YNode | undefined): string[] {
  return (node?.items() ?? []).map((n) => n.str());
}
