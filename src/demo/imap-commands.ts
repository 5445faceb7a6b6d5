/**
 * The IMAP commands the demo serves, one table entry each: the states it is valid in
 * (RFC 3501 §6) and what it does. A handler returns the tagged completion, or undefined when
 * it wrote it itself (STARTTLS must answer before the handshake).
 */
import { parseImapDateTime } from './date.js';
import { formatFlags, parseFetchItems, renderFetch, setsSeen } from './imap-fetch.js';
import type { FetchItem } from './imap-fetch.js';
import { astring, atom, ImapSyntaxError, inSequenceSet, parseSequenceSet, quote } from './imap-parser.js';
import type { ImapToken } from './imap-parser.js';
import { parseSearch } from './imap-search.js';
import type { ImapSession, Selection } from './imap-session.js';
import type { StoredMessage } from './mailbox.js';
import { decodePlain } from './sasl.js';

export type ImapState = 'notAuthenticated' | 'authenticated' | 'selected';

export interface Command {
  readonly tag: string;
  /** Upper case, `UID FETCH` for UID commands. */
  readonly name: string;
  readonly args: readonly ImapToken[];
  readonly uid: boolean;
}

export interface Completion {
  readonly status: 'OK' | 'NO' | 'BAD';
  readonly text: string;
}

interface CommandEntry {
  readonly states: readonly ImapState[];
  run(session: ImapSession, command: Command): Promise<Completion | undefined>;
}

const ANY: readonly ImapState[] = ['notAuthenticated', 'authenticated', 'selected'];
const NOT_AUTHENTICATED: readonly ImapState[] = ['notAuthenticated'];
const AUTHENTICATED: readonly ImapState[] = ['authenticated', 'selected'];
const SELECTED: readonly ImapState[] = ['selected'];

const ok = (text: string): Completion => ({ status: 'OK', text });
const no = (text: string): Completion => ({ status: 'NO', text });
const bad = (text: string): Completion => ({ status: 'BAD', text });

const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];
const SYSTEM_BY_LOWER = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));

/** System flags in their canonical case; keywords as given (RFC 3501 §2.3.2). */
function canonicalFlag(token: ImapToken): string {
  const flag = atom(token);
  if (flag === undefined) throw new ImapSyntaxError('flags are atoms');
  if (!flag.startsWith('\\')) return flag;
  const system = SYSTEM_BY_LOWER.get(flag.toLowerCase());
  if (system === undefined) throw new ImapSyntaxError(`flag ${flag} cannot be set`);
  return system;
}

function flagList(tokens: readonly ImapToken[]): string[] {
  const first = tokens[0];
  const items = tokens.length === 1 && first?.type === 'list' ? first.items : tokens;
  return items.map(canonicalFlag);
}

const isInbox = (name: string | undefined): boolean => name?.toUpperCase() === 'INBOX';

function requireSelection(session: ImapSession): Selection {
  if (session.selection === undefined) throw new Error('no selection in the selected state');
  return session.selection;
}

/** Messages a sequence set names, with their sequence numbers; a number past the end is BAD. */
function messagesIn(selection: Selection, setText: string | undefined, uid: boolean): [number, StoredMessage][] {
  const view = selection.view;
  const star = uid ? (view[view.length - 1]?.uid ?? 0) : view.length;
  const set = setText === undefined ? undefined : parseSequenceSet(setText, star);
  if (set === undefined) throw new ImapSyntaxError('bad sequence set');
  if (uid) return view.flatMap((m, i): [number, StoredMessage][] => (inSequenceSet(set, m.uid) ? [[i + 1, m]] : []));
  if (set.some(([lo, hi]) => lo < 1 || hi > view.length)) throw new ImapSyntaxError('invalid message sequence number');
  return view.flatMap((m, i): [number, StoredMessage][] => (inSequenceSet(set, i + 1) ? [[i + 1, m]] : []));
}

async function login(session: ImapSession, user: string | undefined, verb: string): Promise<Completion> {
  if (user === undefined) {
    session.authFailures += 1;
    if (session.authFailures >= session.context.limits.authFailures) {
      await session.untagged('BYE Too many authentication failures');
      session.closing = true;
    }
    return no('[AUTHENTICATIONFAILED] Authentication failed');
  }
  session.user = user;
  session.state = 'authenticated';
  return ok(`[CAPABILITY ${session.capabilities().join(' ')}] ${verb} completed`);
}

