/**
 * Writes the imported spec as YAML with the `yaml` package's Document API: block style
 * for the file, tests and steps, flow style for small maps (`connect`, `vars`,
 * `{ closed: true }`), regexes single-quoted, and comments where the importer changed or
 * assumed something.
 */
import { Document, Scalar, YAMLMap, YAMLSeq, isScalar, visit, type Node } from 'yaml';
import type { Credentials } from './credentials.js';
import type { Substitution } from './escape.js';
import { renderData, renderReply, renderSynth, type MatcherValue } from './matcher.js';
import type { ImportStep, ProtocolName } from './types.js';

export interface ConnectValues {
  /** A template. */
  readonly host: string;
  /** A literal port, or a template. */
  readonly port: number | string;
  readonly protocol: ProtocolName;
  readonly tls?: true;
}

/** TLS options (format §6) every handshake of the spec uses: a private CA, the name to check, or no check. */
export interface TlsValues {
  /** A path relative to the spec. */
  readonly ca?: string;
  readonly servername?: string;
  readonly verify?: false;
}

export interface TestDraft {
  readonly name: string;
  readonly connect: ConnectValues;
  readonly steps: readonly ImportStep[];
  /** Written above the test. */
  readonly comment?: string;
}

export interface SpecDraft {
  readonly name: string;
  /** Comment lines at the top of the file. */
  readonly header: readonly string[];
  readonly tests: readonly TestDraft[];
  readonly credentials: Credentials;
  readonly tls?: TlsValues;
}

const CONNECT_KEYS = ['host', 'port', 'protocol', 'tls'] as const;

export function emitSpec(draft: SpecDraft): string {
  const doc = new Document();
  const root = new YAMLMap();
  root.set('name', draft.name);

  // connect keys every test agrees on go to the file; the rest stay with each test.
  const shared = CONNECT_KEYS.filter((key) => {
    const first = draft.tests[0]?.connect[key];
    return draft.tests.every((test) => test.connect[key] === first);
  });
  const tls = draft.tls === undefined ? undefined : tlsNode(draft.tls);
  const fileConnect = pick(draft.tests[0]?.connect, shared, tls);
  if (fileConnect.items.length > 0) root.set('connect', fileConnect);

  const { vars, secrets } = draft.credentials;
  if (vars.length > 0) {
    const map = new YAMLMap();
    map.flow = true;
    for (const v of vars) map.set(v.name, v.value);
    root.set('vars', map);
  }
  if (secrets.length > 0) {
    const seq = new YAMLSeq();
    seq.flow = true;
    seq.items.push(...secrets.map((s) => new Scalar(s)));
    root.set('secrets', seq);
  }

  const tests = new YAMLSeq();
  for (const test of draft.tests) {
    const node = new YAMLMap();
    node.set('name', test.name);
    const own = pick(
      test.connect,
      CONNECT_KEYS.filter((key) => !shared.includes(key)),
      tls,
    );
    if (own.items.length > 0) node.set('connect', own);
    const steps = new YAMLSeq();
    for (const step of test.steps) steps.items.push(stepNode(doc, step, test.connect.protocol, draft.credentials.substitutions, tls));
    node.set('steps', steps);
    if (test.comment !== undefined) node.commentBefore = comment(test.comment);
    tests.items.push(node);
  }
  root.set('tests', tests);

  doc.contents = root;
  if (draft.header.length > 0) doc.commentBefore = comment(draft.header.join('\n'));
  return doc.toString({ lineWidth: 0 });
}

/** `tls: true` becomes the spec's TLS options when it has some. */
function pick(connect: ConnectValues | undefined, keys: readonly (typeof CONNECT_KEYS)[number][], tls: YAMLMap | undefined): YAMLMap {
  const map = new YAMLMap();
  map.flow = true;
  for (const key of keys) {
    const value = connect?.[key];
    if (value !== undefined) map.set(key, key === 'tls' && tls !== undefined ? tls.clone() : value);
  }
  return map;
}

function tlsNode(values: TlsValues): YAMLMap {
  const map = new YAMLMap();
  map.flow = true;
  if (values.ca !== undefined) map.set('ca', values.ca);
  if (values.servername !== undefined) map.set('servername', values.servername);
  if (values.verify !== undefined) map.set('verify', values.verify);
  return map;
}

function stepNode(doc: Document, step: ImportStep, protocol: ProtocolName, substitutions: readonly Substitution[], tls: YAMLMap | undefined): YAMLMap {
  const node = new YAMLMap();
  const notes: string[] = step.comment === undefined ? [] : [step.comment];
  switch (step.kind) {
    case 'send':
      // A `c:` line may not hold a CR (format §3): such a line goes out as the exact bytes sent.
      if (step.text.includes('\r')) {
        node.set('send', `${step.template ?? step.text}\r\n`);
        notes.push('holds a CR: sent as recorded, with its CRLF');
      } else node.set('c', step.template ?? step.text);
      break;
    case 'data':
      node.set('data', renderData(step.lines, substitutions));
      break;
    case 'reply': {
      const rendered = renderReply(step, protocol, substitutions);
      if (rendered.varies.length > 0) notes.push(`varies between runs: ${rendered.varies.join(', ')}`);
      node.set('s', matcherNode(doc, rendered.value));
      break;
    }
    case 'expect':
      node.set('s', matcherNode(doc, renderSynth(step.matcher)));
      break;
    case 'tls':
      node.set('tls', tls?.clone() ?? new YAMLMap());
      break;
    case 'closed':
      node.set('s', matcherNode(doc, { closed: true }));
      break;
    case 'close':
      node.set('close', true);
      break;
    default: {
      const never: never = step;
      throw new Error(`unknown step ${JSON.stringify(never)}`);
    }
  }
  if (notes.length > 0) node.commentBefore = comment(notes.join('\n'));
  return node;
}

/**
 * A list of lines in block style; maps in flow style, but for one with `serve:` (a regex and
 * the reply as it came), whose lines are block lists one under the other; every `/regex/`
 * single-quoted.
 */
export function matcherNode(doc: Document, value: MatcherValue): Node {
  const node = doc.createNode(value) as Node;
  const block = node instanceof YAMLMap && node.has('serve');
  visit(node, {
    Map(_key, map) {
      map.flow = !(block && map === node);
    },
    Scalar(_key, scalar) {
      if (isScalar(scalar) && typeof scalar.value === 'string' && scalar.value.startsWith('/')) scalar.type = Scalar.QUOTE_SINGLE;
    },
  });
  return node;
}

/** The yaml package writes `#` + text: a space keeps comments readable. */
function comment(text: string): string {
  return text
    .split('\n')
    .map((line) => ` ${line}`)
    .join('\n');
}
