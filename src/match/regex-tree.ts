/**
 * A spec's regex as a tree, enough to judge how it can run (linear.ts): groups, alternatives,
 * quantifiers, backreferences and lookaround, and which characters it matches literally. The
 * syntax is ECMAScript's with Annex B (a `{` that starts no quantifier is a literal, `\1` in a
 * class is octal…); under the `u` flag only the structure matters, never the characters.
 * A source this parser does not follow throws `RegexSyntaxError`: callers then leave the
 * regex as it is (V8 has already accepted it).
 */

export class RegexSyntaxError extends Error {}

/** How many times a term may repeat; `Infinity` for `*`, `+`, `{n,}`. */
export interface Term {
  readonly atom: Atom;
  readonly min: number;
  readonly max: number;
  /** The quantifier as written (`+`, `{2,5}?`), empty without one. */
  readonly quantifier: string;
}

/** A class item: one code unit, or a range of them. */
export type ClassItem = { readonly from: number; readonly to: number };

export type Atom =
  /** A character matched literally: its code unit (`code` -1 when it is a surrogate pair under `u`). */
  | { readonly kind: 'char'; readonly code: number; readonly src: string }
  /**
   * `[…]`, `.`, `\d` and the like. `items` and `escapes` are filled only for a class: its
   * characters and ranges, and its class escapes (`\d`, `\w`…) as written.
   */
  | { readonly kind: 'set'; readonly src: string; readonly negated: boolean; readonly items?: readonly ClassItem[]; readonly escapes?: readonly string[] }
  | { readonly kind: 'assertion'; readonly src: string }
  | { readonly kind: 'backreference'; readonly src: string }
  /** `open` is `(`, `(?:`, `(?<name>`, `(?=`, `(?!`, `(?<=` or `(?<!`. */
  | { readonly kind: 'group'; readonly open: string; readonly body: Alternatives; readonly lookaround: boolean };

/** Alternatives (`a|b`), each a sequence of terms. */
export type Alternatives = readonly (readonly Term[])[];

const CONTROL_ESCAPES: Readonly<Record<string, number>> = { f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };
const CLASS_ESCAPES = 'dDwWsS';
const QUANTIFIER = /^\{(\d+)(?:(,)(\d*))?\}/;

export function parseRegex(source: string, unicode: boolean): Alternatives {
  const parser = new Parser(source, unicode);
  const tree = parser.alternatives();
  if (!parser.atEnd()) throw new RegexSyntaxError(`unexpected ${parser.peek()}`);
  return tree;
}

class Parser {
  private i = 0;

  constructor(
    private readonly s: string,
    private readonly unicode: boolean,
  ) {}

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  peek(): string {
    return this.s[this.i] ?? '';
  }

  alternatives(): Alternatives {
    const branches: Term[][] = [this.sequence()];
    while (this.peek() === '|') {
      this.i++;
      branches.push(this.sequence());
    }
    return branches;
  }

  private sequence(): Term[] {
    const terms: Term[] = [];
    // Each turn consumes at least one character (an atom), so the loop ends.
    while (!this.atEnd() && this.peek() !== '|' && this.peek() !== ')') terms.push(this.term());
    return terms;
  }

  private term(): Term {
    const atom = this.atom();
    const start = this.i;
    let min = 1;
    let max = 1;
    const c = this.peek();
    const counted = c === '{' ? QUANTIFIER.exec(this.s.slice(this.i)) : null;
    if (c === '*' || c === '+' || c === '?') {
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
      this.i++;
    } else if (counted) {
      min = Number(counted[1]);
      max = counted[2] === undefined ? min : counted[3] === '' ? Infinity : Number(counted[3]);
      this.i += counted[0].length;
    } else {
      return { atom, min, max, quantifier: '' };
    }
    if (this.peek() === '?') this.i++;
    return { atom, min, max, quantifier: this.s.slice(start, this.i) };
  }

  private atom(): Atom {
    const start = this.i;
    const c = this.s[this.i++] as string;
    switch (c) {
      case '(':
        return this.group(start);
      case '[':
        return this.characterClass(start);
      case '.':
        return { kind: 'set', src: '.', negated: false };
      case '^':
      case '$':
        return { kind: 'assertion', src: c };
      case '\\':
        return this.escape(start);
      case '*':
      case '+':
      case '?':
      case ')':
        throw new RegexSyntaxError(`nothing to repeat at ${start}`);
      default:
        return this.literal(start, c);
    }
  }

  private literal(start: number, c: string): Atom {
    const code = c.charCodeAt(0);
    // A surrogate pair is one character under `u`: never folded, so no code needed.
    if (this.unicode && code >= 0xd800 && code <= 0xdbff && /[\udc00-\udfff]/.test(this.peek())) {
      this.i++;
      return { kind: 'char', code: -1, src: this.s.slice(start, this.i) };
    }
    return { kind: 'char', code, src: c };
  }

  private group(start: number): Atom {
    const open = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(this.s.slice(this.i));
    if (this.peek() === '?' && !open) throw new RegexSyntaxError(`unknown group at ${start}`);
    if (open) this.i += open[0].length;
    const body = this.alternatives();
    if (this.s[this.i++] !== ')') throw new RegexSyntaxError(`unterminated group at ${start}`);
    const head = `(${open ? open[0] : ''}`;
    const lookaround = head === '(?=' || head === '(?!' || head === '(?<=' || head === '(?<!';
    return { kind: 'group', open: head, body, lookaround };
  }

