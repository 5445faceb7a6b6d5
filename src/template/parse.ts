/**
 * The `${…}` language of format §7, parsed once when a spec is loaded.
 * Nothing here is ever evaluated as code: the grammar has names, `env.NAME`, numbers,
 * quoted strings and function calls, and nothing else.
 */
import type { Span } from '../kernel/span.js';
import type { Expr, Template, TemplatePart } from './types.js';

export type ParseResult =
  | { readonly ok: true; readonly template: Template }
  | { readonly ok: false; readonly offset: number; readonly message: string };

/** Names of variables and functions: the same rule the loader applies to `vars` keys. */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Hostile input must not overflow the stack: `f(f(f(…)))` deeper than this is refused. */
const MAX_NESTING = 32;
const MAX_NUMBER_DIGITS = 15;
const DOLLAR = 0x24;

class ParseFailure extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

interface Cursor {
  readonly src: string;
  pos: number;
  /** Offset of the `${` being parsed, for "unclosed" messages. */
  readonly open: number;
}

export function parseTemplate(source: string, span: Span): ParseResult {
  try {
    return { ok: true, template: { source, parts: scanParts(source), span } };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, offset: e.offset, message: e.message };
    throw e;
  }
}

/**
 * Text runs are copied whole between one `${` and the next (most strings hold none): the
 * same parts as reading character by character, without building the text one at a time.
 */
function scanParts(src: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  for (let open = src.indexOf('${'); open >= 0; open = src.indexOf('${', i)) {
    if (open > i && src.charCodeAt(open - 1) === DOLLAR) {
      // `$${`: a literal `${`.
      text += src.slice(i, open - 1) + '${';
      i = open + 2;
      continue;
    }
    text += src.slice(i, open);
    if (text !== '') parts.push({ kind: 'text', value: text });
    text = '';
    const cursor: Cursor = { src, pos: open + 2, open };
    parts.push({ kind: 'expr', expr: parseBraced(cursor), offset: open });
    i = cursor.pos;
  }
  text += src.slice(i);
  if (text !== '') parts.push({ kind: 'text', value: text });
  return parts;
}

/** The inside of one `${…}`, including its closing `}`. */
function parseBraced(c: Cursor): Expr {
  skipSpace(c);
  if (atEnd(c)) throw unclosed(c);
  if (peek(c) === '}') {
    throw new ParseFailure(c.open, 'empty `${}`: write a variable name, env.NAME or a function call');
  }
  const expr = parseExpr(c, 0, true);
  skipSpace(c);
  if (atEnd(c)) throw unclosed(c);
  if (peek(c) !== '}') {
    throw new ParseFailure(c.pos, `unexpected ${describeChar(c)} in \`\${…}\`: expected \`}\``);
  }
  c.pos += 1;
  return expr;
}

function parseExpr(c: Cursor, depth: number, top: boolean): Expr {
  skipSpace(c);
  if (atEnd(c)) throw unclosed(c);
  const ch = peek(c);
  if (ch === "'") return parseString(c);
  if (/[0-9]/.test(ch)) return parseNumber(c);
  if (/[A-Za-z_]/.test(ch)) return parseNamed(c, depth, top);
  throw new ParseFailure(
    c.pos,
    `unexpected ${describeChar(c)} in \`\${…}\`: expected a variable name, env.NAME, a function call, a number or a 'quoted' string`,
  );
}

/** A variable, `env.NAME` (with `:-default` only when it stands alone), or a call. */
function parseNamed(c: Cursor, depth: number, top: boolean): Expr {
  const offset = c.pos;
  const name = readName(c);
  if (peek(c) === '.') {
    if (name !== 'env') {
      const dotted = c.src.slice(offset).match(/^[A-Za-z0-9_.]*/)?.[0] ?? name;
      throw new ParseFailure(offset, `\`${dotted}\` is not a name: only env.NAME may hold a dot`);
    }
    c.pos += 1;
    if (atEnd(c) || !/[A-Za-z_]/.test(peek(c))) {
      throw new ParseFailure(c.pos, 'expected the name of an environment variable after `env.`');
    }
    const envName = readName(c);
    if (!c.src.startsWith(':-', c.pos)) return { kind: 'env', name: envName, offset };
    if (!top) {
      throw new ParseFailure(c.pos, 'a default (`:-`) works only in `${env.NAME:-default}` on its own, not in a function argument');
    }
    // The default is raw text up to the closing `}` (format §7), so it cannot hold a `}`.
    const close = c.src.indexOf('}', c.pos);
    if (close < 0) throw unclosed(c);
    const fallback = c.src.slice(c.pos + 2, close);
    c.pos = close;
    return { kind: 'env', name: envName, fallback, offset };
  }
  skipSpace(c);
  if (peek(c) !== '(') return { kind: 'var', name, offset };
  if (depth >= MAX_NESTING) throw new ParseFailure(offset, `function calls nested more than ${MAX_NESTING} deep`);
  c.pos += 1;
  return { kind: 'call', fn: name, args: parseArgs(c, name, depth + 1), offset };
}

