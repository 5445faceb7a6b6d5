/**
 * Reads an imaptest scripted test (imaptest's docs/scripted_test.md): the header, the
 * `!ifenv` preprocessing, and the commands with their `*` / `?` / `!` lines, grouped into
 * exchanges (one write of one or more commands, then their replies).
 */

export const STATES = ['nonauth', 'auth', 'created', 'appended', 'selected'] as const;
export type State = (typeof STATES)[number];

export interface Header {
  readonly capabilities: readonly string[];
  readonly connections: number;
  /** undefined: all the messages of the mbox. */
  readonly messages: number | undefined;
  readonly state: State;
  /** `ignore_extra_untagged` (default yes). */
  readonly extra: boolean;
  /** `user N: name`: the user connection N logs in as, as written (`$user2`). */
  readonly users: ReadonlyMap<number, string>;
}

/**
 * A piece of a command: text, or a `{{{ … }}}` literal (`~{{{` a literal8): its bytes as
 * written, and as text (an invalid byte read as U+FFFD, as replies are read).
 */
export type Piece = { readonly kind: 'text'; readonly value: string } | { readonly kind: 'literal'; readonly value: string; readonly bytes: Buffer; readonly binary: boolean };

export interface Command {
  readonly line: number;
  /** The script's own tag (Method 3), else undefined. */
  readonly tag: string | undefined;
  readonly pieces: readonly Piece[];
  /** `OK`, `NO`, `BAD`, or `any` for `""`; then the prefix the completion must start with. */
  status?: string;
  prefix?: string;
}

export interface Exchange {
  readonly line: number;
  readonly connection: number;
  readonly commands: Command[];
  /** `*` lines as imaptest patterns: text, and `{{{ … }}}` literals (the value the server sends). */
  readonly untagged: (readonly Piece[])[];
  /** `?` lines (may come), the same, starting with `*`. */
  readonly optional: (readonly Piece[])[];
  /** `!` lines, the same, starting with `*`. */
  readonly forbid: (readonly Piece[])[];
}

export interface Problem {
  readonly line: number;
  readonly message: string;
}

export interface Script {
  readonly header: Header;
  readonly exchanges: readonly Exchange[];
  /** Constructs that cannot be expressed: the script is not written. */
  readonly problems: readonly Problem[];
  /** Written, with a comment: what the importer decided. */
  readonly notes: readonly Problem[];
}

const STATUS_WORDS: Readonly<Record<string, string>> = { ok: 'OK', no: 'NO', bad: 'BAD', '""': '$' };

interface Line {
  readonly number: number;
  /** The line as UTF-8 text, without its line end. */
  readonly text: string;
  /** The line's bytes (one character each), a CR before its LF included (a `{{{` literal keeps them). */
  readonly raw: string;
}

/** The script's bytes: a `{{{` literal may hold any (`append-binary`: NUL and 0xE4). */
export function parseScript(bytes: Buffer, env: Readonly<Record<string, string | undefined>>): Script {
  const problems: Problem[] = [];
  const notes: Problem[] = [];
  const all = bytes
    .toString('latin1')
    .split('\n')
    .map((t, i) => ({ number: i + 1, text: Buffer.from(t.replace(/\r$/, ''), 'latin1').toString('utf8'), raw: t }));
  const { header, rest } = parseHeader(all, problems);
  const body = preprocess(rest, env, problems, notes);
  const exchanges = parseBody(body, header, problems);
  return { header, exchanges, problems, notes };
}