  private escape(start: number): Atom {
    const c = this.s[this.i++];
    if (c === undefined) throw new RegexSyntaxError('\\ at the end');
    if (c === 'b' || c === 'B') return { kind: 'assertion', src: `\\${c}` };
    if (CLASS_ESCAPES.includes(c)) return { kind: 'set', src: `\\${c}`, negated: false };
    if (this.unicode && (c === 'p' || c === 'P')) return { kind: 'set', src: this.property(start), negated: false };
    if (c === 'k' && this.peek() === '<') {
      const end = this.s.indexOf('>', this.i);
      if (end < 0) throw new RegexSyntaxError('unterminated \\k<');
      this.i = end + 1;
      return { kind: 'backreference', src: this.s.slice(start, this.i) };
    }
    if (c >= '1' && c <= '9') {
      while (/[0-9]/.test(this.peek())) this.i++;
      return { kind: 'backreference', src: this.s.slice(start, this.i) };
    }
    const code = this.escapedCode(c);
    return { kind: 'char', code, src: this.s.slice(start, this.i) };
  }

  /** `\p{…}` / `\P{…}` (under `u`): its text. */
  private property(start: number): string {
    const end = this.s.indexOf('}', this.i);
    if (this.peek() !== '{' || end < 0) throw new RegexSyntaxError('bad \\p');
    this.i = end + 1;
    return this.s.slice(start, this.i);
  }

  /** The code unit of a character escape whose letter `c` was just read (-1 under `u` where it may be astral). */
  private escapedCode(c: string): number {
    const control = CONTROL_ESCAPES[c];
    if (control !== undefined) return control;
    if (c === '0' && !/[0-9]/.test(this.peek())) return 0;
    if (c >= '0' && c <= '7') {
      // Annex B octal (`\01`, or `\1`…`\7` in a class): up to three digits, at most 0o377.
      let digits = c;
      while (digits.length < 3 && /[0-7]/.test(this.peek()) && Number.parseInt(digits + this.peek(), 8) <= 0o377) digits += this.s[this.i++];
      return Number.parseInt(digits, 8);
    }
    if (c === 'x') return this.hex(2) ?? c.charCodeAt(0);
    if (c === 'u') {
      if (this.unicode && this.peek() === '{') {
        const end = this.s.indexOf('}', this.i);
        if (end < 0) throw new RegexSyntaxError('bad \\u{');
        this.i = end + 1;
        return -1;
      }
      return this.hex(4) ?? c.charCodeAt(0);
    }
    if (c === 'c' && /[A-Za-z]/.test(this.peek())) return (this.s.charCodeAt(this.i++) as number) % 32;
    // An identity escape (`\.`, and under Annex B any other character but `c`).
    return c.charCodeAt(0);
  }

  /** `count` hex digits, consumed; undefined (nothing consumed) when they are not there (Annex B: then a literal letter). */
  private hex(count: number): number | undefined {
    const digits = this.s.slice(this.i, this.i + count);
    if (digits.length !== count || !/^[0-9A-Fa-f]+$/.test(digits)) return undefined;
    this.i += count;
    return Number.parseInt(digits, 16);
  }

  private characterClass(start: number): Atom {
    const negated = this.peek() === '^';
    if (negated) this.i++;
    const items: ClassItem[] = [];
    const escapes: string[] = [];
    // Each turn consumes at least one character; an unterminated class throws.
    while (this.peek() !== ']') {
      if (this.atEnd()) throw new RegexSyntaxError(`unterminated class at ${start}`);
      const from = this.classAtom(escapes);
      if (this.peek() === '-' && this.s[this.i + 1] !== ']' && this.i + 1 < this.s.length) {
        this.i++;
        const to = this.classAtom(escapes);
        if (from >= 0 && to >= 0) {
          items.push({ from, to });
          continue;
        }
        // Annex B: a range with a class escape at either end is its parts and a literal `-`.
        items.push({ from: 0x2d, to: 0x2d });
        for (const code of [from, to]) if (code >= 0) items.push({ from: code, to: code });
        continue;
      }
      if (from >= 0) items.push({ from, to: from });
    }
    this.i++;
    return { kind: 'set', src: this.s.slice(start, this.i), negated, items, escapes };
  }

  /** One class atom: its code unit, or -1 for a class escape (added to `escapes`) or an astral character. */
  private classAtom(escapes: string[]): number {
    const start = this.i;
    const c = this.s[this.i++] as string;
    if (c !== '\\') return this.literal(start, c).kind === 'char' ? codeOf(this.s, start, this.i) : -1;
    const e = this.s[this.i++];
    if (e === undefined) throw new RegexSyntaxError('\\ at the end');
    if (e === 'b') return 0x08;
    if (e === '-') return 0x2d;
    if (CLASS_ESCAPES.includes(e) || (this.unicode && (e === 'p' || e === 'P'))) {
      if (e === 'p' || e === 'P') this.property(start);
      escapes.push(this.s.slice(start, this.i));
      return -1;
    }
    return this.escapedCode(e);
  }
}

/** The code unit written from `start` to `end`, or -1 for a surrogate pair. */
function codeOf(s: string, start: number, end: number): number {
  return end - start === 1 ? s.charCodeAt(start) : -1;
}
