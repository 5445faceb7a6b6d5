/**
 * `openssl s_client` prints a report of the handshake (certificates, session parameters),
 * session tickets and `-debug` hex dumps around the conversation. None of it is protocol;
 * this filter recognises it by its structure:
 *
 *   CONNECTED(…)                         the report starts; all is noise up to its first `---`
 *   Certificate chain … -----BEGIN …     known lines, PEM blocks, CA name lists
 *   New, TLSv1.3, Cipher is …            the summary: all is noise up to the next `---`,
 *   ---                                  where the report ends and the conversation starts
 *   Post-Handshake New Session Ticket arrived:   a ticket: noise up to the next `---`
 *
 * A report cut short by whoever pasted it (no summary) ends at the first line after a `---`
 * that none of the report's shapes matches.
 */

export type SClientLine = 'noise' | 'closed' | 'renegotiating' | 'conversation';

export interface SClientFilter {
  /** Whether an s_client connection has been seen (its noise is only looked for then). */
  readonly armed: boolean;
  /** A new command: any block ends; after an s_client one, its report is looked for. */
  command(sClient: boolean): void;
  read(text: string, line: number): SClientLine;
  /** The line where a block started that the transcript never closed (no `---` after it). */
  unclosed(): number | undefined;
}

/** Lines of the handshake report, outside its PEM blocks and summary. */
const REPORT: readonly RegExp[] = [
  /^depth=\d/,
  /^verify (?:return|error):/,
  /^Can't use SSL_get_servername$/,
  /^Didn't find STARTTLS in server response/,
  /^Certificate chain$/,
  /^Server certificate$/,
  /^no peer certificate available$/,
  /^-----(?:BEGIN|END) [A-Z0-9 ]+-----$/,
  /^[A-Za-z0-9+/=]{40,}$/,
  /^(?:subject|issuer)=/,
  /^No client certificate CA names sent$/,
  /^Acceptable client certificate CA names$/,
  /^(?:Client Certificate Types|Requested Signature Algorithms|Shared Requested Signature Algorithms):/,
  /^Peer sign(?:ing digest|ature type):/,
  /^(?:Server|Negotiated) Temp Key:|^Negotiated TLS1\.3 group:/,
  /^SCTs present|^SCT validation status:/,
  /^SSL handshake has read \d+ bytes/,
  /^Verification(?: error)?:/,
  /^Verified peername:/,
  /^DANE TLSA /,
  /^Verify return code:/,
  /^SSL-Session:$/,
  /^read R BLOCK$/,
  /^\s/,
];

/** Lines s_client may print at any time once connected. */
const ANYWHERE: readonly RegExp[] = [
  /^read R BLOCK$/,
  /^---$/,
  /^DONE$/,
  /^KEYUPDATE$/,
  /^(?:read|write) (?:from|to) 0x[0-9a-f]+/,
  /^[0-9a-f]{4} - (?:[0-9a-f]{2}[ -]){1,16}/,
];

const CONNECTED = /^CONNECTED\(/;
/** A session ticket (TLSv1.3, after the handshake) or a session printed on its own. */
const TICKET = /^(?:Post-Handshake New Session Ticket arrived:|SSL-Session:)$/;
/** The report's last section: cipher, renegotiation, compression, ALPN, early data, session. */
const SUMMARY = /^(?:New|Reused), /;
const PEM_BEGIN = /^-----BEGIN [A-Z0-9 ]+-----$/;
const PEM_END = /^-----END [A-Z0-9 ]+-----$/;
/** Followed by the names, one a line, unindented. */
const CA_NAMES = /^Acceptable client certificate CA names$/;
/** SSL_ERROR_ZERO_RETURN prints `closed`; a TCP EOF prints `read:errno=0`. */
const CLOSED = /^(?:closed|read:errno=0)$/;
const RULE = '---';

/** Where in s_client's output a line is: `conversation` outside its blocks. */
type Place = 'conversation' | 'report' | 'pem' | 'caNames' | 'summary' | 'ticket';

interface State {
  place: Place;
  /** Line where the current block started. */
  start: number;
  /** In the report: a `---` was seen (before it, every line is the report's). */
  sawRule: boolean;
}

/** A line inside a block: noise (and where the next line is), or not the block's after all. */
type Step = { readonly noise: true; readonly next: Place } | { readonly noise: false };

const noise = (next: Place): Step => ({ noise: true, next });
const upToRule = (place: Place) => (line: string): Step => noise(line === RULE ? 'conversation' : place);

const BLOCKS: Readonly<Record<Exclude<Place, 'conversation'>, (line: string, state: State) => Step>> = {
  report: (line, state) => {
    if (line === RULE) {
      state.sawRule = true;
      return noise('report');
    }
    if (PEM_BEGIN.test(line)) return noise('pem');
    if (SUMMARY.test(line)) return noise('summary');
    if (CA_NAMES.test(line)) return noise('caNames');
    if (!state.sawRule || line.trim() === '' || REPORT.some((re) => re.test(line))) return noise('report');
    return { noise: false };
  },
  pem: (line) => noise(PEM_END.test(line) ? 'report' : 'pem'),
  caNames: (line, state) => (line === RULE || REPORT.some((re) => re.test(line)) ? BLOCKS.report(line, state) : noise('caNames')),
  summary: upToRule('summary'),
  ticket: upToRule('ticket'),
};

export function createSClientFilter(): SClientFilter {
  let armed = false;
  const state: State = { place: 'conversation', start: 0, sawRule: false };
  return {
    get armed() {
      return armed;
    },
    command(sClient) {
      if (sClient) armed = true;
      state.place = 'conversation';
    },
    unclosed() {
      return state.place === 'conversation' ? undefined : state.start;
    },
    read(text, lineNumber) {
      // s_client prints NUL bytes after a STARTTLS reply; a terminal shows nothing for them.
      const line = text.replace(/\0/g, '');
      if (CONNECTED.test(line) || TICKET.test(line)) {
        armed = true;
        state.place = CONNECTED.test(line) ? 'report' : 'ticket';
        state.start = lineNumber;
        state.sawRule = false;
        return 'noise';
      }
      if (!armed) return 'conversation';
      if (state.place !== 'conversation') {
        const step = BLOCKS[state.place](line, state);
        if (step.noise) {
          state.place = step.next;
          return 'noise';
        }
        state.place = 'conversation';
      }
      if (CLOSED.test(line)) return 'closed';
      if (line === 'RENEGOTIATING') return 'renegotiating';
      return ANYWHERE.some((re) => re.test(line)) ? 'noise' : 'conversation';
    },
  };
}
