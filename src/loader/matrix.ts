/**
 * `matrix:` (format §1, portable specs): the file's and the test's maps of variable → values,
 * multiplied out into one combination per run of the test. A name in both takes the test's
 * values. More than `MAX_MATRIX_RUNS` combinations for one test is a load-time error: a spec
 * that would make a million tests is a mistake, not a test plan.
 */
import type { VarDef } from '../kernel/model.js';
import type { Template } from '../template/types.js';
import type { YNode } from './nodes.js';
import type { Sink } from './sink.js';

export const MAX_MATRIX_RUNS = 10_000;

/** One run of a test: its variables, and the suffix of its name (`[port=587, tls=starttls]`). */
export interface Combination {
  readonly vars: readonly VarDef[];
  readonly suffix: string;
}

interface Axis {
  readonly name: string;
  readonly values: readonly { readonly node: YNode; readonly value: Template }[];
}

/**
 * The combinations of the `matrix` maps given (outermost first), in the order written: the
 * first axis varies slowest. `[{ vars: [], suffix: '' }]` when there is no matrix; undefined
 * (with the error at the test's matrix, else the file's) when there would be too many.
 */
export function combinations(layers: readonly YNode[], read: (node: YNode) => Template, sink: Sink): Combination[] | undefined {
  const axes = new Map<string, Axis>();
  for (const layer of layers) {
    for (const entry of layer.entries()) {
      const name = entry.key ?? '';
      // A test's axis replaces the file's of the same name, in the file's place.
      axes.set(name, { name, values: entry.items().map((node) => ({ node, value: read(node) })) });
    }
  }
  if (axes.size === 0) return [{ vars: [], suffix: '' }];
  let count = 1;
  for (const axis of axes.values()) count *= axis.values.length;
  if (count > MAX_MATRIX_RUNS) {
    const at = layers[layers.length - 1] as YNode;
    const sizes = [...axes.values()].map((a) => `${a.name}: ${a.values.length}`).join(' × ');
    sink.error('matrix-too-large', at.keySpan(), `this \`matrix\` makes ${count} runs of the test (${sizes}), more than the limit of ${MAX_MATRIX_RUNS}`, 'split the test, or use fewer values');
    return undefined;
  }
  let out: { vars: VarDef[]; shown: string[] }[] = [{ vars: [], shown: [] }];
  for (const axis of axes.values()) {
    const next: typeof out = [];
    for (const partial of out) {
      for (const { node, value } of axis.values) {
        next.push({ vars: [...partial.vars, { name: axis.name, value, span: node.span() }], shown: [...partial.shown, `${axis.name}=${node.written()}`] });
      }
    }
    out = next;
  }
  return out.map((c) => ({ vars: c.vars, suffix: ` [${c.shown.join(', ')}]` }));
}
