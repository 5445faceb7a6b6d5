/**
 * Stage 4: what depends on where a step runs, checked over the built model.
 * - variables: every `${name}` known at that point (format §7); every fragment parameter
 *   supplied at each include;
 * - connections: a test opens one before it needs it, `use` names a known one;
 * - protocols: a matcher's shorthands make sense for the protocol of the connection
 *   current at that step (tracked through `connect` and `use`), e.g. no reply code in imap.
 */
import { PROTOCOLS } from '../protocol/registry.js';
import type { Template } from '../template/types.js';
import type { PointedAtKey } from './matcher.js';
import type { BuildNotes } from './notes.js';
import { MAIN_CONNECTION, type ConnectSpec, type Fragment, type Matcher, type ProtocolName, type Step, type Suite, type Test } from '../kernel/model.js';
import type { Sink } from './sink.js';
import type { Span } from '../kernel/span.js';
import { didYouMean, orList } from './suggest.js';
import { assignedNames, tlsTemplates, walkVarDefs, walkVars, type VarReport } from './variables.js';

export interface CheckOptions {
  /** `--var` names: known everywhere. */
  readonly cliVars: ReadonlySet<string>;
  readonly notes: BuildNotes;
}

export function checkSuite(suite: Suite, sink: Sink, options: CheckOptions): void {
  for (const test of suite.tests) checkTest(suite, test, sink, options);
}

/** A fragment on its own (`validate` of a directory): parameters and connections are the includer's business. */
export function checkFragment(fragment: Fragment, sink: Sink, options: CheckOptions): void {
  const known = new Set([...options.cliVars, ...fragment.params]);
  const report = varReport(known, () => new Set(), sink, options);
  walkVarDefs(fragment.vars, known, report);
  walkVars(fragment.steps, known, report);
  const state: ConnectionState = { current: 'unknown', names: new Map(), opened: true, reported: true };
  walkConnections(fragment.steps, state, sink, options);
}

function checkTest(suite: Suite, test: Test, sink: Sink, options: CheckOptions): void {
  const known = new Set(options.cliVars);
  // Only for the hint of an unknown name: not walked for the tests that have none.
  const everywhere = (): ReadonlySet<string> => new Set([...(test.matrix ?? []), ...suite.vars, ...test.vars].map((d) => d.name).concat(assignedNames(test.steps)));
  const report = varReport(known, everywhere, sink, options);
  walkVarDefs(test.matrix ?? [], known, report);
  walkVarDefs(suite.vars, known, report);
  walkVarDefs(test.vars, known, report);
  if (test.connect) {
    for (const t of [test.connect.host, test.connect.port, ...(test.connect.tls ? tlsTemplates(test.connect.tls) : [])]) checkRefs(t, known, report);
  }
  walkVars(test.steps, known, report);

  const current = test.connect ? connectionOf(test.connect, options) : undefined;
  const names = new Map<string, Current>();
  if (current) names.set(test.connect?.as ?? MAIN_CONNECTION, current);
  const state: ConnectionState = {
    current,
    names,
    opened: test.connect !== undefined,
    reported: false,
  };
  walkConnections(test.steps, state, sink, options);
  if (!state.opened && !state.reported) {
    sink.error('no-connection', test.span, 'this test opens no connection', 'give the file or the test a `connect`, or start with a `connect` step');
  }
}

function checkRefs(t: Template, known: Set<string>, report: VarReport): void {
  walkVarDefs([{ name: '', value: t, span: t.span }], known, report);
  known.delete('');
}

