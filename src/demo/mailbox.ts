/**
 * The demo's shared in-memory mail store: one INBOX per user, written by SMTP/LMTP delivery
 * and IMAP APPEND, read by IMAP and POP3. Messages are immutable byte strings; only flags
 * change. Sessions keep references to the message objects they have seen, so a message that
 * another session expunged stays readable to them until they synchronise (RFC 3501 §7.4.1).
 */
import { EventEmitter } from 'node:events';

export interface StoredMessage {
  /** IMAP UID, strictly ascending per mailbox (RFC 3501 §2.3.1.1); also the POP3 UIDL. */
  readonly uid: number;
  /** The message as received, CRLF line ends. */
  readonly raw: Buffer;
  /** When the store received it (IMAP INTERNALDATE). */
  readonly internalDate: Date;
  /** System flags (`\Seen`, `\Deleted`, …) and keywords, as given by clients. */
  readonly flags: Set<string>;
  /** Set once the message left the mailbox. */
  expunged: boolean;
}

/** Events a mailbox emits to the sessions watching it (IMAP IDLE). */
export interface MailboxEvents {
  /** Messages were added (delivery or APPEND). */
  exists: [];
  /** Messages were removed (IMAP EXPUNGE, POP3 QUIT). */
  expunge: [];
}

export class Mailbox extends EventEmitter<MailboxEvents> {
  /** RFC 3501 §2.3.1.1: fixed for the life of the demo, since UIDs are never reused. */
  readonly uidValidity: number;
  #uidNext = 1;
  #messages: StoredMessage[] = [];

  constructor(
    readonly name: string,
    uidValidity: number,
    private readonly maxMessages: number,
  ) {
    super();
    this.uidValidity = uidValidity;
    // Every open IMAP IDLE adds a listener; the session limit bounds them, not this default.
    this.setMaxListeners(0);
  }

  get uidNext(): number {
    return this.#uidNext;
  }

  /** The current messages, in UID order. The array is a copy; the messages are shared. */
  messages(): StoredMessage[] {
    return [...this.#messages];
  }

  get size(): number {
    return this.#messages.length;
  }

  /** Adds a message; the oldest messages go when the mailbox is full, so memory stays bounded. */
  append(raw: Buffer, internalDate: Date, flags: Iterable<string> = []): StoredMessage {
    const message: StoredMessage = { uid: this.#uidNext++, raw, internalDate, flags: new Set(flags), expunged: false };
    this.#messages.push(message);
    const overflow = this.#messages.length - this.maxMessages;
    if (overflow > 0) this.remove(this.#messages.slice(0, overflow));
    this.emit('exists');
    return message;
  }

  /** Removes the given messages (if still present) and tells the watchers. */
  remove(messages: Iterable<StoredMessage>): number {
    const gone = new Set(messages);
    const before = this.#messages.length;
    this.#messages = this.#messages.filter((m) => !gone.has(m));
    for (const m of gone) m.expunged = true;
    const removed = before - this.#messages.length;
    if (removed > 0) this.emit('expunge');
    return removed;
  }
}

export interface MailStoreOptions {
  /** Users by address (lower case) and their passwords. */
  readonly users: ReadonlyMap<string, string>;
  /** The domain delivered locally. */
  readonly domain: string;
  readonly now: () => Date;
  /** Most messages a mailbox keeps (default 1000). */
  readonly maxMessages?: number;
}

/** Users, their passwords and their INBOXes. */
export class MailStore {
  readonly domain: string;
  readonly now: () => Date;
  readonly #users: ReadonlyMap<string, string>;
  readonly #boxes = new Map<string, Mailbox>();

  constructor(options: MailStoreOptions) {
    this.domain = options.domain.toLowerCase();
    this.now = options.now;
    this.#users = options.users;
    const uidValidity = Math.floor(options.now().getTime() / 1000) >>> 0 || 1;
    for (const user of options.users.keys()) {
      this.#boxes.set(user, new Mailbox('INBOX', uidValidity, options.maxMessages ?? 1000));
    }
  }

  /** The user an address or login name means: a full address, or a local part of `domain`. */
  resolve(name: string): string | undefined {
    const lower = name.toLowerCase();
    const address = lower.includes('@') ? lower : `${lower}@${this.domain}`;
    return this.#users.has(address) ? address : undefined;
  }

  /** True when the address is in the local domain (delivered here, whether or not it exists). */
  isLocal(address: string): boolean {
    const at = address.lastIndexOf('@');
    return at > 0 && address.slice(at + 1).toLowerCase() === this.domain;
  }

  /** The user, when the password is right; undefined otherwise. */
  authenticate(name: string, password: string): string | undefined {
    const user = this.resolve(name);
    return user !== undefined && this.#users.get(user) === password ? user : undefined;
  }

  /** The plain password, for CRAM-MD5 (RFC 2195 needs the shared secret; this is a demo). */
  password(name: string): string | undefined {
    const user = this.resolve(name);
    return user === undefined ? undefined : this.#users.get(user);
  }

  /** The INBOX of a user (`resolve` first). */
  inbox(user: string): Mailbox | undefined {
    return this.#boxes.get(user);
  }

  /** Delivers one message to a local user's INBOX; false when there is no such user. */
  deliver(address: string, raw: Buffer): boolean {
    const user = this.resolve(address);
    const box = user === undefined ? undefined : this.#boxes.get(user);
    if (box === undefined) return false;
    box.append(raw, this.now());
    return true;
  }
}
