/**
 * Turns a parsed imaptest script into a convospec spec: the connections, the setup its
 * `state:` asks for (login, delete the test mailboxes, create, append the mbox, select),
 * then one `c:` and one `s:` per exchange, and, unless it logs out, the deletion of the
 * mailboxes it named beside the test mailbox.
 */
import { Document, YAMLMap, YAMLSeq, isMap, isSeq, visit } from 'yaml';
import { imapMatcher } from './form.js';
import { pickMessages, type MboxMessage } from './mbox.js';
import type { Command, Exchange, Piece, Problem, Script, State } from './script.js';

export const CONNECT = { host: '${env.MAIL_HOST:-127.0.0.1}', port: '${env.IMAP_PORT:-143}', protocol: 'imap' } as const;
export const VARS = { mailbox: '${env.IMAPTEST_MAILBOX:-imaptest}', user: '${env.MAIL_USER}', pass: '${env.MAIL_PASS}' } as const;

/** imaptest's predefined variables: the spec's template expression for each. */
const PREDEFINED: Readonly<Record<string, string>> = {
  mailbox: 'mailbox',
  user: 'user',
  password: 'pass',
  username: 'local_part(user)',
  domain: 'domain(user)',
  mailbox_url: 'imap_url_mailbox(mailbox)',
  user2: 'user2',
  username2: 'local_part(user2)',
  domain2: 'domain(user2)',
  password2: 'pass',
};

/** The second user of `user 2: $user2`: imaptest's `username2_template`, with the same password. */
export const USER2 = '${env.MAIL_USER2:-}';

const RANK: Readonly<Record<State, number>> = { nonauth: 0, auth: 1, created: 2, appended: 3, selected: 4 };

type Step = Record<string, unknown>;

export interface SpecInput {
  readonly name: string;
  readonly script: Script;
  /** The mbox's messages (the script's own .mbox, else default.mbox), if any. */
  readonly mbox: readonly MboxMessage[] | undefined;
  /** The server's capabilities, when known at import time: a script needing another is skipped. */
  readonly serverCapabilities?: readonly string[];
}

export interface SpecOutput {
  readonly yaml: string | undefined;
  readonly problems: readonly Problem[];
  /** The script's notes and the translation's, when written. */
  readonly notes?: readonly Problem[];
}