/** `everywhere`: names the test sets somewhere, for "set later" hints (asked for once, at the first unknown name). */
function varReport(known: Set<string>, everywhere: () => ReadonlySet<string>, sink: Sink, options: CheckOptions): VarReport {
  let setSomewhere: ReadonlySet<string> | undefined;
  return {
    isBroken: (fragment) => options.notes.isBroken(fragment),
    unknown(name, t, offset) {
      setSomewhere ??= everywhere();
      const hint = setSomewhere.has(name)
        ? `\`${name}\` is set later: a variable is known only after the step (or the \`vars\` entry) that sets it`
        : (didYouMean(name, known) ?? hintForUnknown(name));
      sink.error('unknown-variable', options.notes.locate(t, offset, name.length), `unknown variable \`${name}\``, hint);
    },
    missingParam(name, include) {
      sink.error(
        'fragment-param-missing',
        include.span,
        `the fragment \`${include.fragment.file}\` needs \`${name}\`, which is not set here`,
        `give it in \`with:\` (\`with: { ${name}: … }\`), or set it before this step`,
      );
    },
  };
}

function hintForUnknown(name: string): string {
  return `set it in \`vars\`, with \`set\` or \`capture\` in an earlier step, or with \`--var ${name}=…\``;
}

// ---------------------------------------------------------------------------------------
// Connections and protocols

/** A connection's protocol; 'unknown' inside a fragment checked on its own, or for a connect that failed. */
type Current = { readonly protocol: ProtocolName } | 'unknown';

interface ConnectionState {
  current: Current | undefined;
  names: Map<string, Current>;
  opened: boolean;
  /** A "no connection" problem was already reported for this test. */
  reported: boolean;
}

/** Steps that act on the current connection. */
const NEEDS_CONNECTION: Readonly<Record<Step['kind'], boolean>> = {
  c: true,
  send: true,
  data: true,
  s: true,
  tls: true,
  connect: false,
  use: false,
  close: true,
  silent: true,
  sleep: false,
  set: false,
  repeat: false,
  retry: false,
  include: false,
};

/** `data` (an SMTP/LMTP body) is an error where the protocol says so, with how to send such bytes there. */
function checkData(step: Step, protocol: ProtocolName, sink: Sink, options: CheckOptions): void {
  const data = PROTOCOLS[protocol].data;
  if (data.allowed) return;
  sink.error('step-not-for-protocol', options.notes.keySpan(step, 'action') ?? step.span, `\`data\` sends an SMTP/LMTP message body; it makes no sense in ${protocol}`, data.hint);
}

function walkConnections(steps: readonly Step[], state: ConnectionState, sink: Sink, options: CheckOptions): void {
  for (const step of steps) {
    if (NEEDS_CONNECTION[step.kind] && state.current === undefined && !state.reported) {
      state.reported = true;
      sink.error('no-connection', step.span, 'no connection is open at this step', 'give the file or the test a `connect`, or open one with a `connect` step first');
    }
    const protocol = state.current === undefined || state.current === 'unknown' ? undefined : state.current.protocol;
    switch (step.kind) {
      case 'data':
        if (protocol !== undefined) checkData(step, protocol, sink, options);
        break;
      case 's':
        if (protocol) checkMatcher(step.matcher, protocol, sink, options.notes);
        break;
      case 'connect':
        state.current = connectionOf(step.connect, options);
        state.opened = true;
        if (step.connect.as !== undefined) state.names.set(step.connect.as, state.current);
        break;
      case 'use': {
        const target = state.names.get(step.connection);
        if (target) state.current = target;
        else if (state.current !== 'unknown') {
          sink.error('unknown-connection', options.notes.keySpan(step, 'value') ?? step.span, `no connection is named \`${step.connection}\` here`, didYouMean(step.connection, state.names.keys()) ?? connectionHint(state));
        }
        break;
      }
      case 'repeat':
      case 'retry':
        walkConnections(step.steps, state, sink, options);
        break;
      case 'include':
        if (options.notes.isBroken(step.fragment)) {
          // What the fragment would have opened is unknown.
          state.current = 'unknown';
          state.opened = true;
        } else walkConnections(step.fragment.steps, state, sink.within(step.span), options);
        break;
      case 'c':
      case 'send':
      case 'tls':
      case 'close':
      case 'silent':
      case 'sleep':
      case 'set':
        break;
      default: {
        const never: never = step;
        throw new Error(`unknown step ${JSON.stringify(never)}`);
      }
    }
  }
}

