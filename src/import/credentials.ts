/**
 * Takes credentials out of what the client sent. User names become variables; passwords
 * and tokens become secret variables read from the environment (`${env.MAIL_PASS}`, no
 * default), so the real password never appears in the spec. Lines are rewritten to
 * compute the same bytes: `AUTH PLAIN ${sasl_plain(user, pass)}`, `${base64(pass)}`,
 * `LOGIN ${user} ${pass}`, `PASS ${pass}`.
 */
import { encodeBase64, decodeBase64, decodeCramMd5, decodePlain, decodeXoauth2 } from './sasl.js';
import { escapeTemplate, toTemplate, type Substitution } from './escape.js';
import type { CredentialShapes } from '../protocol/dialect.js';
import { PROTOCOLS } from '../protocol/registry.js';
import type { ImportStep, ProtocolName } from './types.js';
import type { WarningSink } from './warnings.js';

export interface VarEntry {
  readonly name: string;
  /** A template. */
  readonly value: string;
}

export interface Credentials {
  readonly vars: readonly VarEntry[];
  readonly secrets: readonly string[];
  /** Raw secret values (and their encodings) → templates, for every other text. */
  readonly substitutions: readonly Substitution[];
  /** Raw secret values and their encodings, to keep them out of warnings too. */
  readonly secretValues: readonly string[];
}

/** Passwords shorter than this are not looked for in other text (they would match words). */
const MIN_SEARCHED_SECRET = 4;

type Kind = 'user' | 'pass' | 'authz' | 'token' | 'payload';

/** Variables by kind: secret ones are read from this environment variable (+ 2, 3, … after the first). */
const KINDS: Readonly<Record<Kind, { readonly secret: boolean; readonly env?: string }>> = {
  user: { secret: false },
  authz: { secret: false },
  pass: { secret: true, env: 'MAIL_PASS' },
  token: { secret: true, env: 'MAIL_TOKEN' },
  payload: { secret: true, env: 'MAIL_AUTH_PAYLOAD' },
};

class Registry {
  readonly vars: VarEntry[] = [];
  readonly secrets: string[] = [];
  readonly substitutions: Substitution[] = [];
  readonly secretValues: string[] = [];
  private readonly names = new Map<string, string>();
  private readonly counts = new Map<Kind, number>();

  constructor(private readonly warnings: WarningSink) {}

  /** The variable holding this value, created on first sight: `pass`, then `pass2`, … */
  name(kind: Kind, value: string, line: number): string {
    return this.create(kind, `${kind}\0${value}`, value, line);
  }

  /** A secret the transcript does not show (CRAM-MD5 sends only a digest of the password). */
  unseen(kind: Kind, key: string, line: number): string {
    return this.create(kind, `${kind}\0\0${key}`, undefined, line);
  }

  private create(kind: Kind, key: string, value: string | undefined, line: number): string {
    const known = this.names.get(key);
    if (known) return known;
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    const suffix = n === 1 ? '' : String(n);
    const name = `${kind}${suffix}`;
    this.names.set(key, name);
    const { secret, env } = KINDS[kind];
    this.vars.push({ name, value: env ? `\${env.${env}${suffix}}` : escapeTemplate(value ?? '') });
    if (secret) this.secrets.push(name);
    if (secret && value !== undefined) {
      this.secretValues.push(value, encodeBase64(value));
      this.substitutions.push({ value: encodeBase64(value), template: `\${base64(${name})}` });
      if (value.length >= MIN_SEARCHED_SECRET) this.substitutions.push({ value, template: `\${${name}}` });
      else this.warnings.warn(line, `the ${kind === 'pass' ? 'password' : 'token'} is shorter than ${MIN_SEARCHED_SECRET} characters: other lines were not searched for it`);
    }
    return name;
  }

  /** The environment variable a secret variable is read from (`MAIL_PASS2` for `pass2`). */
  envOf(name: string): string | undefined {
    return /^\$\{env\.(\w+)\}$/.exec(this.vars.find((v) => v.name === name)?.value ?? '')?.[1];
  }

  /** A raw payload that holds a secret (a PLAIN blob) → the expression that rebuilds it. */
  payload(raw: string, template: string): void {
    this.substitutions.push({ value: raw, template });
    this.secretValues.push(raw);
  }
}

interface Sasl {
  readonly mechanism: string;
  /** Responses sent so far. */
  responses: number;
}

type Send = Extract<ImportStep, { kind: 'send' }>;
type Reply = Extract<ImportStep, { kind: 'reply' }>;