export function buildSpec(input: SpecInput): SpecOutput {
  const { script, name } = input;
  const { header } = script;
  const problems: Problem[] = [...script.problems];
  /** Decisions of the translation, by script line: comments in the spec. */
  const notes: Problem[] = [...script.notes];
  const multi = header.connections > 1;
  const conn = (n: number): string => `c${n}`;
  let counter = 0;
  const tag = (): string => `a${++counter}`;
  let cursor = 0;
  const nextMessages = (count: number | undefined, line: number): MboxMessage[] => {
    if (!input.mbox || input.mbox.length === 0) {
      problems.push({ line, message: 'APPEND of the next mbox message, but the script has no .mbox and there is no default.mbox beside it' });
      return [];
    }
    const picked = pickMessages(input.mbox, count, cursor);
    cursor += picked.length;
    return picked;
  };

  const steps: Step[] = [];
  const rank = RANK[header.state];
  for (let n = 1; n <= header.connections; n++) {
    if (n > 1) steps.push({ connect: { port: CONNECT.port, protocol: CONNECT.protocol, as: conn(n) } });
    steps.push({ s: { status: 'OK' } });
    const user = header.users.get(n);
    const login = user === undefined ? '${user}' : translate(user, 1, problems);
    if (rank >= RANK.auth) steps.push({ c: `${tag()} LOGIN "${login}" "\${pass}"` }, { s: { status: 'OK' } });
    if (n === 1) {
      if (rank >= RANK.auth) for (const box of testMailboxes(script)) steps.push({ c: `${tag()} DELETE ${box}` }, { s: { status: ['OK', 'NO'] } });
      if (rank >= RANK.created) steps.push({ c: `${tag()} CREATE \${mailbox}` }, { s: { status: 'OK' } });
      if (rank >= RANK.appended) for (const message of nextMessages(header.messages, 1)) steps.push(...appendSteps(tag(), '${mailbox}', message));
    }
    if (rank >= RANK.selected) steps.push({ c: `${tag()} SELECT \${mailbox}` }, { s: { status: 'OK' } });
  }

  let literalPlus = false;
  const known = new Set<string>();
  let current = header.connections;
  for (const exchange of script.exchanges) {
    if (multi && exchange.connection !== current) {
      steps.push({ use: conn(exchange.connection) });
      current = exchange.connection;
    }
    steps.push(...exchangeSteps(exchange, tag, nextMessages, problems, header.extra, () => (literalPlus = true), known, notes));
  }

  // What the script created beside the test mailbox goes, so that no other script finds it.
  if (rank >= RANK.auth && !logsOut(script)) {
    for (const box of testMailboxes(script).filter((b) => b !== '${mailbox}')) steps.push({ c: `${tag()} DELETE ${box}` }, { s: { status: ['OK', 'NO'] } });
  }

  if (problems.length > 0) return { yaml: undefined, problems: unique(problems) };

  const spec: Record<string, unknown> = { name: `imaptest ${name}` };
  const required = [...header.capabilities, ...(literalPlus && !header.capabilities.some((c) => /^literal[+-]$/i.test(c)) ? ['LITERAL+'] : [])];
  spec.tags = ['imaptest', ...required.map((c) => `requires-${c.toLowerCase()}`)];
  // imaptest skips a script whose server lacks a capability of its header: so does `requires`.
  if (required.length > 0) spec.requires = required;
  spec.connect = multi ? { ...CONNECT, as: conn(1) } : { ...CONNECT };
  spec.serial = true;
  // `$user2`, `$username2`…: the second user, from the environment.
  spec.vars = /\$\{(?:[a-z_]+\()?user2\b/.test(JSON.stringify(steps)) ? { ...VARS, user2: USER2 } : { ...VARS };
  spec.secrets = ['pass'];
  const has = new Set(input.serverCapabilities?.map((c) => c.toUpperCase()));
  const missing = input.serverCapabilities === undefined ? [] : header.capabilities.filter((c) => !has.has(c.toUpperCase()));
  const test: Record<string, unknown> = { name };
  if (missing.length > 0) test.skip = `the server does not advertise ${missing.join(', ')} (imaptest skips the script too)`;
  test.steps = steps;
  spec.tests = [test];
  const doc = new Document(spec);
  flowSmallMaps(doc);
  const comments = [
    ` Imported from imaptest's scripted test "${name}" (Dovecot imaptest, MIT licence).`,
    ...(required.length > 0
      ? [` Needs the capabilities ${required.join(' ')}: \`requires\` skips it where the server does not advertise one, as imaptest does.`]
      : []),
    ...(literalPlus ? [' A command expected to fail sends its literals as {N+} (LITERAL+): the server may refuse it before any "+".'] : []),
    ...unique(notes).map((n) => ` line ${n.line}: ${n.message}`),
  ];
  doc.commentBefore = comments.join('\n');
  return { yaml: doc.toString({ lineWidth: 0 }), problems: [], notes: unique(notes) };
}

function exchangeSteps(
  exchange: Exchange,
  tag: () => string,
  nextMessages: (count: number | undefined, line: number) => MboxMessage[],
  problems: Problem[],
  extra: boolean,
  nonSync: () => void,
  known: Set<string>,
  notes: Problem[],
): Step[] {
  const steps: Step[] = [];
  /** Variables this exchange's patterns bind: known to the later exchanges. */
  const binds: string[] = [];
  const tagged: { tag: string; status: string; prefix: string | undefined }[] = [];
  const lines: string[] = [];
  for (const command of exchange.commands) {
    const own = command.tag ?? tag();
    const ctx: PatternContext = { tag: own, line: command.line, problems, known, binds };
    tagged.push({ tag: own, status: command.status ?? 'OK', prefix: command.prefix === undefined ? undefined : translatePattern(command.prefix, ctx) });
    const sent = commandSteps(own, command, nextMessages, problems, nonSync);
    if (exchange.commands.length > 1 && sent.length > 1) problems.push({ line: command.line, message: 'a literal in a pipelined command (each literal waits for the server\'s "+")' });
    for (const step of sent) {
      const c = step.c;
      if (exchange.commands.length > 1 && typeof c === 'string') lines.push(c);
      else steps.push(step);
    }
  }
  if (lines.length > 0) steps.push({ c: lines });
  // In a `*` line, imaptest's `$tag` is the tag of the exchange's first command.
  const first = tagged[0]?.tag ?? '';
  const ctx: PatternContext = { tag: first, line: exchange.line, problems, known, binds };
  // imaptest compares strings as C strings: a literal holding NUL only up to it, in the
  // pattern and in the response, so `*` `… {{{\0…}}}` holds for any value that starts with NUL.
  const literal = (p: Extract<Piece, { kind: 'literal' }>, forbid: boolean): string => {
    if (!p.bytes.includes(0)) return quotedLiteral(p.value);
    notes.push({
      line: exchange.line,
      message: forbid
        ? 'a forbidden literal holding NUL is compared whole here (imaptest compares it up to the NUL only)'
        : 'a literal holding NUL is $ here (imaptest compares strings up to the NUL only, so it checks little more than that)',
    });
    return forbid ? quotedLiteral(p.value) : '$';
  };
  // Only `*` lines bind for later exchanges: a `?` line may match nothing, a `!` line binds nothing.
  const unbound: PatternContext = { ...ctx, binds: [] };
  const patterns = (list: readonly (readonly Piece[])[], within: PatternContext, forbid: boolean): string[] =>
    list.map((pieces) => pieces.map((p) => (p.kind === 'text' ? translatePattern(p.value, within) : literal(p, forbid))).join(''));
  steps.push({
    s: imapMatcher({ untagged: patterns(exchange.untagged, ctx, false), optional: patterns(exchange.optional, unbound, false), forbid: patterns(exchange.forbid, unbound, true), extra, tagged }),
  });
  for (const name of binds) known.add(name);
  return steps;
}

/**
 * A command's steps (its completion is the exchange's `s:`): its line, or, for each literal,
 * the line up to `{N}`, the server's `+`, and the rest. A command expected to fail sends
 * non-synchronizing literals (`{N+}`, LITERAL+) in one write: the server may refuse it
 * before any `+`.
 */
function commandSteps(tag: string, command: Command, nextMessages: (count: number | undefined, line: number) => MboxMessage[], problems: Problem[], nonSync: () => void): Step[] {
  const pieces = withMessage(command, nextMessages);
  const [head, ...rest] = pieces;
  const text = head?.kind === 'text' ? translate(head.value, command.line, problems) : '';
  const sync = command.status === 'OK';
  const steps: Step[] = [];
  let line = `${tag} ${text}`;
  let pending: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const piece = rest[i];
    if (piece?.kind !== 'literal') continue;
    const opening = `${line}${piece.binary ? '~' : ''}{${piece.bytes.length}${sync ? '' : '+'}}`;
    const raw = rawLiteral(piece);
    const literalLines = raw === undefined ? piece.value.split('\r\n').map(escapeTemplate) : [''];
    if (sync) {
      steps.push({ c: pending.length === 0 ? opening : [...pending, opening] });
      steps.push({ s: { status: '+' } });
      pending = literalLines.slice(0, -1);
    } else {
      nonSync();
      pending = [...pending, opening, ...literalLines.slice(0, -1)];
    }
    if (raw !== undefined) {
      if (pending.length > 0) steps.push({ c: pending });
      pending = [];
      steps.push(raw);
    }
    const after = rest[i + 1];
    const tail = after?.kind === 'text' ? translate(after.value, command.line, problems) : '';
    line = `${literalLines[literalLines.length - 1] ?? ''}${tail}`;
  }
  steps.push({ c: pending.length === 0 ? line : [...pending, line] });
  return steps;
}

/**
 * A literal that `c:` lines cannot carry (bytes that are not UTF-8, a control character, a
 * CR or LF not part of a CRLF) as a `send:` step of its exact bytes: its text (YAML writes
 * `\0`, `\n` escaped), or, when it is not UTF-8, its hex. Undefined when it is CRLF lines of text.
 */
function rawLiteral(piece: Extract<Piece, { kind: 'literal' }>): Step | undefined {
  const text = Buffer.from(piece.value, 'utf8').equals(piece.bytes);
  if (text && !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|(?<!\r)\n/.test(piece.value)) return undefined;
  return { send: text ? escapeTemplate(piece.value) : { hex: piece.bytes.toString('hex').replace(/(..)(?!$)/g, '$1 ') } };
}

/** imaptest's `append [mailbox [flags]]` with no literal appends the mbox's next message. */
function withMessage(command: Command, nextMessages: (count: number | undefined, line: number) => MboxMessage[]): readonly Piece[] {
  const [head, ...rest] = command.pieces;
  if (head?.kind !== 'text' || rest.length > 0 || !/^append\b/i.test(head.value.trim())) return command.pieces;
  const [message] = nextMessages(1, command.line);
  if (!message) return command.pieces;
  const args = head.value.trim().length > 'append'.length ? head.value.trim() : 'APPEND $mailbox';
  return [
    { kind: 'text', value: `${args} ` },
    { kind: 'literal', value: message.lines.map((l) => `${l}\r\n`).join(''), bytes: Buffer.from(message.lines.map((l) => `${l}\r\n`).join(''), 'utf8'), binary: false },
    { kind: 'text', value: '' },
  ];
}

/** The setup's APPEND, as imaptest's: the `From ` line's date is the INTERNALDATE. */
function appendSteps(tag: string, mailbox: string, message: MboxMessage): Step[] {
  const size = message.lines.reduce((n, l) => n + Buffer.byteLength(l, 'utf8') + 2, 0);
  return [{ c: `${tag} APPEND ${mailbox} "${message.date}" {${size}}` }, { s: { status: '+' } }, { c: [...message.lines.map(escapeTemplate), ''] }, { s: { status: 'OK' } }];
}

/**
 * imaptest's `$name` in a command becomes the template `${name}`; `${name}` stays; `$$` is a
 * `$`; `$1` is `1` (sequence numbers are counted from the command's sending).
 */
function translate(text: string, line: number, problems: Problem[]): string {
  return text.replace(/\$\$|\$\{([^}]*)\}|\$([0-9]+)|\$([A-Za-z_][A-Za-z0-9_]*)|\$/g, (all, braced: string | undefined, sequence: string | undefined, bare: string | undefined) => {
    if (sequence !== undefined) return String(Number(sequence));
    const name = braced ?? bare;
    if (name === undefined) return '$';
    const known = Object.hasOwn(PREDEFINED, name) ? PREDEFINED[name] : undefined;
    if (known !== undefined) return `\${${known}}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      problems.push({ line, message: `"${all}" in a command` });
      return all;
    }
    return `\${${name}}`;
  });
}

/** What translating a reply pattern needs: the command's tag, the variables earlier exchanges bound. */
interface PatternContext {
  readonly tag: string;
  readonly line: number;
  readonly problems: Problem[];
  /** Bound by the patterns of earlier exchanges: the spec's variables by now. */
  readonly known: ReadonlySet<string>;
  /** Bound by this exchange's patterns. */
  readonly binds: string[];
}

const DELIMITER = /^[\s()[\]"]?$/;

/**
 * An imaptest reply pattern as the \`imap:\` matcher reads it (format §5): a predefined variable
 * (\`$mailbox\`, \`${mailbox}\`) becomes the spec's template; \`$tag\` the command's tag; any
 * other variable that is a whole value is imaptest's variable, bound on first use, written
 * \`$name\`; one inside a word or a string (\`$uid1:$uid3\`) must be bound by an earlier exchange
 * and becomes the template \`${name}\`; \`$$word\` (a literal \`$\`) is the quoted \`"$word"\`;
 * \`$1\`, a sequence number of the command, stays as written when it is a whole value.
 */
function translatePattern(text: string, ctx: PatternContext): string {
  const { line, problems } = ctx;
  const PATTERN_VARIABLE = /\$\$([^\s()[\]"]*)|\$\{([^}]*)\}|\$([0-9]+)(?![A-Za-z0-9_])|\$([A-Za-z_][A-Za-z0-9_]*)/g;
  let quoted = false;
  let scanned = 0;
  return text.replace(PATTERN_VARIABLE, (all: string, word: string | undefined, braced: string | undefined, sequence: string | undefined, bare: string | undefined, at: number) => {
    for (; scanned < at; scanned++) if (text[scanned] === '"' && text[scanned - 1] !== '\\') quoted = !quoted;
    scanned = at + all.length;
    if (word !== undefined) return `"$${word}"`;
    if (sequence !== undefined) {
      // `$1` as a whole value is the matcher's own; inside a word it has no equivalent.
      const whole = !quoted && DELIMITER.test(text[at - 1] ?? '') && DELIMITER.test(text[at + all.length] ?? '');
      if (whole && Number(sequence) >= 1) return all;
      problems.push({ line, message: `imaptest's $${sequence} (a sequence number of the command) inside a word or a string has no convospec equivalent` });
      return all;
    }
    const name = (braced ?? bare) as string;
    if (name === 'tag') return ctx.tag;
    const known = Object.hasOwn(PREDEFINED, name) ? PREDEFINED[name] : undefined;
    if (known !== undefined) return `\${${known}}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      problems.push({ line, message: `"${all}" in a reply pattern` });
      return all;
    }
    const whole = !quoted && DELIMITER.test(text[at - 1] ?? '') && DELIMITER.test(text[at + all.length] ?? '');
    if (whole) {
      ctx.binds.push(name);
      return `$${name}`;
    }
    if (ctx.known.has(name)) return `\${${name}}`;
    problems.push({ line, message: `$${name} inside a word or a string, not bound by an earlier reply (convospec binds a variable to a whole value)` });
    return all;
  });
}

/**
 * A `{{{ … }}}` literal of a reply pattern as the pattern's quoted string: values compare as
 * text, so the literal the server sends matches it.
 */
function quotedLiteral(value: string): string {
  return `"${escapeTemplate(value.replaceAll('\\', '\\\\').replaceAll('"', '\\"'))}"`;
}

function escapeTemplate(text: string): string {
  return text.replaceAll('${', '$${');
}

/**
 * The mailboxes the script names (`$mailbox`, `${mailbox}2`, `"$mailbox/child"`), children
 * first. A name built with the separator the script reads from LIST (`$sep`) is deleted with
 * `.` and with `/`; a name with another variable, or a wildcard, is left alone.
 */
function testMailboxes(script: Script): string[] {
  const found = new Set<string>(['']);
  const texts = script.exchanges.flatMap((e) => e.commands.flatMap((c) => c.pieces.filter((p) => p.kind === 'text').map((p) => p.value)));
  for (const text of texts) {
    for (const m of text.matchAll(/(?:\$\{mailbox\}|\$mailbox)(?![A-Za-z_])((?:\$\{sep\}|\$sep(?![A-Za-z0-9_])|[^\s()"{}$*%])*)/g)) {
      for (const sep of ['.', '/']) {
        const suffix = (m[1] as string).replaceAll('${sep}', sep).replaceAll('$sep', sep);
        found.add(suffix.endsWith(sep) ? suffix.slice(0, -1) : suffix);
      }
    }
  }
  return [...found].sort((a, b) => b.length - a.length || a.localeCompare(b)).map((suffix) => (suffix === '' ? '${mailbox}' : `"\${mailbox}${suffix}"`));
}

/** The script ends its session: a `logout` command, or a `* bye` it expects. */
function logsOut(script: Script): boolean {
  return script.exchanges.some(
    (e) => e.commands.some((c) => c.pieces[0]?.kind === 'text' && /^\s*logout\s*$/i.test(c.pieces[0].value)) || e.untagged.some((u) => u[0]?.kind === 'text' && /^\*\s+bye\b/i.test(u[0].value)),
  );
}

/** Maps of scalars (connect, vars, status matchers) and short lists in flow style. */
function flowSmallMaps(doc: Document): void {
  visit(doc, {
    Map(key, node) {
      if (typeof key === 'number' || key === null) return;
      if (node instanceof YAMLMap && node.items.every((pair) => !isMap(pair.value) && !(isSeq(pair.value) && pair.value.items.length > 2))) node.flow = true;
    },
    Seq(_key, node) {
      if (node instanceof YAMLSeq && node.items.length <= 4 && node.items.every((item) => !isMap(item) && !isSeq(item))) {
        const short = node.items.every((item) => String((item as { value?: unknown }).value ?? '').length < 40);
        if (short) node.flow = true;
      }
    },
  });
}

/** One report per line and construct. */
function unique(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.line}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