/** A connection whose protocol is known, or 'unknown' for one that failed to build. */
function connectionOf(connect: ConnectSpec, options: CheckOptions): Current {
  return options.notes.isBroken(connect) ? 'unknown' : { protocol: connect.protocol };
}

function connectionHint(state: ConnectionState): string {
  const names = [...state.names.keys()];
  return names.length > 0
    ? `known here: ${orList(names)}; a \`connect\` step names its connection with \`as\``
    : 'a `connect` step names its connection with `as`; the test\'s own is `main`';
}

function checkMatcher(m: Matcher, protocol: ProtocolName, sink: Sink, notes: BuildNotes): void {
  const def = PROTOCOLS[protocol];
  const at = (key: PointedAtKey, fallback: Span): Span => notes.keySpan(m, key) ?? fallback;
  const first = m.code?.[0];
  if (first && !def.hasReplyCodes) {
    const shorthand = first.span === m.span || (first.span.line === m.span.line && first.span.col === m.span.col);
    if (shorthand) {
      sink.error('matcher-not-for-protocol', first.span, `a reply code makes no sense in ${protocol}`, `${statusHint(protocol)}; to match the text \`${first.value}\` exactly, write \`'\\${first.value}'\``);
    } else {
      sink.error('matcher-not-for-protocol', at('code', first.span), `\`code\` makes no sense in ${protocol}: its replies have no reply code`, statusHint(protocol));
    }
  }
  if (m.enhanced && !def.hasReplyCodes) {
    sink.error('matcher-not-for-protocol', at('enhanced', m.enhanced.span), `\`enhanced\` makes no sense in ${protocol}: its replies have no enhanced status code`, statusHint(protocol));
  }
  const firstStatus = m.status?.[0];
  if (firstStatus && def.statusWords.length === 0) {
    sink.error('matcher-not-for-protocol', at('status', firstStatus.span), `\`status\` makes no sense in ${protocol}: its replies have no status word`, def.hasReplyCodes ? 'match the reply code with `code:`' : 'match the text with `text:`');
  } else {
    for (const word of m.status ?? []) {
      if (def.statusWords.includes(word.value)) continue;
      sink.error('status-word-unknown', word.span, `\`${word.value}\` is not a status word in ${protocol}`, didYouMean(word.value, def.statusWords) ?? `${protocol} status words: ${orList([...def.statusWords])}`);
    }
  }
  if (m.ehlo && !def.hasReplyCodes) {
    sink.error('matcher-not-for-protocol', at('ehlo', m.ehlo.span), `\`ehlo\` makes no sense in ${protocol}: it reads SMTP/LMTP EHLO keywords`, 'look for a capability with `contains:`, or skip a test without it with `requires:`');
  }
  if (m.multiline && !def.hasMultiline) {
    sink.error('matcher-not-for-protocol', at('multiline', m.multiline.span), `\`multiline\` makes no sense in ${protocol}`, 'only pop3 needs to be told whether a reply goes on to a `.` line');
  }
  if (m.imap && protocol !== 'imap') {
    sink.error('matcher-not-for-protocol', at('imap', m.imap.span), `\`imap\` makes no sense in ${protocol}: it reads IMAP responses`, 'match this reply with `text:`, `lines:` or `contains:`');
  }
  for (const alt of m.oneOf ?? []) checkMatcher(alt, protocol, sink, notes);
  if (m.until) {
    checkMatcher(m.until.match, protocol, sink, notes);
    if (m.until.skip) checkMatcher(m.until.skip, protocol, sink, notes);
  }
}

function statusHint(protocol: ProtocolName): string {
  const words = PROTOCOLS[protocol].statusWords;
  if (words.length === 0) return 'match the text with a string, a `/regex/` or `text:`';
  return `${protocol} replies have a status word: \`s: { status: ${words[0] ?? ''} }\``;
}