const capability: CommandEntry = {
  states: ANY,
  async run(session) {
    await session.untagged(`CAPABILITY ${session.capabilities().join(' ')}`);
    return ok('CAPABILITY completed');
  },
};

const noop: CommandEntry = { states: ANY, run: async (_s, c) => ok(`${c.name} completed`) };

const logout: CommandEntry = {
  states: ANY,
  async run(session) {
    await session.untagged('BYE convospec demo IMAP server logging out');
    session.closing = true;
    return ok('LOGOUT completed');
  },
};

const starttls: CommandEntry = {
  states: NOT_AUTHENTICATED,
  async run(session, command) {
    if (!session.offersStartTls || session.io.secure) return bad('STARTTLS is not available here');
    // RFC 3501 §6.2.1: the tagged OK, then the handshake; nothing from before it counts.
    await session.send(`${command.tag} OK Begin TLS negotiation now\r\n`);
    await session.io.startTls(session.context.tls);
    return undefined;
  },
};

const loginCommand: CommandEntry = {
  states: NOT_AUTHENTICATED,
  async run(session, command) {
    if (session.loginDisabled) return no('[PRIVACYREQUIRED] LOGIN is disabled until STARTTLS');
    const [userToken, passToken] = command.args;
    const name = astring(userToken);
    const password = astring(passToken);
    if (name === undefined || password === undefined || command.args.length !== 2) throw new ImapSyntaxError('LOGIN user password');
    return login(session, session.context.store.authenticate(name, password), 'LOGIN');
  },
};

const authenticate: CommandEntry = {
  states: NOT_AUTHENTICATED,
  async run(session, command) {
    const mechanism = atom(command.args[0])?.toUpperCase();
    if (mechanism !== 'PLAIN') return no('[CANNOT] Unsupported authentication mechanism');
    if (session.loginDisabled) return no('[PRIVACYREQUIRED] Authentication is disabled until STARTTLS');
    // RFC 4959 SASL-IR: the initial response may come with the command; `=` is an empty one.
    let response = atom(command.args[1]);
    if (response === undefined) {
      await session.send('+ \r\n');
      response = await session.readLine();
      if (response === undefined) {
        session.closing = true;
        return undefined;
      }
      if (response === '*') return bad('AUTHENTICATE cancelled');
    }
    const credentials = decodePlain(response === '=' ? '' : response);
    if (credentials === undefined) return login(session, undefined, 'AUTHENTICATE');
    const { store } = session.context;
    // RFC 4616 §2: acting as someone else is refused.
    if (credentials.authzid && store.resolve(credentials.authzid) !== store.resolve(credentials.authcid)) {
      return login(session, undefined, 'AUTHENTICATE');
    }
    return login(session, store.authenticate(credentials.authcid, credentials.password), 'AUTHENTICATE');
  },
};

function selectCommand(readOnly: boolean): CommandEntry {
  return {
    states: AUTHENTICATED,
    async run(session, command) {
      // RFC 3501 §6.3.1: a SELECT, even a failing one, first deselects.
      session.selection = undefined;
      session.state = 'authenticated';
      const name = astring(command.args[0]);
      const box = isInbox(name) && session.user !== undefined ? session.context.store.inbox(session.user) : undefined;
      if (box === undefined) return no('[NONEXISTENT] Mailbox does not exist (the demo has only INBOX)');
      const view = box.messages();
      session.selection = { box, view, readOnly, highestUid: view[view.length - 1]?.uid ?? 0 };
      session.state = 'selected';
      const unseen = view.findIndex((m) => !m.flags.has('\\Seen'));
      const lines = [
        `* FLAGS ${formatFlags(SYSTEM_FLAGS)}`,
        `* OK [PERMANENTFLAGS ${readOnly ? '()' : formatFlags([...SYSTEM_FLAGS, '\\*'])}] Flags permitted`,
        `* ${view.length} EXISTS`,
        '* 0 RECENT',
        ...(unseen >= 0 ? [`* OK [UNSEEN ${unseen + 1}] First unseen`] : []),
        `* OK [UIDVALIDITY ${box.uidValidity}] UIDs valid`,
        `* OK [UIDNEXT ${box.uidNext}] Predicted next UID`,
      ];
      await session.send(lines.map((l) => `${l}\r\n`).join(''));
      return ok(`[${readOnly ? 'READ-ONLY' : 'READ-WRITE'}] ${command.name} completed`);
    },
  };
}