function parseArgs(c: Cursor, fn: string, depth: number): Expr[] {
  const args: Expr[] = [];
  skipSpace(c);
  if (peek(c) === ')') {
    c.pos += 1;
    return args;
  }
  for (;;) {
    skipSpace(c);
    if (peek(c) === ')' || peek(c) === ',') {
      throw new ParseFailure(c.pos, `expected an argument of ${fn} before ${describeChar(c)}`);
    }
    if (atEnd(c) || peek(c) === '}') throw new ParseFailure(c.pos, `expected \`)\` after arguments of ${fn}`);
    args.push(parseExpr(c, depth, false));
    skipSpace(c);
    const next = peek(c);
    c.pos += 1;
    if (next === ')') return args;
    if (next !== ',') {
      c.pos -= 1;
      throw new ParseFailure(c.pos, `expected \`)\` after arguments of ${fn}`);
    }
  }
}

const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['0', '\0'],
  ['r', '\r'],
  ['n', '\n'],
  ['t', '\t'],
  ['\\', '\\'],
  ["'", "'"],
]);

function parseString(c: Cursor): Expr {
  const offset = c.pos;
  c.pos += 1;
  let value = '';
  for (;;) {
    if (atEnd(c)) throw new ParseFailure(offset, 'unterminated quoted string: expected a closing `\'`');
    const ch = peek(c);
    if (ch === "'") {
      c.pos += 1;
      return { kind: 'string', value, offset };
    }
    if (ch !== '\\') {
      value += ch;
      c.pos += 1;
      continue;
    }
    const esc = c.src[c.pos + 1] ?? '';
    const simple = ESCAPES.get(esc);
    if (simple !== undefined) {
      value += simple;
      c.pos += 2;
    } else if (esc === 'x' && /^[0-9A-Fa-f]{2}$/.test(c.src.slice(c.pos + 2, c.pos + 4))) {
      value += String.fromCharCode(parseInt(c.src.slice(c.pos + 2, c.pos + 4), 16));
      c.pos += 4;
    } else {
      const shown = esc === 'x' ? '\\x' + c.src.slice(c.pos + 2, c.pos + 4) : '\\' + esc;
      throw new ParseFailure(
        c.pos,
        `unknown escape \`${shown}\` in a quoted string: use \\0 \\r \\n \\t \\\\ \\' or \\xHH`,
      );
    }
  }
}

function parseNumber(c: Cursor): Expr {
  const offset = c.pos;
  const digits = c.src.slice(offset).match(/^[0-9]+/)?.[0] ?? '';
  c.pos += digits.length;
  if (/[A-Za-z_]/.test(peek(c))) {
    throw new ParseFailure(offset, `\`${digits}${peek(c)}…\` is neither a number nor a name: names start with a letter or \`_\``);
  }
  if (digits.length > MAX_NUMBER_DIGITS) throw new ParseFailure(offset, `number ${digits} is too large`);
  return { kind: 'number', value: Number(digits), offset };
}

/** `[A-Za-z_][A-Za-z0-9_]*` at the cursor (called where a name starts), read in place. */
function readName(c: Cursor): string {
  const start = c.pos;
  while (c.pos < c.src.length && isNameChar(c.src.charCodeAt(c.pos))) c.pos += 1;
  return c.src.slice(start, c.pos);
}

function isNameChar(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x5f;
}

function skipSpace(c: Cursor): void {
  while (c.pos < c.src.length && (c.src[c.pos] === ' ' || c.src[c.pos] === '\t')) c.pos += 1;
}

function atEnd(c: Cursor): boolean {
  return c.pos >= c.src.length;
}

function peek(c: Cursor): string {
  return c.src[c.pos] ?? '';
}

function describeChar(c: Cursor): string {
  const ch = peek(c);
  return ch === '' ? 'end of text' : `\`${ch}\``;
}

function unclosed(c: Cursor): ParseFailure {
  return new ParseFailure(c.open, 'unclosed `${`: expected `}` (write `$${` for a literal `${`)');
}
