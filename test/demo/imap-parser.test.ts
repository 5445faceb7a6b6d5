import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFetchItems } from '../../src/demo/imap-fetch.js';
import { ImapSyntaxError, parseSequenceSet, tokenize } from '../../src/demo/imap-parser.js';
import type { ImapToken, RawCommand } from '../../src/demo/imap-parser.js';
import { parseSearch } from '../../src/demo/imap-search.js';
import type { StoredMessage } from '../../src/demo/mailbox.js';
import { headerFields, selectFields, splitMessage } from '../../src/demo/message.js';

const raw = (lines: string[], literals: string[] = []): RawCommand => ({ lines, literals: literals.map((l) => Buffer.from(l)) });

/** Tokens as plain values, for readable expectations. */
function plain(tokens: readonly ImapToken[]): unknown[] {
  return tokens.map((t) => (t.type === 'atom' ? t.value : t.type === 'string' ? { s: t.value.toString() } : plain(t.items)));
}

describe('tokenize', () => {
  it('reads atoms, quoted strings with escapes, and nested lists', () => {
    expect(plain(tokenize(raw(['a1 STORE 1:* +FLAGS.SILENT (\\Seen (x "y \\"z\\" \\\\"))'])))).toEqual([
      'a1',
      'STORE',
      '1:*',
      '+FLAGS.SILENT',
      ['\\Seen', ['x', { s: 'y "z" \\' }]],
    ]);
  });

  it('keeps a BODY[…] section with spaces and parentheses in one atom', () => {
    expect(plain(tokenize(raw(['a1 FETCH 1 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100>)'])))).toEqual([
      'a1',
      'FETCH',
      '1',
      ['UID', 'BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100>'],
    ]);
  });

  it('takes literals by position, whatever bytes they hold', () => {
    const tokens = tokenize(raw(['a1 LOGIN {5}', ' {13+}', ''], ['alice', 'a1 OK secret)']));
    expect(plain(tokens)).toEqual(['a1', 'LOGIN', { s: 'alice' }, { s: 'a1 OK secret)' }]);
  });

  it('rejects malformed commands with ImapSyntaxError', () => {
    for (const line of ['a1 LOGIN "open', 'a1 X (a b', 'a1 X "bad \\q"', 'a1 X {3} tail', 'a1 X [open']) {
      expect(() => tokenize(raw([line])), line).toThrow(ImapSyntaxError);
    }
  });

  it('throws nothing but ImapSyntaxError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 3 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }), (lines, literals) => {
        try {
          tokenize(raw(lines, literals));
        } catch (error) {
          expect(error).toBeInstanceOf(ImapSyntaxError);
        }
      }),
    );
  });
});

describe('sequence sets', () => {
  it('resolves ranges, lists and *', () => {
    expect(parseSequenceSet('1,3:5,7:*', 9)).toEqual([[1, 1], [3, 5], [7, 9]]);
    // RFC 3501 §9: n:* with n past the end still names the last message.
    expect(parseSequenceSet('12:*', 9)).toEqual([[9, 12]]);
    for (const bad of ['', '0', '1:2:3', 'a', '1,,2', '-1']) expect(parseSequenceSet(bad, 9), bad).toBeUndefined();
  });
});

const message = (text: string, flags: string[] = []): StoredMessage => ({
  uid: 7,
  raw: Buffer.from(text.replace(/\n/g, '\r\n')),
  internalDate: new Date('2024-02-01T10:00:00Z'),
  flags: new Set(flags),
  expunged: false,
});

describe('search keys', () => {
  const m = message('Subject: Quarterly\n report\nFrom: Bob <bob@example.net>\n\nThe numbers are in.\n', ['\\Seen']);
  const hit = (keys: string): boolean => {
    const tokens = tokenize(raw([`a SEARCH ${keys}`])).slice(2);
    return parseSearch(tokens, { maxSeq: 3, maxUid: 7 })({ message: m, seq: 2 });
  };

  it('matches header fields unfolded, case-insensitively', () => {
    expect(hit('SUBJECT "quarterly report"')).toBe(true);
    expect(hit('FROM bob@EXAMPLE.net')).toBe(true);
    expect(hit('HEADER X-Missing ""')).toBe(false);
    expect(hit('HEADER subject ""')).toBe(true);
  });

  it('combines keys, flags, NOT, OR, sets and dates', () => {
    expect(hit('BODY numbers SEEN')).toBe(true);
    expect(hit('TEXT "report" UNSEEN')).toBe(false);
    expect(hit('OR UNSEEN (FROM alice 2)')).toBe(false);
    expect(hit('OR UNSEEN (FROM bob 2)')).toBe(true);
    expect(hit('NOT 1 UID 5:*')).toBe(true);
    expect(hit('SINCE 1-Feb-2024 BEFORE 2-Feb-2024 ON 1-feb-2024')).toBe(true);
    expect(hit('CHARSET UTF-8 ALL')).toBe(true);
  });

  it('rejects unknown keys and missing arguments', () => {
    expect(() => hit('FROBNICATE')).toThrow(ImapSyntaxError);
    expect(() => hit('SUBJECT')).toThrow(ImapSyntaxError);
    expect(() => hit('SINCE yesterday')).toThrow(ImapSyntaxError);
  });
});

describe('fetch items and message parts', () => {
  it('parses the macros and sections the demo serves', () => {
    const items = parseFetchItems(tokenize(raw(['a F 1 (FAST RFC822.HEADER BODY[]<0.10> BODY.PEEK[TEXT])']))[3]);
    expect(items.map((i) => (i.kind === 'section' ? `${i.name}${i.peek ? ' peek' : ''}` : i.kind))).toEqual([
      'flags',
      'internaldate',
      'size',
      'RFC822.HEADER peek',
      'BODY[]',
      'BODY[TEXT] peek',
    ]);
    expect(() => parseFetchItems(tokenize(raw(['a F 1 ENVELOPE']))[3])).toThrow(ImapSyntaxError);
  });

  it('splits header and body and selects fields with their folding', () => {
    const text = Buffer.from('Subject: a\r\n b\r\nTo: x\r\n\r\nbody\r\n');
    expect(splitMessage(text).body.toString()).toBe('body\r\n');
    expect(headerFields(splitMessage(text).header).map((f) => [f.name, f.value])).toEqual([
      ['Subject', 'a b'],
      ['To', 'x'],
    ]);
    expect(selectFields(text, ['SUBJECT'], false).toString()).toBe('Subject: a\r\n b\r\n\r\n');
    expect(selectFields(text, ['subject'], true).toString()).toBe('To: x\r\n\r\n');
  });
});