interface Context {
  readonly registry: Registry;
  readonly warnings: WarningSink;
  readonly protocol: ProtocolName;
  /** The continuation reply the response answers (for LOGIN's prompts, CRAM-MD5's challenge). */
  readonly challenge?: Reply;
}

/** A SASL response (or initial response) → its template, or undefined to keep it as sent. */
type Responder = (payload: string, index: number, ctx: Context, line: number) => string | undefined;

const plain: Responder = (payload, index, ctx, line) => {
  if (index > 0) return undefined;
  const creds = decodePlain(payload);
  if (!creds) {
    // Still a credential, in a form we cannot read: keep it out of the spec all the same.
    const name = ctx.registry.name('payload', payload, line);
    ctx.warnings.warn(line, `this AUTH PLAIN payload does not decode as authzid NUL user NUL password; it is read from a secret variable (${name})`);
    return `\${${name}}`;
  }
  const user = ctx.registry.name('user', creds.user, line);
  const pass = ctx.registry.name('pass', creds.pass, line);
  const authz = creds.authz === '' ? '' : `, ${ctx.registry.name('authz', creds.authz, line)}`;
  const template = `\${sasl_plain(${user}, ${pass}${authz})}`;
  ctx.registry.payload(payload, template);
  return template;
};

/** LOGIN: the server prompts `Username:` then `Password:` (base64); without prompts, in that order. */
const login: Responder = (payload, index, ctx, line) => {
  const value = decodeBase64(payload);
  if (value === undefined) return undefined;
  const prompt = decodeBase64(continuationText(ctx.challenge, ctx.protocol) ?? '') ?? '';
  const kind: Kind = /pass/i.test(prompt) ? 'pass' : /user/i.test(prompt) ? 'user' : index === 0 ? 'user' : 'pass';
  return `\${base64(${ctx.registry.name(kind, value, line)})}`;
};

/** CRAM-MD5: the digest depends on the server's challenge, so the challenge is captured. */
const cramMd5: Responder = (payload, _index, ctx, line) => {
  const creds = decodeCramMd5(payload);
  if (!creds || !ctx.challenge) return undefined;
  const user = ctx.registry.name('user', creds.user, line);
  const pass = ctx.registry.unseen('pass', creds.user, line);
  ctx.challenge.capture = { name: 'challenge', source: shapes(ctx.protocol).challenge };
  return `\${cram_md5(${user}, ${pass}, challenge)}`;
};

const xoauth2: Responder = (payload, index, ctx, line) => {
  if (index > 0) return undefined;
  const creds = decodeXoauth2(payload);
  if (!creds) return undefined;
  const user = ctx.registry.name('user', creds.user, line);
  const token = ctx.registry.name('token', creds.token, line);
  const template = `\${xoauth2(${user}, ${token})}`;
  ctx.registry.payload(payload, template);
  return template;
};

const MECHANISMS: Readonly<Record<string, Responder>> = {
  PLAIN: plain,
  LOGIN: login,
  'CRAM-MD5': cramMd5,
  XOAUTH2: xoauth2,
};

/** How credentials look in the protocol's transcripts: each protocol says (`import.credentials`). */
function shapes(protocol: ProtocolName): CredentialShapes {
  return PROTOCOLS[protocol].import.credentials;
}

/** The text of a SASL continuation (RFC 4954 §4 `334 `, RFC 9051 and RFC 5034 `+ `, RFC 5804 a string). */
function continuationText(reply: Reply | undefined, protocol: ProtocolName): string | undefined {
  const first = reply?.lines[0];
  if (first === undefined) return undefined;
  const m = shapes(protocol).continuation.exec(first);
  return m ? (m[1] ?? '') : undefined;
}

/**
 * An IMAP LOGIN argument that follows as a literal (RFC 9051 §4.3): its size, whether the
 * client waits for a `+` before sending it, and the arguments still to come, its own first.
 */
interface PendingLiteral {
  readonly size: number;
  readonly sync: boolean;
  readonly kinds: readonly Kind[];
  /** The send that announced it, for a comment on the size. */
  readonly step: Send;
}

/** A rewritten credential line, and the literal it announces at its end, if any. */
interface Rewritten {
  readonly template: string;
  readonly literal?: Omit<PendingLiteral, 'step'>;
}

/** Commands that carry a user name or password in clear, per protocol. */
type Rewriter = (text: string, ctx: Context, line: number) => Rewritten | undefined;

