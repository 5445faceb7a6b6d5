/**
 * One IMAP connection (RFC 3501 / RFC 9051 subset): reads whole commands (lines and
 * literals), dispatches them through the command table, and keeps the session's view of the
 * selected mailbox in step with the store.
 */
import { COMMANDS, UID_COMMANDS } from './imap-commands.js';
import type { Command, Completion, ImapState } from './imap-commands.js';
import { atom, ImapSyntaxError, LITERAL_AT_END, tokenize } from './imap-parser.js';
import type { RawCommand } from './imap-parser.js';
import { BadCharsetError, SEARCH_CHARSETS } from './imap-search.js';
import { IdleTimeoutError, isPeerFailure, LineTooLongError } from './line-socket.js';
import type { LineSocket } from './line-socket.js';
import type { ServiceContext } from './listener.js';
import type { Mailbox, StoredMessage } from './mailbox.js';

/** The listener's address is not the session's business. */
export type ImapContext = Omit<ServiceContext, 'host'>;

export interface Selection {
  readonly box: Mailbox;
  /** Messages by sequence number minus one, as this session last told the client. */
  readonly view: StoredMessage[];
  readonly readOnly: boolean;
  /** Highest UID in the view, to spot new arrivals. */
  highestUid: number;
}

const BASE_CAPABILITIES = ['IMAP4rev1', 'LITERAL+', 'SASL-IR', 'IDLE', 'UIDPLUS', 'UNSELECT'];

/** Commands during whose responses EXPUNGE must not be sent (RFC 3501 §7.4.1). */
const NO_EXPUNGE_DURING = new Set(['FETCH', 'STORE', 'SEARCH']);

/** A sync literal the session refused instead of asking for it (RFC 3501 §7.5). */
type ReadResult = RawCommand | { readonly refused: true } | undefined;

export class ImapSession {
  state: ImapState = 'notAuthenticated';
  user: string | undefined;
  selection: Selection | undefined;
  authFailures = 0;
  /** Set by LOGOUT (and fatal limits): the session ends after the current reply. */
  closing = false;

  constructor(
    readonly io: LineSocket,
    readonly context: ImapContext,
    /** IMAP_PORT: STARTTLS offered, LOGIN refused until then (RFC 3501 §6.2.3). */
    readonly offersStartTls: boolean,
  ) {}

  /** True while plaintext logins are refused (RFC 3501 §7.2.1 LOGINDISABLED). */
  get loginDisabled(): boolean {
    return this.offersStartTls && !this.io.secure;
  }

  capabilities(): string[] {
    if (this.state !== 'notAuthenticated') return BASE_CAPABILITIES;
    if (this.loginDisabled) return ['IMAP4rev1', 'STARTTLS', 'LOGINDISABLED', ...BASE_CAPABILITIES.slice(1)];
    return [...BASE_CAPABILITIES, 'AUTH=PLAIN'];
  }

  async send(data: string | Buffer): Promise<void> {
    await this.io.write(data);
  }

  async untagged(text: string): Promise<void> {
    await this.send(`* ${text}\r\n`);
  }

  /**
   * Brings the view up to date: `* n EXPUNGE` for messages gone (only when allowed), then
   * `* n EXISTS` when new ones arrived (RFC 3501 §7.3.1, §7.4.1).
   */
  syncLines(allowExpunge: boolean): string[] {
    const selection = this.selection;
    if (selection === undefined) return [];
    const lines: string[] = [];
    if (allowExpunge) {
      // Highest first, so each reported number is still valid when the client applies it.
      for (let i = selection.view.length - 1; i >= 0; i--) {
        if (selection.view[i]?.expunged) {
          lines.push(`* ${i + 1} EXPUNGE`);
          selection.view.splice(i, 1);
        }
      }
    }
    const arrivals = selection.box.messages().filter((m) => m.uid > selection.highestUid);
    if (arrivals.length > 0) {
      selection.view.push(...arrivals);
      selection.highestUid = arrivals[arrivals.length - 1]?.uid ?? selection.highestUid;
      lines.push(`* ${selection.view.length} EXISTS`);
    }
    return lines;
  }

  async sync(allowExpunge: boolean): Promise<void> {
    const lines = this.syncLines(allowExpunge);
    if (lines.length > 0) await this.send(lines.map((l) => `${l}\r\n`).join(''));
  }

  /** Reads one client line without its CRLF; undefined at EOF. */
  async readLine(): Promise<string | undefined> {
    const line = await this.io.readLine();
    return line === undefined ? undefined : line.toString('utf8').replace(/\r$/, '');
  }

