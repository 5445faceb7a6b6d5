import { describe, expect, it } from 'vitest';
import { PROTOCOLS, protocolForPort } from '../../src/protocol/registry.js';

describe('protocol registry', () => {
  it.each([
    [25, 'smtp'],
    [465, 'smtp'],
    [587, 'smtp'],
    [24, 'lmtp'],
    [110, 'pop3'],
    [995, 'pop3'],
    [143, 'imap'],
    [993, 'imap'],
    [4190, 'managesieve'],
    [2525, undefined],
    [0, undefined],
  ])('port %i → %s', (port, name) => {
    expect(protocolForPort(port)).toBe(name);
  });

  it('names each def after its key', () => {
    for (const [name, def] of Object.entries(PROTOCOLS)) expect(def.name).toBe(name);
  });

  it.each([
    ['smtp', true, false, []],
    ['lmtp', true, false, []],
    ['pop3', false, true, ['+OK', '-ERR', '+']],
    ['imap', false, false, ['OK', 'NO', 'BAD', 'PREAUTH', 'BYE', '+']],
    ['managesieve', false, false, ['OK', 'NO', 'BYE', '+']],
    ['line', false, false, []],
  ] as const)('%s metadata', (name, codes, multiline, words) => {
    const def = PROTOCOLS[name];
    expect(def.hasReplyCodes).toBe(codes);
    expect(def.hasMultiline).toBe(multiline);
    expect(def.statusWords).toEqual(words);
  });
});
