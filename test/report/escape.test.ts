import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeControl, escapeMultiline, xmlAttr, xmlCdata } from '../../src/report/escape.js';

/** What XML 1.0 §2.2 accepts as a Char. */
const XML_CHARS = /^(?:[\t\n\r\x20-\ud7ff\ue000-\ufffd]|[\ud800-\udbff][\udc00-\udfff])*$/;

describe('escapeControl', () => {
  it('leaves printable text, tab and non-ASCII alone', () => {
    expect(escapeControl('250-SIZE 10485760\tü € 😀')).toBe('250-SIZE 10485760\tü € 😀');
  });

  it('writes NUL, ESC, DEL, CR and LF as \\xHH', () => {
    expect(escapeControl('a\0b\x1b[31mc\x7fd\r\n')).toBe('a\\x00b\\x1b[31mc\\x7fd\\x0d\\x0a');
  });

  it('writes C1 controls as their UTF-8 bytes, as the engine does', () => {
    expect(escapeControl('x\u0085y\u009b')).toBe('x\\xc2\\x85y\\xc2\\x9b');
  });

  it('writes lone surrogates and U+FFFE/U+FFFF as their (WTF-8) bytes, keeps pairs', () => {
    expect(escapeControl('a\ud800b')).toBe('a\\xed\\xa0\\x80b');
    expect(escapeControl('\udfff')).toBe('\\xed\\xbf\\xbf');
    expect(escapeControl('\ufffe\uffff')).toBe('\\xef\\xbf\\xbe\\xef\\xbf\\xbf');
    expect(escapeControl('\ud83d\ude00')).toBe('😀');
  });

  it('is idempotent: the engine\'s escaped text passes through unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const once = escapeControl(s);
        expect(escapeControl(once)).toBe(once);
      }),
    );
  });
});

describe('escapeMultiline', () => {
  it('keeps LF, escapes CR', () => {
    expect(escapeMultiline('a\r\nb\n\x1b')).toBe('a\\x0d\nb\n\\x1b');
  });
});

describe('xmlCdata / xmlAttr', () => {
  it('always yields characters XML 1.0 can hold', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(xmlCdata(s)).toMatch(XML_CHARS);
        expect(xmlAttr(s)).toMatch(XML_CHARS);
      }),
    );
  });

  it('never leaves a `]]>` in CDATA text', () => {
    expect(xmlCdata('a ]]> b ]]> c')).toBe('a ]]\\x3e b ]]\\x3e c');
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(']', '>', 'x') }), (s) => !xmlCdata(s).includes(']]>')));
  });
});
