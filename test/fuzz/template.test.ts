/**
 * Random and mutated templates (spec §7) against the parser, the evaluator and the regex
 * builder. Allowed outcomes: a parse result (ok, or a failure with an offset inside the
 * source), a Value, or a TemplateError. Anything else thrown is an internal error.
 * Secret values must never show in an error message, whole or cut.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluate,
  evaluateRegex,
  FUNCTIONS,
  parseTemplate,
  templateRefs,
  TemplateError,
  type Scope,
  type Template,
  type Value,
} from '../../src/template/index.js';
import type { Span } from '../../src/kernel/span.js';
import { leakedFragments, mutate, mutation } from './mutate.js';

const span: Span = { file: 'fuzz.yaml', line: 1, col: 1, endLine: 1, endCol: 1 };

/** Secrets that look like real ones: long, not base64, not numbers. */
const SECRETS = {
  pass: 'Hunter2-p&ss<word>"quoted"',
  token: 'tok-SECRET-0123456789-abcdefghijklmnopqrstuvwxyz-ZYXWVU',
} as const;

const scope = (): Scope => ({
  vars: new Map<string, Value>([
    ['user', { text: 'alice@convospec.test', secret: false }],
    ['n', { text: '3', secret: false }],
    ['b64', { text: 'aGVsbG8=', secret: false }],
    ['pass', { text: SECRETS.pass, secret: true }],
    ['token', { text: SECRETS.token, secret: true }],
  ]),
  env: { HOME: '/home/alice', EMPTY: '' },
  now: () => new Date(Date.UTC(2024, 1, 29, 7, 5, 9)),
  randomBytes: (count) => Buffer.alloc(count, 0x5a),
});

const SECRET_NAMES = new Set(Object.keys(SECRETS));