/** One IMAP LOGIN argument after its space: a quoted string, a literal ending the line, or an atom. */
const IMAP_ARG = /^(\s+)(?:"((?:[^"\\]|\\.)*)"|\{(\d+)(\+?)\}$|([^\s"{]+))/;

/**
 * LOGIN's arguments of these kinds, as variables; quoted strings stay quoted, a literal
 * `{n}` stays as written and ends the line (its content is the next line). Undefined if
 * `text` is not exactly these arguments.
 */
function loginArgs(text: string, kinds: readonly Kind[], ctx: Context, line: number): Rewritten | undefined {
  let template = '';
  let rest = text;
  for (const [i, kind] of kinds.entries()) {
    const m = IMAP_ARG.exec(rest);
    if (!m) return undefined;
    const [all, space = '', quoted, size, plus, atom] = m;
    rest = rest.slice(all.length);
    if (size !== undefined) {
      return { template: `${template}${space}{${size}${plus ?? ''}}`, literal: { size: Number(size), sync: plus !== '+', kinds: kinds.slice(i) } };
    }
    const value = quoted === undefined ? (atom ?? '') : quoted.replace(/\\(.)/g, '$1');
    const name = `\${${ctx.registry.name(kind, value, line)}}`;
    template += `${space}${quoted === undefined ? name : `"${name}"`}`;
  }
  return rest.trim() === '' ? { template } : undefined;
}

/** IMAP `tag LOGIN user password` (RFC 9051 §6.2.3); quoted strings stay quoted, literals literals. */
const imapLogin: Rewriter = (text, ctx, line) => {
  const m = /^(\S+\s+LOGIN)(\s.*)$/i.exec(text);
  if (!m) return undefined;
  const args = loginArgs(m[2] ?? '', ['user', 'pass'], ctx, line);
  if (!args) {
    ctx.warnings.warn(line, 'this LOGIN does not have exactly two arguments; it is kept as sent and may hold a password');
    return undefined;
  }
  return { ...args, template: `${escapeTemplate(m[1] ?? '')}${args.template}` };
};

/**
 * The line that holds a literal's content (its first `size` bytes) and the rest of the
 * command after it. A line shorter or longer than announced is taken whole, with a warning.
 */
function literalContent(text: string, pending: PendingLiteral, ctx: Context, line: number): Rewritten {
  const [kind = 'pass', ...after] = pending.kinds;
  const bytes = Buffer.from(text, 'utf8');
  const head = bytes.subarray(0, pending.size).toString('utf8');
  const rest = after.length > 0 && bytes.length > pending.size ? loginArgs(bytes.subarray(pending.size).toString('utf8'), after, ctx, line) : undefined;
  const whole = rest === undefined;
  if (whole && bytes.length !== pending.size) {
    ctx.warnings.warn(line, `the literal was announced as {${pending.size}} but this line has ${bytes.length} bytes; the whole line is taken as its content`);
  }
  const value = whole ? text : head;
  const name = ctx.registry.name(kind, value, line);
  if (KINDS[kind].secret) {
    const env = ctx.registry.envOf(name);
    pending.step.comment = `{${pending.size}} is the length in bytes of \`${name}\`, as recorded`;
    ctx.warnings.warn(pending.step.line, `the ${kind === 'pass' ? 'password' : kind} is sent as a literal of ${pending.size} bytes, as recorded: ${env ?? name} must be ${pending.size} bytes long`);
  }
  return { template: `\${${name}}${rest?.template ?? ''}`, ...(rest?.literal ? { literal: rest.literal } : {}) };
}

/** POP3 USER / PASS (RFC 1939 §7); APOP's digest depends on the greeting and cannot be replayed. */
const pop3Login: Rewriter = (text, ctx, line) => {
  const m = /^(USER|PASS|APOP)(\s+)(.*)$/i.exec(text);
  if (!m) return undefined;
  const [, verb = '', space = '', arg = ''] = m;
  switch (verb.toUpperCase()) {
    case 'USER':
      return { template: `${verb}${space}\${${ctx.registry.name('user', arg, line)}}` };
    case 'PASS':
      return { template: `${verb}${space}\${${ctx.registry.name('pass', arg, line)}}` };
    default: {
      const [user = '', digest = ''] = arg.split(/\s+/);
      ctx.warnings.warn(line, 'APOP\'s digest is made from the greeting\'s timestamp; this command is kept as recorded and will fail against another greeting');
      return { template: `${verb}${space}\${${ctx.registry.name('user', user, line)}} ${escapeTemplate(digest)}` };
    }
  }
};