/** `*` and `%` wildcards of LIST (RFC 3501 §6.3.8); the demo has one flat mailbox. */
function listMatches(pattern: string, name: string): boolean {
  const source = [...pattern].map((c) => (c === '*' || c === '%' ? '.*' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 'i').test(name);
}

function listCommand(verb: 'LIST' | 'LSUB'): CommandEntry {
  return {
    states: AUTHENTICATED,
    async run(session, command) {
      const reference = astring(command.args[0]);
      const pattern = astring(command.args[1]);
      if (reference === undefined || pattern === undefined) throw new ImapSyntaxError(`${verb} reference pattern`);
      // RFC 3501 §6.3.8: an empty pattern asks for the hierarchy delimiter.
      if (pattern === '') await session.untagged(`${verb} (\\Noselect) "/" ""`);
      else if (listMatches(reference + pattern, 'INBOX')) await session.untagged(`${verb} (\\HasNoChildren) "/" INBOX`);
      return ok(`${verb} completed`);
    },
  };
}

const STATUS_ITEMS: Readonly<Record<string, (s: Selection['box']) => number>> = {
  MESSAGES: (box) => box.size,
  RECENT: () => 0,
  UIDNEXT: (box) => box.uidNext,
  UIDVALIDITY: (box) => box.uidValidity,
  UNSEEN: (box) => box.messages().filter((m) => !m.flags.has('\\Seen')).length,
};

const status: CommandEntry = {
  states: AUTHENTICATED,
  async run(session, command) {
    const name = astring(command.args[0]);
    const items = command.args[1];
    if (items?.type !== 'list') throw new ImapSyntaxError('STATUS mailbox (items)');
    const box = isInbox(name) && session.user !== undefined ? session.context.store.inbox(session.user) : undefined;
    if (box === undefined) return no('[NONEXISTENT] Mailbox does not exist');
    const values = items.items.map((item) => {
      const key = atom(item)?.toUpperCase() ?? '';
      const value = STATUS_ITEMS[key];
      if (value === undefined) throw new ImapSyntaxError(`unknown STATUS item ${key}`);
      return `${key} ${value(box)}`;
    });
    await session.untagged(`STATUS INBOX (${values.join(' ')})`);
    return ok('STATUS completed');
  },
};

const append: CommandEntry = {
  states: AUTHENTICATED,
  async run(session, command) {
    const args = [...command.args];
    const name = astring(args.shift());
    const message = args.pop();
    if (message?.type !== 'string') throw new ImapSyntaxError('APPEND mailbox [(flags)] ["date"] literal');
    const flags = args[0]?.type === 'list' ? flagList([args.shift() as ImapToken]) : [];
    const dateText = astring(args.shift());
    if (args.length > 0) throw new ImapSyntaxError('APPEND mailbox [(flags)] ["date"] literal');
    const date = dateText === undefined ? session.context.store.now() : parseImapDateTime(dateText);
    if (date === undefined) throw new ImapSyntaxError(`bad date-time ${quote(dateText ?? '')}`);
    const box = isInbox(name) && session.user !== undefined ? session.context.store.inbox(session.user) : undefined;
    if (box === undefined) return no('[TRYCREATE] Mailbox does not exist (the demo has only INBOX)');
    const stored = box.append(message.value, date, flags);
    return ok(`[APPENDUID ${box.uidValidity} ${stored.uid}] APPEND completed`);
  },
};

const idle: CommandEntry = {
  states: AUTHENTICATED,
  async run(session, command) {
    // RFC 2177: `+`, then pushed EXISTS/EXPUNGE until the client sends DONE.
    await session.send('+ idling\r\n');
    const box = session.selection?.box;
    const push = (): void => void session.sync(true).catch(() => undefined);
    box?.on('exists', push).on('expunge', push);
    let line: string | undefined;
    try {
      line = await session.readLine();
    } finally {
      box?.off('exists', push).off('expunge', push);
    }
    if (line === undefined) {
      session.closing = true;
      return undefined;
    }
    if (line.trim().toUpperCase() !== 'DONE') return bad(`Expected DONE to end ${command.name}`);
    return ok('IDLE terminated');
  },
};

const check: CommandEntry = { states: SELECTED, run: async () => ok('CHECK completed') };

function deselect(expunge: boolean): CommandEntry {
  return {
    states: SELECTED,
    async run(session, command) {
      const selection = requireSelection(session);
      // RFC 3501 §6.4.2: CLOSE expunges silently (not from a read-only selection).
      if (expunge && !selection.readOnly) selection.box.remove(selection.view.filter((m) => m.flags.has('\\Deleted')));
      session.selection = undefined;
      session.state = 'authenticated';
      return ok(`${command.name} completed`);
    },
  };
}

const expunge: CommandEntry = {
  states: SELECTED,
  async run(session, command) {
    const selection = requireSelection(session);
    if (selection.readOnly) return no('[READ-ONLY] Mailbox is read-only');
    // RFC 4315 UID EXPUNGE: only the deleted messages in the set.
    const inSet = command.uid ? new Set(messagesIn(selection, atom(command.args[0]), true).map(([, m]) => m)) : undefined;
    selection.box.remove(selection.view.filter((m) => m.flags.has('\\Deleted') && (inSet === undefined || inSet.has(m))));
    return ok(`${command.name} completed`);
  },
};

const search: CommandEntry = {
  states: SELECTED,
  async run(session, command) {
    const selection = requireSelection(session);
    const view = selection.view;
    const predicate = parseSearch(command.args, { maxSeq: view.length, maxUid: view[view.length - 1]?.uid ?? 0 });
    const hits = view.flatMap((message, i) => (predicate({ message, seq: i + 1 }) ? [command.uid ? message.uid : i + 1] : []));
    await session.untagged(['SEARCH', ...hits].join(' '));
    return ok(`${command.name} completed`);
  },
};

const fetch: CommandEntry = {
  states: SELECTED,
  async run(session, command) {
    const selection = requireSelection(session);
    const parsed = parseFetchItems(command.args[1]);
    if (command.args.length !== 2) throw new ImapSyntaxError('FETCH set items');
    // RFC 3501 §6.4.8: UID FETCH always answers with the UID.
    const items: FetchItem[] = command.uid && !parsed.some((i) => i.kind === 'uid') ? [{ kind: 'uid' }, ...parsed] : parsed;
    const marksSeen = setsSeen(items) && !selection.readOnly;
    for (const [seq, message] of messagesIn(selection, atom(command.args[0]), command.uid)) {
      let these = items;
      if (marksSeen && !message.flags.has('\\Seen')) {
        message.flags.add('\\Seen');
        // RFC 3501 §6.4.5: a changed \Seen is reported with the fetch.
        if (!items.some((i) => i.kind === 'flags')) these = [...items, { kind: 'flags' }];
      }
      await session.send(renderFetch(seq, message, these));
    }
    return ok(`${command.name} completed`);
  },
};

const store: CommandEntry = {
  states: SELECTED,
  async run(session, command) {
    const selection = requireSelection(session);
    const [setToken, opToken, ...flagTokens] = command.args;
    const op = /^([+-]?)FLAGS(\.SILENT)?$/i.exec(atom(opToken) ?? '');
    if (!op || flagTokens.length === 0) throw new ImapSyntaxError('STORE set (+|-)FLAGS[.SILENT] (flags)');
    if (selection.readOnly) return no('[READ-ONLY] Mailbox is read-only');
    const flags = flagList(flagTokens);
    for (const [seq, message] of messagesIn(selection, atom(setToken), command.uid)) {
      if (op[1] === '') message.flags.clear();
      for (const flag of flags) {
        if (op[1] === '-') message.flags.delete(flag);
        else message.flags.add(flag);
      }
      if (op[2] === undefined) {
        const uid = command.uid ? `UID ${message.uid} ` : '';
        await session.untagged(`${seq} FETCH (${uid}FLAGS ${formatFlags(message.flags)})`);
      }
    }
    return ok(`${command.name} completed`);
  },
};

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  CAPABILITY: capability,
  NOOP: noop,
  LOGOUT: logout,
  STARTTLS: starttls,
  LOGIN: loginCommand,
  AUTHENTICATE: authenticate,
  SELECT: selectCommand(false),
  EXAMINE: selectCommand(true),
  LIST: listCommand('LIST'),
  LSUB: listCommand('LSUB'),
  STATUS: status,
  APPEND: append,
  IDLE: idle,
  CHECK: check,
  CLOSE: deselect(true),
  UNSELECT: deselect(false),
  EXPUNGE: expunge,
  SEARCH: search,
  FETCH: fetch,
  STORE: store,
};

/** RFC 3501 §6.4.8 UID commands; UID EXPUNGE from RFC 4315. */
export const UID_COMMANDS: Readonly<Record<string, CommandEntry>> = {
  FETCH: fetch,
  STORE: store,
  SEARCH: search,
  EXPUNGE: expunge,
};