  /**
   * One command: its lines and literals (RFC 3501 §4.3). A synchronising literal is asked
   * for with `+`; one over the limit is refused before the client sends it; a
   * non-synchronising one over the limit cannot be skipped safely, so the session ends.
   */
  async readCommand(): Promise<ReadResult> {
    const { limits } = this.context;
    const lines: string[] = [];
    const literals: Buffer[] = [];
    for (;;) {
      const line = await this.readLine();
      if (line === undefined) return undefined;
      lines.push(line);
      const literal = LITERAL_AT_END.exec(line);
      if (!literal) return { lines, literals };
      const size = Number(literal[1]);
      const synchronising = literal[2] !== '+';
      const isAppend = /^\S+ APPEND /i.test(lines[0] ?? '');
      const max = isAppend ? limits.message : limits.literal;
      if (size > max || literals.length >= limits.literalsPerCommand) {
        if (!synchronising) {
          await this.untagged('BYE [TOOBIG] Literal too big');
          this.closing = true;
          return undefined;
        }
        const tag = /^\S+/.exec(lines[0] ?? '')?.[0] ?? '*';
        await this.send(`${tag} NO [TOOBIG] Literal too big (at most ${max} bytes)\r\n`);
        return { refused: true };
      }
      if (synchronising) await this.send('+ Ready for literal data\r\n');
      const bytes = await this.io.readBytes(size);
      if (bytes === undefined) return undefined;
      literals.push(bytes);
    }
  }

  async run(): Promise<void> {
    try {
      await this.untagged(`OK [CAPABILITY ${this.capabilities().join(' ')}] ${this.context.serverName} convospec demo IMAP4rev1 ready`);
      while (!this.closing) {
        const raw = await this.readCommand();
        if (raw === undefined) break;
        if ('refused' in raw) continue;
        await this.dispatch(raw);
      }
    } catch (error) {
      await this.fatal(error);
    } finally {
      this.closing = true;
      this.io.end();
    }
  }

  /** Ends the session on a broken limit with an untagged BYE (RFC 3501 §7.1.5). */
  async fatal(error: unknown): Promise<void> {
    if (error instanceof LineTooLongError) await this.untagged(`BYE Line too long (at most ${error.limit} bytes)`);
    else if (error instanceof IdleTimeoutError) await this.untagged('BYE Autologout; idle for too long');
    else if (!isPeerFailure(error)) throw error;
  }

  async dispatch(raw: RawCommand): Promise<void> {
    const first = raw.lines[0] ?? '';
    const tag = /^([^\s(){%*"\\+]+)(?: |$)/.exec(first)?.[1];
    if (tag === undefined) {
      await this.untagged(first.trim() === '' ? 'BAD Empty command line' : 'BAD Missing or invalid tag');
      return;
    }
    let completion: Completion | undefined;
    let name = '';
    try {
      const tokens = tokenize(raw);
      name = atom(tokens[1])?.toUpperCase() ?? '';
      const uid = name === 'UID';
      if (uid) name = atom(tokens[2])?.toUpperCase() ?? '';
      const entry = uid ? UID_COMMANDS[name] : COMMANDS[name];
      const command: Command = { tag, name: uid ? `UID ${name}` : name, args: tokens.slice(uid ? 3 : 2), uid };
      if (name === '') completion = { status: 'BAD', text: 'Missing command' };
      else if (entry === undefined) completion = { status: 'BAD', text: `Unknown command ${command.name}` };
      else if (!entry.states.includes(this.state)) completion = stateError(this.state, entry.states);
      else {
        if (this.selection) await this.sync(false);
        completion = await entry.run(this, command);
      }
    } catch (error) {
      if (error instanceof ImapSyntaxError) completion = { status: 'BAD', text: `Syntax error: ${error.message}` };
      else if (error instanceof BadCharsetError) completion = { status: 'NO', text: `[BADCHARSET (${SEARCH_CHARSETS.join(' ')})] Unsupported charset` };
      else throw error;
    }
    if (completion === undefined) return;
    if (!this.closing) await this.sync(!NO_EXPUNGE_DURING.has(name));
    await this.send(`${tag} ${completion.status} ${completion.text}\r\n`);
  }
}

function stateError(state: ImapState, allowed: readonly ImapState[]): Completion {
  if (!allowed.includes('selected')) return { status: 'BAD', text: 'Already authenticated' };
  if (state === 'notAuthenticated') return { status: 'BAD', text: 'Log in first' };
  return { status: 'BAD', text: 'No mailbox selected' };
}
