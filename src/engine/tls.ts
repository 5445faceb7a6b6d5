/**
 * TLS options → what the transport needs, and `tls.expect` assertions (format §6).
 */
import { isIP } from 'node:net';
import type { TextPattern, TlsExpect, TlsOptions } from '../kernel/model.js';
import type { ResolvedTls, TlsInfo } from '../transport/types.js';
import { resolvePath, type TestContext } from './context.js';
import { evaluateRegexTracked, evaluateTracked } from './values.js';
import { StepFailure } from './failure.js';

/** A PEM file the TLS options name (`ca`, `cert`, `key`), read; undefined when none is named. */
export async function readTlsFile(ctx: TestContext, options: TlsOptions, field: 'ca' | 'cert' | 'key'): Promise<Buffer | undefined> {
  const template = options[field];
  if (!template) return undefined;
  const text = evaluateTracked(ctx, template).text;
  // An empty path is no file: `ca: "${env.MAIL_CA:-}"` trusts the system CAs alone when unset.
  if (text === '') return undefined;
  const path = resolvePath(ctx, template, text);
  try {
    return await ctx.world.readFile(path, 'pem');
  } catch (error) {
    throw new StepFailure('error', `cannot read the TLS ${field} file ${path}: ${(error as Error).message}`, template.span);
  }
}

export async function resolveTls(ctx: TestContext, options: TlsOptions, host: string): Promise<ResolvedTls> {
  const readPem = (field: 'ca' | 'cert' | 'key'): Promise<Buffer | undefined> => readTlsFile(ctx, options, field);
  const [ca, cert, key] = await Promise.all([readPem('ca'), readPem('cert'), readPem('key')]);
  const servername = ctx.world.servername ?? (options.servername ? evaluateTracked(ctx, options.servername).text : isIP(host) ? undefined : host);
  const cas = [...(ca ? [ca] : []), ...ctx.world.extraCa];
  return {
    verify: ctx.world.insecure ? false : options.verify,
    ...(servername !== undefined ? { servername } : {}),
    ...(cas.length ? { ca: cas } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(options.minVersion ? { minVersion: options.minVersion } : {}),
    ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
    ...(options.ciphers ? { ciphers: options.ciphers } : {}),
    ...(options.alpn ? { alpn: options.alpn } : {}),
  };
}

/** One transcript line: `-- tls TLSv1.3 TLS_AES_256_GCM_SHA384, CN=mail.test (verified)`. */
export function describeHandshake(info: TlsInfo): string {
  const trust = info.authorized ? 'verified' : `NOT verified: ${info.authorizationError ?? 'unknown reason'}`;
  return `${info.protocol} ${info.cipher}, ${info.subject || 'no subject'} (${trust})`;
}

type Field = 'protocol' | 'cipher' | 'subject' | 'issuer' | 'altNames';
const FIELDS: readonly Field[] = ['protocol', 'cipher', 'subject', 'issuer', 'altNames'];
const FIELD_WORDS: Record<Field, string> = {
  protocol: 'TLS protocol',
  cipher: 'cipher',
  subject: 'certificate subject',
  issuer: 'certificate issuer',
  altNames: 'certificate alt names',
};

const DAY_MS = 86_400_000;

/** Check a finished handshake against `expect`; throws a mismatch at the failing key. */
export function checkTlsExpect(ctx: TestContext, expect: TlsExpect, info: TlsInfo): void {
  for (const field of FIELDS) {
    const pattern = expect[field];
    if (pattern && !textHolds(ctx, pattern, info[field])) {
      throw mismatch(`expected ${FIELD_WORDS[field]} ${show(pattern)}, got "${info[field]}"`, pattern.span, show(pattern), info[field]);
    }
  }
  if (expect.authorized && expect.authorized.value !== info.authorized) {
    const got = info.authorized ? 'it verified' : `it did not: ${info.authorizationError ?? 'unknown reason'}`;
    const want = expect.authorized.value ? 'to verify' : 'NOT to verify';
    throw mismatch(`expected the certificate ${want}, but ${got}`, expect.authorized.span, String(expect.authorized.value), String(info.authorized));
  }
  if (expect.validDays) {
    const left = info.validTo ? Math.floor((info.validTo.getTime() - ctx.world.now().getTime()) / DAY_MS) : -Infinity;
    if (left < expect.validDays.value) {
      const got = info.validTo ? `it expires in ${left} days (${info.validTo.toISOString()})` : 'its expiry is unknown';
      throw mismatch(`expected the certificate to stay valid at least ${expect.validDays.value} more days, but ${got}`, expect.validDays.span, `>= ${expect.validDays.value} days`, `${left} days`);
    }
  }
}

/** `expect.error`: the handshake failed as it should, or not. */
export function checkHandshakeError(ctx: TestContext, expect: TlsExpect, message: string): void {
  if (!expect.error) return;
  const regex = evaluateRegexTracked(ctx, expect.error);
  if (!regex.test(message)) {
    throw mismatch(`the TLS handshake failed, but not as expected: ${message}`, expect.error.span, `/${regex.source}/`, message);
  }
}

function textHolds(ctx: TestContext, pattern: TextPattern, actual: string): boolean {
  if (pattern.kind === 'regex') return evaluateRegexTracked(ctx, pattern).test(actual);
  return evaluateTracked(ctx, pattern.value).text === actual;
}

function show(pattern: TextPattern): string {
  return pattern.kind === 'regex' ? `/${pattern.source.source}/${pattern.flags}` : `"${pattern.value.source}"`;
}

function mismatch(message: string, span: TlsExpect['span'], expected: string, actual: string): StepFailure {
  return new StepFailure('mismatch', message, span, { expected, actual });
}
