/**
 * `imap:` (format §5): IMAP responses read as values and matched as imaptest matches them,
 * patterns parsed from imaptest's own syntax.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ImapCompletion, ImapMatcher, ImapPattern } from '../../src/kernel/model.js';
import type { Observed } from '../../src/match/index.js';
import { parseImapPattern, type ImapPatternRole } from '../../src/match/imap-pattern.js';
import { waitedTags } from '../../src/match/imap.js';
import { parseResponses } from '../../src/protocol/imap/response.js';
import { parseTemplate } from '../../src/template/index.js';
import { at, failure, holds, imap, matcher, run, scope } from './helpers.js';

function pattern(source: string, role: ImapPatternRole = 'untagged'): ImapPattern {
  const span = at();
  const t = parseTemplate(source, span);
  if (!t.ok) throw new Error(t.message);
  const p = parseImapPattern(t.template, role);
  if (!p.ok) throw new Error(p.message);
  return { ...p.pattern, template: t.template, span };
}

interface Keys {
  untagged?: string[];
  optional?: string[];
  forbid?: string[];
  extra?: boolean;
  tagged?: string | Record<string, string>;
}

function imapMatcher(keys: Keys): ImapMatcher {
  const tagged: ImapCompletion[] =
    keys.tagged === undefined
      ? []
      : typeof keys.tagged === 'string'
        ? [{ pattern: pattern(keys.tagged, 'completion') }]
        : Object.entries(keys.tagged).map(([tag, p]) => ({ tag, pattern: pattern(p, 'completion') }));
  return {
    span: at(),
    untagged: (keys.untagged ?? []).map((p) => pattern(p)),
    optional: (keys.optional ?? []).map((p) => pattern(p)),
    forbid: (keys.forbid ?? []).map((p) => pattern(p)),
    extra: keys.extra ?? true,
    tagged,
  };
}

const check = (keys: Keys, observed: Observed, vars: Record<string, string> = {}) => run(matcher({ imap: imapMatcher(keys) }), observed, scope(vars), 'imap');
const pass = (keys: Keys, observed: Observed, vars: Record<string, string> = {}) => holds(matcher({ imap: imapMatcher(keys) }), observed, scope(vars), 'imap');
const fail = (keys: Keys, observed: Observed, vars: Record<string, string> = {}) => failure(matcher({ imap: imapMatcher(keys) }), observed, scope(vars), 'imap');

function rawReply(raw: string): Observed {
  const lines = raw.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '');
  return { kind: 'reply', reply: { lines, raw: Buffer.from(raw), text: '' } };
}

describe('IMAP responses as values', () => {
  it('reads atoms, numbers, strings, literals, NIL, lists and bracketed atoms', () => {
    const [r] = parseResponses(Buffer.from('* 1 FETCH (UID 7 FLAGS (\\Seen) ENVELOPE (NIL "a \\"b\\"") BODY[HEADER.FIELDS (FROM)] {5}\nFrom:)\n'));
    expect(r?.malformed).toBeUndefined();
    expect(r?.values).toEqual([
      { kind: 'atom', text: '1' },
      { kind: 'atom', text: 'FETCH' },
      {
        kind: 'list',
        open: '(',
        items: [
          { kind: 'atom', text: 'UID' },
          { kind: 'atom', text: '7' },
          { kind: 'atom', text: 'FLAGS' },
          { kind: 'list', open: '(', items: [{ kind: 'atom', text: '\\Seen' }] },
          { kind: 'atom', text: 'ENVELOPE' },
          { kind: 'list', open: '(', items: [{ kind: 'nil' }, { kind: 'string', text: 'a "b"' }] },
          { kind: 'atom', text: 'BODY[HEADER.FIELDS (FROM)]' },
          { kind: 'string', text: 'From:' },
        ],
      },
    ]);
  });

  it('marks unbalanced parentheses and unclosed strings as malformed, never throws', () => {
    expect(parseResponses(Buffer.from('* 1 FETCH (UID 1\n'))[0]?.malformed).toMatch(/unclosed/);
    expect(parseResponses(Buffer.from('* 1 FETCH UID 1))\n'))[0]?.malformed).toMatch(/unbalanced/);
    expect(parseResponses(Buffer.from('* 1 FETCH ("abc\n'))[0]?.malformed).toBeDefined();
    // Deep nesting is read without recursion.
    const deep = `* 1 FETCH ${'('.repeat(200_000)}${')'.repeat(200_000)}\n`;
    expect(parseResponses(Buffer.from(deep))[0]?.malformed).toBeUndefined();
  });

  it('reads any bytes without throwing (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const out = parseResponses(Buffer.from(bytes));
        expect(Array.isArray(out)).toBe(true);
      }),
    );
  });
});

describe('imap: patterns', () => {
  it('are refused when they are no IMAP, at the column of the fault', () => {
    const bad = (source: string, role: ImapPatternRole = 'untagged') => {
      const t = parseTemplate(source, at());
      if (!t.ok) throw new Error(t.message);
      const p = parseImapPattern(t.template, role);
      if (p.ok) throw new Error(`expected ${source} to be refused`);
      return p;
    };
    expect(bad('* 1 FETCH (UID 1').offset).toBe(16);
    expect(bad('* 1 FETCH UID 1)').offset).toBe(15);
    expect(bad('* 1 FETCH (UID "x)').message).toMatch(/never closed/);
    expect(bad('* $0 EXPUNGE').offset).toBe(2);
    expect(bad('* $1x EXPUNGE').offset).toBe(2);
    expect(bad('* 1 FETCH (UID $!extra)').message).toMatch(/start of a list/);
    expect(bad('* CAPABILITY $!unordered IMAP4rev1').message).toMatch(/start of a list/);
    expect(bad('* 1 FETCH ($!sorted UID 1)').message).toMatch(/unknown directive/);
    expect(bad('').message).toMatch(/empty/);
    expect(bad('READ-WRITE', 'completion').message).toMatch(/status word/);
  });

  it('parses any string it accepts into a pattern, and never throws (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('(', ')', '[', ']', '"', '\\', '$', '!', ' ', 'a', '1', '=', '*'), maxLength: 40 }), (s) => {
        const t = parseTemplate(s, at());
        if (t.ok) parseImapPattern(t.template, 'untagged');
      }),
    );
  });
});

describe('imap: matching', () => {
  const select = imap(
    '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\Recent)',
    '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.',
    '* 3 EXISTS',
    '* 0 RECENT',
    '* OK [UIDVALIDITY 1796638152] UIDs valid',
    'a1 OK [READ-WRITE] Select completed (0.002 + 0.000 secs).',
  );

  it('matches untagged responses as a set, in any order, flags as a set with or without \\Recent', () => {
    pass(
      {
        untagged: ['* OK [UIDVALIDITY $]', '* $ EXISTS', '* FLAGS (\\Seen \\Draft \\Answered \\Flagged \\Deleted)', '* ok [permanentflags (\\* \\Seen \\Draft \\Answered \\Flagged \\Deleted)]'],
        tagged: 'OK [READ-WRITE]',
      },
      select,
    );
  });

  it('a flag list must hold every flag received (\\Recent aside), and no flag it lacks', () => {
    expect(fail({ untagged: ['* FLAGS (\\Seen \\Draft)'] }, select).message).toMatch(/expected an untagged response like "\* FLAGS/);
    expect(fail({ untagged: ['* FLAGS (\\Seen \\Draft \\Answered \\Flagged \\Deleted \\Junk)'] }, select).message).toMatch(/FLAGS/);
    pass({ untagged: ['* FLAGS ($!unordered \\Seen)'] }, select);
  });

  it('FETCH items in any order, values compared case-insensitively, quoted strings and literals alike', () => {
    const observed = rawReply('* 1 FETCH (FLAGS (\\Seen \\Recent) UID 7 BODY[] {5}\nhello)\n* 2 FETCH (UID 8 FLAGS ())\na1 OK done\n');
    const captures = pass({ untagged: ['* 1 fetch (uid $uid body[] "HELLO" flags (\\seen))', '* 2 FETCH (FLAGS () UID $uid2)'] }, observed);
    expect(captures.get('uid')?.text).toBe('7');
    expect(captures.get('uid2')?.text).toBe('8');
  });

  it('holds for FETCH items and flags in any order, with or without \\Recent (property)', () => {
    const items = fc.uniqueArray(fc.constantFrom('UID', 'RFC822.SIZE', 'MODSEQ', 'X-GUID', 'INTERNALDATE'), { minLength: 1 });
    const flags = fc.uniqueArray(fc.constantFrom('\\Seen', '\\Flagged', '\\Deleted', '\\Draft', '\\Answered'));
    fc.assert(
      fc.property(items, flags, fc.boolean(), fc.nat(), (names, set, recent, seed) => {
        const value = (name: string) => (name === 'INTERNALDATE' ? '"01-Jan-2026 00:00:00 +0000"' : String(name.length));
        const got = [...names.map((n) => `${n} ${value(n)}`), `FLAGS (${[...set, ...(recent ? ['\\Recent'] : [])].join(' ')})`];
        const want = [...got.slice(0, -1), `FLAGS (${set.join(' ')})`];
        // The pattern in another order than the response: rotated by the seed.
        const k = seed % want.length;
        const rotated = [...want.slice(k), ...want.slice(0, k)].reverse();
        pass({ untagged: [`* 1 fetch (${rotated.join(' ').toLowerCase()})`] }, imap(`* 1 FETCH (${got.join(' ')})`, 'a1 OK done'));
        if (set.length > 0) {
          const fewer = `FLAGS (${set.slice(1).join(' ')})`;
          expect(check({ untagged: [`* 1 FETCH (${[...want.slice(0, -1), fewer].join(' ')})`] }, imap(`* 1 FETCH (${got.join(' ')})`, 'a1 OK done')).ok).toBe(false);
        }
      }),
    );
  });

  it('compares a variable already set, and binds it once within a reply', () => {
    const observed = imap('* 1 FETCH (UID 7)', '* 2 FETCH (UID 7)', '* 3 FETCH (UID 9)', 'a1 OK done');
    pass({ untagged: ['* 1 FETCH (UID $uid)', '* 2 FETCH (UID $uid)'] }, observed);
    expect(fail({ untagged: ['* 1 FETCH (UID $uid)', '* 3 FETCH (UID $uid)'] }, observed).message).toMatch(/3 FETCH/);
    expect(fail({ untagged: ['* 1 FETCH (UID $uid)'] }, observed, { uid: '8' }).message).toMatch(/1 FETCH/);
    pass({ untagged: ['* 3 FETCH (UID $uid)'] }, observed, { uid: '9' });
  });

  it('directives may open a whole response', () => {
    const observed = imap('* CAPABILITY IMAP4rev1 IDLE STARTTLS LOGINDISABLED', 'a1 OK done');
    pass({ untagged: ['* $!unordered CAPABILITY LOGINDISABLED IMAP4rev1'] }, observed);
    expect(fail({ untagged: ['* CAPABILITY LOGINDISABLED IMAP4rev1'] }, observed).message).toMatch(/CAPABILITY/);
    expect(fail({ untagged: ['* $!unordered $!ban=STARTTLS CAPABILITY IMAP4rev1'] }, observed).message).toMatch(/CAPABILITY/);
  });

  it('a pattern takes a distinct response if one matches, else shares one, as in imaptest', () => {
    const observed = imap('* 3 EXISTS', '* 4 EXISTS', 'a1 OK done');
    const bound = pass({ untagged: ['* $a EXISTS', '* $b EXISTS'] }, observed);
    expect([bound.get('a')?.text, bound.get('b')?.text]).toEqual(['3', '4']);
    pass({ untagged: ['* $ EXISTS', '* $ EXISTS', '* 3 EXISTS'] }, observed);
    // One FETCH with several items satisfies a pattern per item; one LIST with a flag, both patterns.
    const merged = imap('* 1 FETCH (FLAGS (\\Seen \\Recent) RFC822.TEXT {7}\r\nbody1\r\n)', '* LIST (\\Noselect) "." ""', 'a1 OK done');
    pass({ untagged: ['* 1 fetch (rfc822.text "body1\r\n")', '* 1 fetch (flags (\\seen))', '* list () $sep $root', '* list (\\noselect) $sep $root'] }, merged);
    expect(fail({ untagged: ['* 1 fetch (flags (\\seen))', '* 1 fetch (flags (\\deleted))'] }, merged).message).toMatch(/1 FETCH.*none matches/i);
  });

  it('forbids responses, and with extra: false any not listed', () => {
    const observed = imap('* 1 EXPUNGE', '* 2 EXISTS', 'a1 OK done');
    expect(fail({ forbid: ['* 1 EXPUNGE'] }, observed).message).toBe('expected no untagged response like "* 1 EXPUNGE", got "* 1 EXPUNGE"');
    pass({ forbid: ['* 2 EXPUNGE', '1 EXISTS'] }, observed);
    expect(fail({ untagged: ['* $ EXISTS'], extra: false }, observed).message).toMatch(/besides those listed .* "\* 1 EXPUNGE"/);
    pass({ untagged: ['* $ EXISTS', '* 1 EXPUNGE'], extra: false }, observed);
  });

  it('optional: a response it matches is no extra, and it may match none (imaptest\'s `?` lines)', () => {
    const observed = imap('* 1 EXPUNGE', '* 2 EXISTS', 'a1 OK done');
    pass({ untagged: ['* $ EXISTS'], optional: ['* 1 EXPUNGE'], extra: false }, observed);
    pass({ untagged: ['* $ EXISTS', '* 1 EXPUNGE'], optional: ['* 3 EXPUNGE'], extra: false }, observed);
    expect(fail({ untagged: ['* $ EXISTS'], optional: ['* 3 EXPUNGE'], extra: false }, observed).message).toMatch(/besides those listed .* "\* 1 EXPUNGE"/);
    // It binds what it matched, like any pattern.
    expect(pass({ optional: ['* $n EXISTS'] }, observed).get('n')?.text).toBe('2');
  });

  it('checks the completion: OK by default, else the status word and a prefix', () => {
    expect(fail({}, imap('a1 NO [TRYCREATE] no mailbox')).message).toMatch(/expected the completion OK/);
    pass({ tagged: 'NO [TRYCREATE]' }, imap('a1 NO [TRYCREATE] no mailbox'));
    expect(fail({ tagged: 'OK [READ-ONLY]' }, select).message).toMatch(/to start "OK \[READ-ONLY\]"/);
    // The greeting is a reply's own completion too.
    pass({ tagged: 'OK [$!unordered CAPABILITY IMAP4rev1]' }, imap('* OK [CAPABILITY IMAP4rev1 IDLE] ready'));
  });

  it('matches several tags completions of one reply (pipelining)', () => {
    const observed = imap('* STATUS a (MESSAGES 0)', 't2 NO [NONEXISTENT] nope', '* STATUS b (UIDNEXT 4 MESSAGES 1)', 't1 OK done');
    pass({ untagged: ['* STATUS b (MESSAGES 1)', '* STATUS a (MESSAGES 0)'], tagged: { t1: 'OK', t2: 'NO [NONEXISTENT]' } }, observed);
    expect(fail({ tagged: { t1: 'OK', t3: 'OK' } }, observed).message).toMatch(/completion of t3/);
  });

  it('reads a quoted "$Keyword" as text, $Keyword as a variable', () => {
    const observed = imap('* 1 FETCH (FLAGS ($Junk \\Seen))', 'a1 OK done');
    pass({ untagged: ['* 1 FETCH (FLAGS (\\Seen "$Junk"))'] }, observed);
    expect(fail({ untagged: ['* 1 FETCH (FLAGS (\\Seen "$Junk"))'] }, imap('* 1 FETCH (FLAGS (\\Seen $Spam))', 'a1 OK done')).message).toMatch(/FETCH/);
  });

  it('names the tags to read up to, those of oneOf alternatives too', () => {
    expect(waitedTags(matcher({ imap: imapMatcher({ tagged: 'OK' }) }))).toBeUndefined();
    const alt = (tagged: Record<string, string>) => matcher({ imap: imapMatcher({ tagged }) });
    expect(waitedTags(matcher({ oneOf: [alt({ t1: 'OK', t2: 'OK' }), alt({ t2: 'NO', t3: 'OK' })] }))).toEqual(['t1', 't2', 't3']);
  });

  it('inserts a ${…} value as one word', () => {
    const observed = imap('* LIST (\\HasNoChildren) "/" "my box"', 'a1 OK done');
    pass({ untagged: ['* LIST () "/" ${box}'] }, observed, { box: 'my box' });
    pass({ untagged: ['* LIST (\\HasNoChildren) $ "my ${tail}"'] }, observed, { tail: 'box' });
  });

  it('a malformed response matches nothing, and the failure says why', () => {
    const observed = imap('* 1 FETCH (UID 1', 'a1 OK done');
    expect(fail({ untagged: ['* 1 FETCH (UID 1)'] }, observed).message).toMatch(/is no IMAP \(1 unclosed/);
  });

  it('$1, $2…: the message that had that number when the command was sent, through the EXPUNGEs before each response', () => {
    // Messages 1 and 3 of 3 expunged: 3 is number 2 once 1 has gone, in whichever order they come.
    pass({ untagged: ['* $1 EXPUNGE', '* $3 EXPUNGE'], extra: false }, imap('* 1 EXPUNGE', '* 2 EXPUNGE', 'a1 OK done'));
    pass({ untagged: ['* $1 EXPUNGE', '* $3 EXPUNGE'], extra: false }, imap('* 3 EXPUNGE', '* 1 EXPUNGE', 'a1 OK done'));
    expect(fail({ untagged: ['* $1 EXPUNGE', '* $3 EXPUNGE'] }, imap('* 1 EXPUNGE', '* 3 EXPUNGE', 'a1 OK done')).message).toMatch(/"\* \$3 EXPUNGE"/);
    // A FETCH before an EXPUNGE keeps its number; after it, it has moved down.
    pass({ untagged: ['* $2 FETCH (UID 12)', '* $4 FETCH (UID 14)', '* $1 EXPUNGE'] }, imap('* 2 FETCH (UID 12)', '* 1 EXPUNGE', '* 3 FETCH (UID 14)', 'a1 OK done'));
    expect(check({ untagged: ['* $4 FETCH (UID 14)'] }, imap('* 1 EXPUNGE', '* 4 FETCH (UID 14)', 'a1 OK done')).ok).toBe(false);
    // An expunged message has no number: nothing matches it, so a forbid of it holds.
    pass({ forbid: ['* $1 FETCH $'] }, imap('* 1 EXPUNGE', '* 1 FETCH (UID 2)', 'a1 OK done'));
    expect(fail({ forbid: ['* $1 EXPUNGE'] }, imap('* 1 EXPUNGE', 'a1 OK done')).message).toMatch(/expected no untagged response like "\* \$1 EXPUNGE"/);
    // Inside a list (ESEARCH's REMOVEFROM), as any other value.
    pass({ untagged: ['* ESEARCH (TAG "a1") REMOVEFROM ($pos $4)', '* $3 EXPUNGE'] }, imap('* 3 EXPUNGE', '* ESEARCH (TAG "a1") REMOVEFROM (0 3)', 'a1 OK done'));
  });

  it('$n follows the EXPUNGEs as imaptest does, for any order of them (property)', () => {
    // 8 messages; some expunged, each EXPUNGE naming the message's number at that moment.
    fc.assert(
      fc.property(fc.shuffledSubarray([1, 2, 3, 4, 5, 6, 7, 8], { minLength: 1 }), (gone) => {
        const alive = [1, 2, 3, 4, 5, 6, 7, 8];
        const lines = gone.map((m) => {
          const at = alive.indexOf(m);
          alive.splice(at, 1);
          return `* ${at + 1} EXPUNGE`;
        });
        pass({ untagged: gone.map((m) => `* $${m} EXPUNGE`), extra: false }, imap(...lines, 'a1 OK done'));
        const kept = [1, 2, 3, 4, 5, 6, 7, 8].find((m) => !gone.includes(m));
        if (kept !== undefined) expect(check({ untagged: [`* $${kept} EXPUNGE`] }, imap(...lines, 'a1 OK done')).ok).toBe(false);
      }),
    );
  });

  it('stays near linear: 10,000 FETCH lines against 10,000 patterns', () => {
    const n = 10_000;
    const lines = Array.from({ length: n }, (_, i) => `* ${i + 1} FETCH (UID ${i + 101} FLAGS (\\Seen))`);
    const observed = imap(...lines.reverse(), 'a1 OK done');
    const keys = { untagged: Array.from({ length: n }, (_, i) => `* ${i + 1} FETCH (FLAGS (\\Seen) UID ${i + 101})`), extra: false };
    expect(check(keys, observed).ok).toBe(true);
  });
});
