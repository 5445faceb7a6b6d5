import type { ProtocolName } from '../types.js';
import type { DialectDef } from './dialect.js';
import { IMAP } from './imap.js';
import { LINE } from './line.js';
import { POP3 } from './pop3.js';
import { LMTP, SMTP } from './smtp.js';

export const DIALECTS: Readonly<Record<ProtocolName, DialectDef>> = {
  smtp: SMTP,
  lmtp: LMTP,
  imap: IMAP,
  pop3: POP3,
  line: LINE,
};

export type { ConversationOut, Dialect, DialectDef } from './dialect.js';