const varName = fc.constantFrom('user', 'n', 'b64', 'pass', 'token', 'missing', '_x1');
const envRef = fc.constantFrom('env.HOME', 'env.EMPTY', 'env.UNSET');
const fnName = fc.constantFrom(...FUNCTIONS.keys(), 'nope', 'Base64');
const number = fc.oneof(fc.nat({ max: 40 }), fc.constantFrom(0, 65_536, 65_537, 16_777_216, 16_777_217, 999_999_999_999_999));
const quoted = fc.oneof(
  fc.string({ maxLength: 8 }).map((s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`),
  fc.constantFrom("'\\x41\\0\\r\\n\\t'", "'\\xZZ'", "'\\q'", "'open", "'=='", "'aGVsbG8='", "'ab,c)'"),
);

const { expr } = fc.letrec<{ expr: string; arg: string; call: string }>((tie) => ({
  expr: fc.oneof({ depthSize: 'small', withCrossShrink: true }, varName, envRef, tie('call'), tie('call')),
  // Variables are the likeliest arguments: that is where secrets go in.
  arg: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: varName },
    { weight: 1, arbitrary: envRef },
    { weight: 1, arbitrary: number.map(String) },
    { weight: 1, arbitrary: quoted },
    { weight: 1, arbitrary: tie('call') },
  ),
  call: fc
    .tuple(fnName, fc.array(tie('arg'), { maxLength: 4 }), fc.constantFrom('', ' ', '\t'))
    .map(([fn, args, sp]) => `${fn}(${sp}${args.join(`,${sp}`)})`),
}));

const piece = fc.oneof(
  { weight: 3, arbitrary: expr.map((e) => `\${${e}}`) },
  { weight: 1, arbitrary: envRef.map((e) => `\${${e}:-fall back}`) },
  { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom('$${', '${', '}', '$', '${ }', '${}', '${env.}', '${a.b}', '${1x}') },
);

const wellFormed = fc.array(piece, { maxLength: 5 }).map((parts) => parts.join(''));
const template = fc.oneof(
  wellFormed,
  fc.tuple(wellFormed, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([t, ms]) => mutate(t, ms)),
  fc.string({ maxLength: 40 }),
);

function secretLeaks(text: string): string[] {
  return Object.values(SECRETS).flatMap((s) => leakedFragments(text, s, 10));
}

/** Evaluate, allowing only a Value or a TemplateError; returns what came. */
function tryEvaluate(t: Template): { value?: Value; error?: TemplateError } {
  try {
    return { value: evaluate(t, scope()) };
  } catch (error) {
    if (error instanceof TemplateError) return { error };
    throw error;
  }
}

describe('templates: random and mutated input', () => {
  it('parseTemplate never throws, and every offset lies inside the source', () => {
    fc.assert(
      fc.property(template, (source) => {
        const result = parseTemplate(source, span);
        if (!result.ok) {
          expect(result.offset).toBeGreaterThanOrEqual(0);
          expect(result.offset).toBeLessThanOrEqual(source.length);
          expect(result.message.length).toBeGreaterThan(0);
          return;
        }
        for (const part of result.template.parts) {
          if (part.kind === 'expr') {
            expect(part.offset).toBeGreaterThanOrEqual(0);
            expect(part.offset).toBeLessThan(source.length);
            expect(source.startsWith('${', part.offset)).toBe(true);
          }
        }
        const refs = templateRefs(result.template);
        for (const r of [...refs.vars, ...refs.envs, ...refs.calls]) {
          expect(r.offset).toBeGreaterThanOrEqual(0);
          expect(r.offset).toBeLessThan(source.length);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('evaluate gives a Value or a TemplateError with an offset inside the source', () => {
    fc.assert(
      fc.property(template, (source) => {
        const parsed = parseTemplate(source, span);
        if (!parsed.ok) return;
        const { error } = tryEvaluate(parsed.template);
        if (error) {
          expect(error.offset).toBeGreaterThanOrEqual(0);
          expect(error.offset).toBeLessThanOrEqual(source.length);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('a value that used a secret variable is secret', () => {
    fc.assert(
      fc.property(wellFormed, (source) => {
        const parsed = parseTemplate(source, span);
        if (!parsed.ok) return;
        const { value } = tryEvaluate(parsed.template);
        const usesSecret = templateRefs(parsed.template).vars.some((v) => SECRET_NAMES.has(v.name));
        if (value && usesSecret) expect(value.secret).toBe(true);
      }),
      { numRuns: 800 },
    );
  });

  it('no error message holds a secret, whole or cut', () => {
    fc.assert(
      fc.property(wellFormed, (source) => {
        const parsed = parseTemplate(source, span);
        if (!parsed.ok) return;
        const { error } = tryEvaluate(parsed.template);
        if (error) expect(secretLeaks(error.message), error.message).toEqual([]);
      }),
      { numRuns: 2500 },
    );
  });

  it('evaluateRegex gives a RegExp or a TemplateError, never with a secret in its message', () => {
    const regexPiece = fc.oneof(
      piece,
      fc.constantFrom('(', ')', '[', ']', '*', '+?', '\\', '(?<n>', '(?=', '\\p{L}', '{2,1}', 'a{99999}', '\\k<x>', '|', '^', '$'),
    );
    const flags = fc.subarray(['i', 'm', 's', 'u', 'g', 'y', 'd', 'v', 'i']).map((f) => f.join(''));
    fc.assert(
      fc.property(fc.array(regexPiece, { maxLength: 6 }), flags, (pieces, f) => {
        const parsed = parseTemplate(pieces.join(''), span);
        if (!parsed.ok) return;
        try {
          expect(evaluateRegex(parsed.template, f, scope()).regex).toBeInstanceOf(RegExp);
        } catch (error) {
          if (!(error instanceof TemplateError)) throw error;
          expect(secretLeaks(error.message), error.message).toEqual([]);
        }
      }),
      { numRuns: 800 },
    );
  });
});

describe('templates: known-bad inputs, as examples that always run', () => {
  const evaluateSource = (source: string): { value?: Value; error?: TemplateError } => {
    const parsed = parseTemplate(source, span);
    if (!parsed.ok) throw new Error(parsed.message);
    return tryEvaluate(parsed.template);
  };

  it('a value longer than a JavaScript string can hold is a TemplateError, not a RangeError', () => {
    // 33 × 16 MiB: each `repeat` is within MAX_REPEAT_CHARS, their concatenation is not.
    // V8 refuses before allocating, so this costs no memory.
    const source = `\${concat(${Array.from({ length: 33 }, () => "repeat('a', 16777216)").join(', ')})}`;
    expect(evaluateSource(source).error).toBeInstanceOf(TemplateError);
  });

  it.each([
    ['unbase64(token)', 'a secret that is not base64'],
    ['repeat(user, token)', 'a secret used as a count'],
    ['random(token)', 'a secret used as a number of digits'],
    ["cram_md5(user, pass, token)", 'a secret used as a challenge'],
  ])('%s: the error for %s does not quote it', (call) => {
    const { error } = evaluateSource(`\${${call}}`);
    expect(error).toBeInstanceOf(TemplateError);
    expect(secretLeaks(error!.message), error!.message).toEqual([]);
  });
});