function parseHeader(lines: readonly Line[], problems: Problem[]): { header: Header; rest: Line[] } {
  let capabilities: string[] = [];
  let connections = 1;
  let messages: number | undefined;
  let state: State = 'selected';
  let extra = true;
  const users = new Map<number, string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const { number, text } = lines[i] as Line;
    if (text.trim() === '') break;
    if (text.startsWith('#')) continue;
    const m = /^([a-z_]+(?: [0-9]+)?):\s*(.*)$/i.exec(text);
    if (!m) {
      problems.push({ line: number, message: `header line "${text}" is not "key: value" (end the header with an empty line)` });
      continue;
    }
    const key = (m[1] as string).toLowerCase();
    const value = (m[2] as string).trim();
    switch (key) {
      case 'capabilities':
        capabilities = value.split(/\s+/).filter((c) => c !== '');
        break;
      case 'connections':
        connections = Number.parseInt(value, 10);
        if (!(connections >= 1)) problems.push({ line: number, message: `connections: "${value}" is not a number of 1 or more` });
        break;
      case 'messages':
        if (value.toLowerCase() !== 'all') {
          messages = Number.parseInt(value, 10);
          if (!(messages >= 0)) problems.push({ line: number, message: `messages: "${value}" is not "all" or a number` });
        }
        break;
      case 'state':
        if ((STATES as readonly string[]).includes(value.toLowerCase())) state = value.toLowerCase() as State;
        else problems.push({ line: number, message: `state: "${value}" is none of ${STATES.join(', ')}` });
        break;
      case 'ignore_extra_untagged':
        extra = !/^(no|false|0)$/i.test(value);
        break;
      default: {
        const user = /^user ([0-9]+)$/.exec(key);
        if (user && Number(user[1]) >= 1 && value !== '') users.set(Number(user[1]), value);
        else problems.push({ line: number, message: `unknown header "${key}"` });
      }
    }
  }
  return { header: { capabilities, connections: connections >= 1 ? connections : 1, messages, state, extra, users }, rest: lines.slice(i) };
}

/** `!ifenv` / `!ifnenv` / `!else` / `!endif`: evaluated now, against the importer's environment. */
function preprocess(lines: readonly Line[], env: Readonly<Record<string, string | undefined>>, problems: Problem[], notes: Problem[]): Line[] {
  const out: Line[] = [];
  const stack: { active: boolean; line: number }[] = [];
  const active = (): boolean => stack.every((s) => s.active);
  for (const line of lines) {
    const m = /^!(ifenv|ifnenv|else|endif)\b\s*(\S*)/.exec(line.text);
    if (!m) {
      if (active()) out.push(line);
      continue;
    }
    const [, word, name] = m as unknown as [string, string, string];
    if (word === 'ifenv' || word === 'ifnenv') {
      const set = env[name] !== undefined;
      stack.push({ active: word === 'ifenv' ? set : !set, line: line.number });
      notes.push({ line: line.number, message: `!${word} ${name}: evaluated at import time (${name} ${set ? 'set' : 'not set'})` });
    } else if (word === 'else') {
      const top = stack[stack.length - 1];
      if (top) top.active = !top.active;
      else problems.push({ line: line.number, message: '!else without !ifenv or !ifnenv' });
    } else if (stack.pop() === undefined) {
      problems.push({ line: line.number, message: '!endif without !ifenv or !ifnenv' });
    }
  }
  for (const open of stack) problems.push({ line: open.line, message: '!ifenv or !ifnenv without !endif' });
  return out;
}

/**
 * Joins a `{{{` literal's lines to the line, as imaptest does: the lines as written (a CR
 * before the LF kept), each followed by CRLF (`~{{{`: by LF), except the last, whose line end
 * is not part of it. Returns the pieces and the next index.
 */
