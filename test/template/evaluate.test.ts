import { describe, expect, it } from 'vitest';
import { evaluate, literalValue, TemplateError } from '../../src/template/index.js';
import { scope, tpl } from './helpers.js';

const secret = (text: string) => literalValue(text, true);

function error(source: string, s = scope()): TemplateError {
  try {
    evaluate(tpl(source), s);
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error('expected a TemplateError');
}

describe('evaluate', () => {
  it('joins text and values', () => {
    expect(evaluate(tpl('MAIL FROM:<${from}> SIZE=${n}'), scope({ from: 'a@b.test', n: '12' }))).toEqual({
      text: 'MAIL FROM:<a@b.test> SIZE=12',
      secret: false,
    });
  });

  it('turns $${ into a literal ${ without evaluating it', () => {
    expect(evaluate(tpl('$${user}'), scope()).text).toBe('${user}');
  });

  it('reads the environment from the scope, with defaults as in the shell', () => {
    const env = { HOST: 'mx.test', EMPTY: '' };
    expect(evaluate(tpl('${env.HOST}'), scope({}, env)).text).toBe('mx.test');
    expect(evaluate(tpl('${env.HOST:-x}'), scope({}, env)).text).toBe('mx.test');
    expect(evaluate(tpl('${env.NONE:-127.0.0.1}'), scope({}, env)).text).toBe('127.0.0.1');
    expect(evaluate(tpl('${env.EMPTY:-dflt}'), scope({}, env)).text).toBe('dflt');
    expect(evaluate(tpl('${env.EMPTY}'), scope({}, env)).text).toBe('');
    expect(evaluate(tpl('${base64(env.HOST)}'), scope({}, env)).text).toBe('bXgudGVzdA==');
  });

  it('fails on an unset env variable without default, pointing at it', () => {
    const e = error('port ${env.SMTP_PORT}');
    expect(e.message).toContain('environment variable SMTP_PORT is not set');
    expect(e.offset).toBe(7);
  });

  it('reads only the environment\'s own names, never the members of a JavaScript object', () => {
    // process.env inherits from Object.prototype: `constructor` there is a function.
    const env = Object.assign(Object.create(Object.prototype) as Record<string, string | undefined>, { HOST: 'mx.test' });
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(error(`\${env.${name}}`, scope({}, env)).message).toContain(`environment variable ${name} is not set`);
      expect(evaluate(tpl(`\${env.${name}:-dflt}`), scope({}, env)).text).toBe('dflt');
    }
  });

  it('fails on an unknown variable, pointing at it', () => {
    const e = error("${concat('a', nope)}");
    expect(e.message).toBe('unknown variable nope');
    expect(e.offset).toBe(14);
  });

  it('evaluates numbers and strings as text', () => {
    expect(evaluate(tpl("${concat(007, '-', 'x')}"), scope()).text).toBe('7-x');
  });
});

describe('secret propagation', () => {
  const s = scope({ user: 'alice', pass: secret('hunter2') });

  it('a plain template is not secret', () => {
    expect(evaluate(tpl('user ${user}'), s).secret).toBe(false);
  });

  it('a secret variable makes the whole result secret', () => {
    expect(evaluate(tpl('PASS ${pass}'), s)).toEqual({ text: 'PASS hunter2', secret: true });
  });

  it('passes through nested calls', () => {
    const v = evaluate(tpl("AUTH PLAIN ${base64(concat(lower(upper(user)), '\\0', hex(base64(pass))))}"), s);
    expect(v.secret).toBe(true);
    expect(evaluate(tpl("${base64(concat(lower(upper(user)), '\\0'))}"), s).secret).toBe(false);
  });

  it('sasl_plain of a secret password is secret; of neither, not', () => {
    expect(evaluate(tpl('${sasl_plain(user, pass)}'), s).secret).toBe(true);
    expect(evaluate(tpl("${sasl_plain(user, 'public')}"), s).secret).toBe(false);
  });

  it('a secret count makes repeat secret', () => {
    expect(evaluate(tpl("${repeat('a', n)}"), scope({ n: secret('3') }))).toEqual({ text: 'aaa', secret: true });
  });
});