/** The clear-text logins a protocol may have (its `import.credentials.login`). */
const CLEAR_LOGIN: Readonly<Record<NonNullable<CredentialShapes['login']>, Rewriter>> = {
  imap: imapLogin,
  pop3: pop3Login,
};

export interface CredentialRewriter {
  /** Rewrites one connection's credential-bearing lines in place (their `template`). */
  rewrite(steps: readonly ImportStep[], protocol: ProtocolName): void;
  /**
   * Templates for every other sent line, now that all secrets are known (a password may
   * show up again elsewhere: a second AUTH, a message body), and the variables.
   */
  finish(): Credentials;
}

export function createCredentialRewriter(warnings: WarningSink): CredentialRewriter {
  const registry = new Registry(warnings);
  const plainSends: Send[] = [];
  return {
    rewrite(steps, protocol) {
      let sasl: Sasl | undefined;
      let challenge: Reply | undefined;
      let literal: PendingLiteral | undefined;
      for (const step of steps) {
        if (step.kind === 'reply') {
          const isContinuation = continuationText(step, protocol) !== undefined;
          if (sasl && !isContinuation) sasl = undefined;
          // A synchronising literal is sent after a `+` only; anything else refused it.
          if (literal && !(isContinuation && literal.sync)) literal = undefined;
          challenge = isContinuation ? step : undefined;
          continue;
        }
        if (step.kind !== 'send') continue;
        const ctx: Context = { registry, warnings, protocol, ...(challenge ? { challenge } : {}) };
        if (literal && (challenge || !literal.sync)) {
          const content = literalContent(step.text, literal, ctx, step.line);
          step.template = content.template;
          literal = content.literal ? { ...content.literal, step } : undefined;
          challenge = undefined;
          continue;
        }
        literal = undefined;
        if (sasl && challenge) {
          // ManageSieve sends a response as a string (RFC 5804 §2.1): its content is the payload.
          const inner = shapes(protocol).quoted ? QUOTED.exec(step.text)?.[1] : undefined;
          const template = respond(sasl, inner ?? step.text, ctx, step.line);
          step.template = inner === undefined ? template : `"${template}"`;
          sasl.responses += 1;
          challenge = undefined;
          continue;
        }
        challenge = undefined;
        const auth = shapes(protocol).authCommand?.exec(step.text);
        if (auth) {
          sasl = startSasl(step, auth, ctx);
          continue;
        }
        const login = shapes(protocol).login;
        const rewritten = login === undefined ? undefined : CLEAR_LOGIN[login](step.text, ctx, step.line);
        if (rewritten === undefined) {
          plainSends.push(step);
          continue;
        }
        step.template = rewritten.template;
        if (rewritten.literal) literal = { ...rewritten.literal, step };
      }
    },
    finish() {
      for (const step of plainSends) step.template = toTemplate(step.text, registry.substitutions);
      return {
        vars: registry.vars,
        secrets: registry.secrets,
        substitutions: registry.substitutions,
        secretValues: registry.secretValues,
      };
    },
  };
}

function startSasl(step: Send, auth: RegExpExecArray, ctx: Context): Sasl {
  const [, prefix = '', mechanism = '', initial] = auth;
  const sasl: Sasl = { mechanism: mechanism.toUpperCase(), responses: 0 };
  if (!MECHANISMS[sasl.mechanism]) {
    ctx.warnings.warn(step.line, `AUTH ${sasl.mechanism} answers the server's own challenge: kept as recorded, and it will not work twice`);
  }
  if (initial !== undefined) {
    const mech = shapes(ctx.protocol).quoted ? `"${mechanism}"` : mechanism;
    const response = respond(sasl, initial, ctx, step.line);
    step.template = `${escapeTemplate(`${prefix} ${mech} `)}${shapes(ctx.protocol).quoted ? `"${response}"` : response}`;
    sasl.responses += 1;
  }
  return sasl;
}

/** A string without escapes (RFC 5804 §4 quoted): a ManageSieve SASL response. */
const QUOTED = /^"([^"\\]*)"$/;

function respond(sasl: Sasl, payload: string, ctx: Context, line: number): string {
  // `*` cancels the exchange, `=` is an empty initial response (RFC 4954 §4).
  if (payload === '*' || payload === '=') return payload;
  const responder = MECHANISMS[sasl.mechanism];
  return responder?.(payload, sasl.responses, ctx, line) ?? toTemplate(payload, ctx.registry.substitutions);
}
