import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/kernel/diagnostic.js';
import { renderDiagnostics } from '../../src/loader/render.js';
import { fileRedactor } from '../../src/loader/secrets.js';

/** `a.yaml`'s literal secrets, as `run` and `validate` redact them. */
const secretRedactor = (secrets: readonly string[]) => (text: string) => fileRedactor(new Map([['a.yaml', secrets]]), ['a.yaml'])(text, 'a.yaml');

const span = (line: number, col: number, endCol: number, endLine = line) => ({ file: 'a.yaml', line, col, endLine, endCol });
const sources = new Map([['a.yaml', 'name: x\n  - s: { contans: OK }\n\tc: tab\npass: hunter2 x\n']]);

describe('renderDiagnostics', () => {
  it('draws the line, a caret run under the span and the hint', () => {
    const d: Diagnostic = { code: 'unknown-key', span: span(2, 10, 17), message: 'unknown key `contans` in a matcher', hint: 'did you mean `contains`?' };
    expect(renderDiagnostics([d], sources, { color: false })).toBe(
      ['a.yaml:2:10: unknown key `contans` in a matcher [unknown-key]', '   2 |   - s: { contans: OK }', '     |          ^^^^^^^ did you mean `contains`?', ''].join('\n'),
    );
  });

  it('keeps tabs so the caret lines up, draws one caret for an empty span, cuts a multi-line span at the line end', () => {
    const text = renderDiagnostics([{ code: 'schema-invalid', span: span(3, 2, 3), message: 'm' }], sources, { color: false });
    expect(text.split('\n')[2]).toBe('     | \t^');
    expect(renderDiagnostics([{ code: 'schema-invalid', span: span(1, 7, 7), message: 'm' }], sources, { color: false }).split('\n')[2]).toBe('     |       ^');
    expect(renderDiagnostics([{ code: 'schema-invalid', span: span(1, 1, 3, 2), message: 'm' }], sources, { color: false }).split('\n')[2]).toBe('     | ^^^^^^^');
  });

  it('lists where a fragment was included from, and separates diagnostics by a blank line', () => {
    const inc = { file: 'main.yaml', line: 9, col: 7, endLine: 9, endCol: 20 };
    const text = renderDiagnostics([{ code: 'schema-invalid', span: span(1, 1, 5), message: 'one', includedFrom: [inc] }, { code: 'schema-invalid', span: span(2, 3, 4), message: 'two' }], sources, { color: false });
    expect(text).toContain('   included from main.yaml:9:7\n\na.yaml:2:3: two [schema-invalid]');
  });

  it('shows a problem without source (a missing input) as path: message', () => {
    expect(renderDiagnostics([{ code: 'input-missing', span: { file: 'nope.yaml', line: 1, col: 1, endLine: 1, endCol: 1 }, message: 'no such file or directory' }], sources, { color: false })).toBe(
      'nope.yaml: no such file or directory [input-missing]\n',
    );
  });

  it('redacts literal secrets in the line and keeps the caret under the span', () => {
    const text = renderDiagnostics([{ code: 'schema-invalid', span: span(4, 15, 16), message: 'bad' }], sources, { color: false, redact: secretRedactor(['hunter2']) });
    expect(text.split('\n').slice(1, 3)).toEqual(['   4 | pass: *** x', '     |           ^']);
  });

  it('shows control characters of the line as their pictures, one column each, so no escape sequence reaches the terminal', () => {
    const raw = new Map([['a.yaml', 'c: "\x1b[2J\x01" x\x7f\r\n']]);
    const text = renderDiagnostics([{ code: 'schema-invalid', span: span(1, 9, 10), message: 'm' }], raw, { color: false });
    expect(text.split('\n').slice(1, 3)).toEqual(['   1 | c: "\u241b[2J\u2401" x\u2421', '     |         ^']);
  });

  it('shows a window of a long line around the span, cut with …, never megabytes', () => {
    const line = `c: "${'a'.repeat(1_000_000)}\${nope}${'b'.repeat(1_000_000)}"`;
    const col = line.indexOf('${nope}') + 1;
    const text = renderDiagnostics([{ span: { file: 'long.yaml', line: 1, col, endLine: 1, endCol: col + 7 }, message: 'unknown variable', code: 'unknown-variable' }], new Map([['long.yaml', line]]), { color: false });
    const [, shown, carets] = text.split('\n');
    expect(text.length).toBeLessThan(800);
    expect(shown).toBe(`   1 | …${'a'.repeat(99)}\${nope}${'b'.repeat(99)}…`);
    expect(carets).toBe(`     | ${' '.repeat(100)}^^^^^^^`);
    const wide = renderDiagnostics([{ code: 'schema-invalid', span: { file: 'long.yaml', line: 1, col: 1, endLine: 1, endCol: 500 }, message: 'm' }], new Map([['long.yaml', line]]), { color: false });
    expect(wide.split('\n')[2]).toBe(`     | ${'^'.repeat(100)}`);
  });

  it('cuts a long line only after redacting it, so no part of a secret shows', () => {
    const secret = `s3cr3t${'x'.repeat(200)}`;
    const line = `vars: { pass: ${secret} }, ${'y'.repeat(150)}BAD`;
    const col = line.indexOf('BAD') + 1;
    const text = renderDiagnostics([{ code: 'schema-invalid', span: { file: 'a.yaml', line: 1, col, endLine: 1, endCol: col + 3 }, message: 'm' }], new Map([['a.yaml', line]]), { color: false, redact: secretRedactor([secret]) });
    expect(text).not.toMatch(/xxx|s3cr3t/);
  });

  it('colours only when asked', () => {
    const d: Diagnostic = { code: 'schema-invalid', span: span(1, 1, 5), message: 'm', hint: 'h' };
    expect(renderDiagnostics([d], sources, { color: true })).toMatch(/\u001b\[/);
    expect(renderDiagnostics([d], sources, { color: false })).not.toMatch(/\u001b\[/);
  });
});
