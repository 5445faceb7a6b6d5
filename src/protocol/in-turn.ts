/**
 * The session state of a protocol whose replies answer the client's commands in turn, with a
 * greeting first and SASL exchanges in between (POP3, RFC 1939 §3 and RFC 5034 §4; ManageSieve,
 * RFC 5804 §1.3 and §2.1), and what a finished reply does to it.
 */
export interface InTurnState<Command> {
  /** False until the greeting was read (ManageSieve: again after a TLS upgrade). */
  greeted: boolean;
  /** Commands not answered yet, oldest first. */
  readonly queue: Command[];
  /** A SASL challenge was read: the client's next line is its response, not a command. */
  saslResponseExpected: boolean;
}

export function inTurnState<Command>(): InTurnState<Command> {
  return { greeted: false, queue: [], saslResponseExpected: false };
}

/** What a finished reply does to the session: `unsolicited` answers no command. */
export type Outcome = 'greeting' | 'answered' | 'continued' | 'unsolicited';

/** Applied only once the reply is complete. */
export function settle<Command>(state: InTurnState<Command>, outcome: Outcome): void {
  switch (outcome) {
    case 'greeting':
      state.greeted = true;
      return;
    case 'answered':
      state.queue.shift();
      return;
    case 'continued':
      state.saslResponseExpected = true;
      return;
    case 'unsolicited':
      return;
    default: {
      const never: never = outcome;
      throw new Error(`unknown outcome ${String(never)}`);
    }
  }
}