function readPieces(lines: readonly Line[], start: number, first: string, problems: Problem[]): { pieces: Piece[]; next: number } {
  const pieces: Piece[] = [];
  let text = first;
  let i = start + 1;
  for (;;) {
    const m = /(~?)\{\{\{$/.exec(text);
    if (!m) {
      pieces.push({ kind: 'text', value: text });
      return { pieces, next: i };
    }
    pieces.push({ kind: 'text', value: text.slice(0, m.index) });
    const content: string[] = [];
    while (i < lines.length && !(lines[i] as Line).text.startsWith('}}}')) content.push((lines[i++] as Line).raw);
    const join = m[1] === '~' ? '\n' : '\r\n';
    const bytes = Buffer.from(content.join(join), 'latin1');
    const literal: Piece = { kind: 'literal', value: bytes.toString('utf8'), bytes, binary: m[1] === '~' };
    pieces.push(literal);
    if (i >= lines.length) {
      problems.push({ line: (lines[start] as Line).number, message: 'a {{{ literal with no closing }}}' });
      return { pieces, next: i };
    }
    text = (lines[i] as Line).text.slice(3);
    i++;
  }
}

function parseBody(lines: readonly Line[], header: Header, problems: Problem[]): Exchange[] {
  const multi = header.connections > 1;
  // Method 3: a word that some line completes (`tag1 ok`) is a tag.
  const tags = new Set<string>();
  for (const { text } of lines) {
    const words = splitConnection(text, multi).rest.split(/\s+/);
    const [first, second] = words;
    if (first !== undefined && second !== undefined && !(first.toLowerCase() in STATUS_WORDS) && second.toLowerCase() in STATUS_WORDS) tags.add(first);
  }

  const exchanges: Exchange[] = [];
  let last: Exchange | undefined;
  /** Commands waiting for their completion line, by connection. */
  const waiting = new Map<number, Command[]>();
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as Line;
    const text = line.text;
    if (text.trim() === '' || text.startsWith('#')) {
      i++;
      continue;
    }
    if (/^[*!?](?: |$)/.test(text)) {
      const { pieces, next } = readPieces(lines, i, text, problems);
      i = next;
      if (!last) {
        problems.push({ line: line.number, message: `"${text}" comes before any command` });
        continue;
      }
      const [head, ...more] = pieces;
      if (text.startsWith('*')) last.untagged.push(pieces);
      else if (head?.kind === 'text') (text.startsWith('!') ? last.forbid : last.optional).push([{ kind: 'text', value: `*${head.value.slice(1)}` }, ...more]);
      continue;
    }
    if (!/^[\w"]/.test(text.trim())) {
      problems.push({ line: line.number, message: `"${text.trim()[0] ?? ''}" starts no line of imaptest's syntax (a command, "*", "?" or "!")` });
      i++;
      continue;
    }
    const { connection, rest } = splitConnection(text, multi);
    if (connection > header.connections) problems.push({ line: line.number, message: `connection ${connection}, but the header says connections: ${header.connections}` });
    const words = rest.split(/\s+/);
    const first = words[0] ?? '';
    const pending = waiting.get(connection) ?? [];
    // A completion: `ok [prefix]` (Method 2) or `tag ok [prefix]` (Method 3).
    const m2 = first.toLowerCase() in STATUS_WORDS && pending.some((c) => c.tag === undefined);
    const m3 = tags.has(first) && words[1] !== undefined && words[1].toLowerCase() in STATUS_WORDS && pending.some((c) => c.tag === first);
    if (m2 || m3) {
      const statusWord = (m3 ? words[1] : first) as string;
      const index = pending.findIndex((c) => (m3 ? c.tag === first : c.tag === undefined));
      const command = pending[index] as Command;
      pending.splice(index, 1);
      command.status = STATUS_WORDS[statusWord.toLowerCase()] as string;
      const prefix = rest.slice(rest.indexOf(statusWord) + statusWord.length).trim();
      if (prefix !== '') command.prefix = prefix;
      i++;
      continue;
    }
    const { pieces, next } = readPieces(lines, i, rest, problems);
    i = next;
    let command: Command;
    if (first.toLowerCase() in STATUS_WORDS) {
      // Method 1: the status first, then the command.
      const head = pieces[0] as Piece;
      const value = head.value.slice(first.length).trimStart();
      command = { line: line.number, tag: undefined, pieces: [{ kind: 'text', value }, ...pieces.slice(1)], status: STATUS_WORDS[first.toLowerCase()] as string };
    } else if (tags.has(first)) {
      const head = pieces[0] as Piece;
      command = { line: line.number, tag: first, pieces: [{ kind: 'text', value: head.value.slice(first.length).trimStart() }, ...pieces.slice(1)] };
      pending.push(command);
    } else {
      command = { line: line.number, tag: undefined, pieces };
      pending.push(command);
    }
    waiting.set(connection, pending);
    // Method 3 commands written before the previous ones completed are pipelined with them.
    const pipelined = last !== undefined && last.connection === connection && command.tag !== undefined && last.commands.every((c) => c.tag !== undefined && c.status === undefined) && last.untagged.length === 0 && last.optional.length === 0 && last.forbid.length === 0;
    if (pipelined && last) last.commands.push(command);
    else {
      last = { line: line.number, connection, commands: [command], untagged: [], optional: [], forbid: [] };
      exchanges.push(last);
    }
  }
  for (const pending of waiting.values()) {
    for (const c of pending) if (c.status === undefined) problems.push({ line: c.line, message: 'a command with no completion line (ok, no, bad or "")' });
  }
  return exchanges;
}

function splitConnection(text: string, multi: boolean): { connection: number; rest: string } {
  if (!multi) return { connection: 1, rest: text.trim() };
  const m = /^(\d+)\s+(.*)$/.exec(text.trim());
  return m ? { connection: Number(m[1]), rest: (m[2] as string).trim() } : { connection: 1, rest: text.trim() };
}
