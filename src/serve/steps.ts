/**
 * The steps in serve mode (format §9), one runner per YAML key as in the engine: `s:` sends,
 * `c:` and `data:` read the client and match, `tls:` is the server's handshake. `set`,
 * `repeat`, `retry`, `include` and `sleep` are the engine's own runners.
 */
import type { Socket } from 'node:net';
import { MAIN_CONNECTION, type ConnectSpec, type StepKind, type StepOf, type TlsOptions } from '../kernel/model.js';
import type { Span } from '../kernel/span.js';
import type { Template } from '../kernel/template.js';
import { lineRegex, type LineRegex } from '../kernel/client-line.js';
import { formatDuration } from '../kernel/duration.js';
import type { TestContext } from '../engine/context.js';
import { deadlineFor, stepTimeout } from '../engine/context.js';
import { StepFailure } from '../engine/failure.js';
import { evaluateTracked, setVariable } from '../engine/values.js';
import { clientRegex } from './regex.js';
import { runInclude, runRepeat, runRetry, runSet, type RunSteps } from '../engine/steps/flow.js';
import { runSleep } from '../engine/steps/wait.js';
import { conditionHolds } from '../engine/when.js';
import { checkHandshakeError, checkTlsExpect, describeHandshake, readTlsFile } from '../engine/tls.js';
import { PROTOCOLS } from '../protocol/registry.js';
import { adoptSocket, readLine, TransportError, type ServerTls } from '../transport/index.js';
import type { ServeContext, ServedConnection } from './context.js';
import { isUnsendable, serveReply, textLines, type ReplyPart } from './reply.js';
import { bodyProblem } from './body.js';

type Runner<K extends StepKind> = (step: StepOf<K>, ctx: ServeContext, runSteps: RunSteps) => Promise<void>;

const RUNNERS: { readonly [K in StepKind]: Runner<K> } = {
  c: serveC,
  send: serveSend,
  data: serveData,
  s: serveS,
  tls: serveTls,
  connect: serveConnect,
  use: serveUse,
  close: serveClose,
  silent: serveSilent,
  sleep: async (step, ctx) => runSleep(step, ctx),
  set: async (step, ctx) => runSet(step, ctx),
  repeat: (step, ctx, run) => runRepeat(step, ctx, run),
  retry: (step, ctx, run) => runRetry(step, ctx, run),
  include: (step, ctx, run) => runInclude(step, ctx, run),
};

export const serveSteps: RunSteps = async (steps, ctx) => {
  for (const step of steps) {
    if (ctx.stop.stopped) return;
    if (step.when && !conditionHolds(step.when, ctx.vars)) continue;
    ctx.activeSpan = step.span;
    const started = ctx.onStep ? ctx.world.clock.now() : 0;
    try {
      await (RUNNERS[step.kind] as Runner<StepKind>)(step, ctx as ServeContext, serveSteps);
    } catch (error) {
      ctx.onStep?.(step, ctx.world.clock.now() - started, false);
      if (error instanceof StepFailure && error.stepName === undefined && step.name !== undefined) error.stepName = step.name;
      throw error;
    }
    ctx.onStep?.(step, ctx.world.clock.now() - started, true);
  }
};

function current(ctx: ServeContext, span: Span): ServedConnection {
  const live = ctx.serve.current;
  if (!live) throw new StepFailure('error', 'no client connection: the connection was closed by an earlier `close`', span);
  return live;
}

const DOING: Record<'read' | 'send' | 'tls' | 'close' | 'silence' | 'body', string> = {
  read: 'while waiting for its next line',
  send: 'while sending to the client',
  tls: 'during the TLS handshake',
  close: 'while waiting for the client to close the connection',
  silence: 'while waiting for silence',
  body: 'while reading the message body',
};

/** A transport error in the client's terms (the engine's words speak of "the server"). */
export function clientFailure(ctx: TestContext, error: unknown, span: Span, doing: keyof typeof DOING, timeoutMs: number): unknown {
  if (!(error instanceof TransportError)) return error;
  const partial = error.partial && error.partial.length > 0 ? `; received so far: "${ctx.redactor.tail(error.partial)}"` : '';
  const where = DOING[doing];
  switch (error.kind) {
    case 'timeout': {
      const bound = ctx.deadlineAt <= ctx.world.clock.now() + 1;
      if (bound) return new StepFailure('deadline', `the test's deadline of ${formatDuration(ctx.test.deadlineMs)} was reached ${where}${partial}`, span);
      const what = doing === 'read' ? `the client sent no line within ${formatDuration(timeoutMs)}` : `nothing happened within ${formatDuration(timeoutMs)} ${where}`;
      return new StepFailure('timeout', what + partial, span);
    }
    case 'closed':
      return new StepFailure('closed', `the client closed the connection ${where}${partial}`, span);
    case 'reset':
      return new StepFailure('reset', `the client reset the connection ${where}`, span);
    case 'limit':
      return new StepFailure('limit', `the client sent a ${error.message} ${where}`, span);
    case 'tls':
      return new StepFailure('tls', `the TLS handshake with the client failed: ${error.message}`, span);
    case 'aborted':
      return new StepFailure('interrupted', 'interrupted', span);
    default:
      return new StepFailure(error.kind === 'local' ? 'error' : 'reset', `${error.message} ${where}`, span);
  }
}

async function readClientLine(ctx: ServeContext, live: ServedConnection, span: Span, timeoutMs: number): Promise<Buffer> {
  const { at } = deadlineFor(ctx, timeoutMs);
  let raw: Buffer;
  try {
    raw = await readLine(live.connection, at);
  } catch (error) {
    throw clientFailure(ctx, error, span, 'read', timeoutMs);
  }
  ctx.record('c', raw);
  live.lastLine = raw.toString('utf8');
  return raw;
}

async function serveC(step: StepOf<'c'>, ctx: ServeContext): Promise<void> {
  const live = current(ctx, step.span);
  const timeoutMs = stepTimeout(ctx, step.timeoutMs);
  for (const template of step.lines) {
    const raw = await readClientLine(ctx, live, template.span, timeoutMs);
    matchLine(ctx, live, template, raw);
  }
}

/** A `c:` line: a `/regex/` searched (its named groups set variables), or the line itself. */
/** Each `c:` line's regex, read once (null: a line matched exactly). */
const lineRegexes = new WeakMap<Template, LineRegex | null>();

function matchLine(ctx: ServeContext, live: ServedConnection, template: Template, raw: Buffer): void {
  let regex = lineRegexes.get(template);
  if (regex === undefined) lineRegexes.set(template, (regex = lineRegex(template) ?? null));
  const line = raw.toString('utf8');
  if (regex) {
    const compiled = lineRegexCompiled(ctx, template, regex);
    const shownRegex = `/${regex.source.source}/${regex.flags}`;
    const found = compiled.exec(line);
    if (!found) {
      const shown = ctx.redactor.line(raw);
      throw new StepFailure('mismatch', `expected the client to send a line matching ${shownRegex}, got "${shown}"`, template.span, {
        expected: shownRegex,
        actual: shown,
      });
    }
    for (const [name, value] of Object.entries(found.groups ?? {})) setVariable(ctx, name, { text: value ?? '', secret: false });
    return;
  }
  const literal = template.source.startsWith('\\/') ? { ...template, parts: dropBackslash(template) } : template;
  const expected = evaluateTracked(ctx, literal).text;
  const facts = PROTOCOLS[live.protocol].serve;
  if (facts?.tagged) {
    const [specTag, ...rest] = expected.split(' ');
    const [clientTag, ...clientRest] = line.split(' ');
    if (rest.length > 0 && specTag && clientTag && sameCommand(live, rest.join(' '), clientRest.join(' '))) {
      live.tags.set(specTag, clientTag);
      return;
    }
  }
  if (expected === line || sameCommand(live, expected, line)) return;
  const shown = ctx.redactor.line(raw);
  throw new StepFailure('mismatch', `expected the client to send "${ctx.redactor.redact(expected)}", got "${shown}"`, template.span, {
    expected: ctx.redactor.redact(expected),
    actual: shown,
  });
}

/** A `c:` regex without templates compiled once; one with templates each time (its values may change). */
const compiledLines = new WeakMap<Template, RegExp>();

function lineRegexCompiled(ctx: ServeContext, template: Template, regex: LineRegex): RegExp {
  const known = compiledLines.get(template);
  if (known !== undefined) return known;
  const compiled = clientRegex(ctx, { kind: 'regex', source: regex.source, flags: regex.flags, span: template.span });
  if (regex.source.parts.every((p) => p.kind === 'text')) compiledLines.set(template, compiled);
  return compiled;
}

function dropBackslash(t: Template): Template['parts'] {
  const [first, ...rest] = t.parts;
  return first && first.kind === 'text' ? [{ kind: 'text', value: first.value.slice(1) }, ...rest] : t.parts;
}

function sameCommand(live: ServedConnection, expected: string, actual: string): boolean {
  const key = PROTOCOLS[live.protocol].serve?.commandKey;
  return key !== undefined && key(expected) === key(actual);
}

/**
 * A reply whose text holds no template and depends on nothing the client said (no IMAP tag,
 * no POP3 framing) is the same bytes every time: made once per step, then sent as they are
 * (a sink plays the same test thousands of times a second).
 */
const literalReplies = new WeakMap<StepOf<'s'>, { readonly lines: readonly string[]; readonly bytes: Buffer }>();

async function serveS(step: StepOf<'s'>, ctx: ServeContext): Promise<void> {
  const live = current(ctx, step.span);
  const timeoutMs = stepTimeout(ctx, step.matcher.timeoutMs, step.timeoutMs);
  const { at } = deadlineFor(ctx, timeoutMs);
  const literal = literalReplies.get(step);
  if (literal !== undefined) {
    if (ctx.recording) for (const l of literal.lines) ctx.record('s', l);
    return write(ctx, live, literal.bytes, step.span, timeoutMs, at);
  }
  const reply = serveReply(step.matcher, live.protocol);
  if (isUnsendable(reply)) throw new StepFailure('error', reply.message, reply.span);
  if (reply.kind === 'closed') {
    try {
      await live.connection.waitForClose(at);
    } catch (error) {
      if (error instanceof TransportError && error.kind === 'timeout') {
        const came = error.partial && error.partial.length > 0 ? `; it sent: "${ctx.redactor.tail(error.partial)}"` : '';
        throw new StepFailure('timeout', `expected the client to close the connection within ${formatDuration(timeoutMs)}, but it did not${came}`, step.span);
      }
      throw clientFailure(ctx, error, step.span, 'close', timeoutMs);
    }
    ctx.record('info', 'closed by the client');
    return;
  }
  let lines = reply.parts.flatMap((part) => partLines(ctx, live, part));
  const facts = PROTOCOLS[live.protocol].serve;
  if (facts?.tagged) lines = lines.map((l) => retag(live, l));
  const multiline = reply.multiline ?? (facts?.multilineAnswer !== undefined && live.lastLine !== undefined && facts.multilineAnswer(live.lastLine));
  if (multiline && lines[0]?.startsWith('+OK')) lines = [lines[0], ...lines.slice(1).map((l) => (l.startsWith('.') ? `.${l}` : l)), '.'];
  if (ctx.recording) for (const l of lines) ctx.record('s', l);
  const bytes = Buffer.from(lines.map((l) => l + live.eol).join(''), 'utf8');
  if (!facts?.tagged && !facts?.multilineAnswer && reply.parts.every(isLiteralPart)) literalReplies.set(step, { lines, bytes });
  await write(ctx, live, bytes, step.span, timeoutMs, at);
}

function isLiteralPart(part: ReplyPart): boolean {
  const templates = part.kind === 'text' ? [part.template] : part.kind === 'code' ? [part.enhanced, part.text] : [part.text];
  return templates.every((t) => t === undefined || t.parts.every((p) => p.kind === 'text'));
}

function partLines(ctx: ServeContext, live: ServedConnection, part: ReplyPart): string[] {
  switch (part.kind) {
    case 'text':
      return textLines(evaluateTracked(ctx, part.template).text);
    case 'code': {
      const codeLine = PROTOCOLS[live.protocol].serve?.codeLine;
      if (part.text === undefined && part.enhanced === undefined && codeLine) return [codeLine(part.code)];
      const enhanced = part.enhanced ? `${evaluateTracked(ctx, part.enhanced).text} ` : '';
      const texts = textLines(part.text ? evaluateTracked(ctx, part.text).text : '');
      return texts.map((t, i) => `${part.code}${i === texts.length - 1 ? ' ' : '-'}${i === 0 ? enhanced : ''}${t}`);
    }
    case 'status': {
      const text = part.text ? evaluateTracked(ctx, part.text).text : '';
      return [text === '' ? part.status : `${part.status} ${text}`];
    }
  }
}

/** imap: a line starting with a tag the spec gave a command is sent with the client's tag. */
function retag(live: ServedConnection, line: string): string {
  const space = line.indexOf(' ');
  const first = space < 0 ? line : line.slice(0, space);
  const client = live.tags.get(first);
  return client === undefined ? line : client + line.slice(first.length);
}

async function write(ctx: ServeContext, live: ServedConnection, bytes: Buffer, span: Span, timeoutMs: number, at: number): Promise<void> {
  try {
    await live.connection.write(bytes, at);
  } catch (error) {
    throw clientFailure(ctx, error, span, 'send', timeoutMs);
  }
}

async function serveSend(step: StepOf<'send'>, ctx: ServeContext): Promise<void> {
  const live = current(ctx, step.span);
  const b = step.bytes;
  const bytes = b.kind === 'text' ? Buffer.from(evaluateTracked(ctx, b.value).text, 'utf8') : b.kind === 'hex' ? Buffer.from(b.value.replace(/\s+/g, ''), 'hex') : Buffer.from(b.value, 'base64');
  ctx.record('s', bytes);
  const timeoutMs = stepTimeout(ctx, step.timeoutMs);
  await write(ctx, live, bytes, step.span, timeoutMs, deadlineFor(ctx, timeoutMs).at);
}

const BODY_LINES_SHOWN = 20;

/** RFC 5321 §4.5.2: lines up to `.`, one leading `.` removed from the others; bounded by the reply limit. */
async function serveData(step: StepOf<'data'>, ctx: ServeContext): Promise<void> {
  const live = current(ctx, step.span);
  const timeoutMs = stepTimeout(ctx, step.timeoutMs);
  const { at } = deadlineFor(ctx, timeoutMs);
  const lines: string[] = [];
  let bytes = 0;
  for (;;) {
    let raw: Buffer;
    try {
      raw = await readLine(live.connection, at);
    } catch (error) {
      throw clientFailure(ctx, error, step.span, 'body', timeoutMs);
    }
    bytes += raw.length + 2;
    if (bytes > live.limits.replyBytes) {
      throw new StepFailure('limit', `the client's message body is larger than the limit of ${live.limits.replyBytes} bytes`, step.span);
    }
    const line = raw.toString('utf8');
    if (line === '.') break;
    if (ctx.recording && lines.length < BODY_LINES_SHOWN) ctx.record('c', raw);
    lines.push(line.startsWith('.') ? line.slice(1) : line);
  }
  if (ctx.recording) {
    if (lines.length > BODY_LINES_SHOWN) ctx.record('info', `… ${lines.length - BODY_LINES_SHOWN} more lines of the body`);
    ctx.record('c', '.');
  }
  live.lastLine = '.';
  const body = lines.join('\n');
  const problem = await bodyProblem(ctx, step, body);
  if (problem) throw problem;
}

async function serveTls(step: StepOf<'tls'>, ctx: ServeContext): Promise<void> {
  const live = current(ctx, step.span);
  const timeoutMs = stepTimeout(ctx, step.timeoutMs);
  const tls = await serverTls(ctx, step.options, step.span);
  let info;
  try {
    info = await live.connection.acceptTls(tls, deadlineFor(ctx, timeoutMs).at);
  } catch (error) {
    if (error instanceof TransportError && error.kind === 'tls') {
      ctx.record('tls', `handshake failed: ${error.message}`);
      if (step.options.expect?.error) {
        checkHandshakeError(ctx, step.options.expect, error.message);
        ctx.serve.connections.delete(live.name);
        ctx.serve.current = undefined;
        return;
      }
    }
    throw clientFailure(ctx, error, step.span, 'tls', timeoutMs);
  }
  live.tags.clear();
  ctx.record('tls', describeHandshake(info));
  if (step.options.expect?.error) {
    throw new StepFailure('mismatch', 'expected the TLS handshake to fail, but it succeeded', step.options.expect.error.span, {
      expected: `an error matching /${step.options.expect.error.source.source}/`,
      actual: describeHandshake(info),
    });
  }
  if (step.options.expect) checkTlsExpect(ctx, step.options.expect, info);
}

/** The server's certificate: `cert`/`key` of the TLS options, or the one made at start-up. */
export async function serverTls(ctx: ServeContext, options: TlsOptions, span: Span): Promise<ServerTls> {
  const [cert, key] = await Promise.all([readTlsFile(ctx, options, 'cert'), readTlsFile(ctx, options, 'key')]);
  const pair = cert && key ? { cert, key } : ctx.serve.defaultCert;
  if (!pair) throw new StepFailure('error', 'no server certificate: give `cert` and `key` in the TLS options', span);
  return {
    ...pair,
    ...(options.minVersion ? { minVersion: options.minVersion } : {}),
    ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
    ...(options.ciphers ? { ciphers: options.ciphers } : {}),
    ...(options.alpn ? { alpn: options.alpn } : {}),
  };
}

/** Make `socket` a served connection named `name`, with implicit TLS when the spec says so. */
export async function adoptClient(ctx: ServeContext, socket: Socket, spec: ConnectSpec, name: string): Promise<void> {
  const tls = spec.tls ? await serverTls(ctx, spec.tls, spec.span) : undefined;
  const timeoutMs = spec.timeoutMs;
  if (ctx.recording) ctx.record('info', `accepted ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}${tls ? ' (implicit TLS)' : ''}${name === MAIN_CONNECTION ? '' : ` as ${name}`}`);
  let connection;
  try {
    connection = await adoptSocket(socket, { limits: spec.limits, clock: ctx.world.clock, stop: ctx.stop, deadline: deadlineFor(ctx, timeoutMs).at, ...(tls ? { tls } : {}) });
  } catch (error) {
    if (error instanceof TransportError && error.kind === 'tls') {
      ctx.record('tls', `handshake failed: ${error.message}`);
      if (spec.tls?.expect?.error) {
        checkHandshakeError(ctx, spec.tls.expect, error.message);
        return;
      }
    }
    throw clientFailure(ctx, error, spec.span, 'tls', timeoutMs);
  }
  if (connection.tls) {
    ctx.record('tls', describeHandshake(connection.tls));
    if (spec.tls?.expect) checkTlsExpect(ctx, spec.tls.expect, connection.tls);
  }
  const live: ServedConnection = {
    name,
    protocol: spec.protocol,
    eol: spec.eol === 'lf' ? '\n' : '\r\n',
    limits: spec.limits,
    connection,
    tags: new Map(),
    lastLine: undefined,
  };
  ctx.serve.connections.get(name)?.connection.close();
  ctx.serve.connections.set(name, live);
  ctx.serve.current = live;
}

async function serveConnect(step: StepOf<'connect'>, ctx: ServeContext): Promise<void> {
  const spec = step.connect;
  const { at } = deadlineFor(ctx, spec.timeoutMs);
  const socket = await ctx.serve.acceptAnother(spec, at);
  if (!socket) throw new StepFailure('timeout', `no further client connection came within ${formatDuration(spec.timeoutMs)}`, step.span);
  await adoptClient(ctx, socket, spec, spec.as ?? `connection ${ctx.serve.connections.size + 1}`);
}

async function serveUse(step: StepOf<'use'>, ctx: ServeContext): Promise<void> {
  const live = ctx.serve.connections.get(step.connection);
  if (!live) throw new StepFailure('error', `no open connection named "${step.connection}"`, step.span);
  ctx.serve.current = live;
  ctx.record('info', `use ${step.connection}`);
}

async function serveClose(step: StepOf<'close'>, ctx: ServeContext): Promise<void> {
  const live = current(ctx, step.span);
  live.connection.close();
  ctx.serve.connections.delete(live.name);
  ctx.serve.current = undefined;
  ctx.record('info', 'close');
}

/** How long to keep reading, once silence was broken, to show what came. */
const SHOW_WHAT_CAME_MS = 200;

async function serveSilent(step: StepOf<'silent'>, ctx: ServeContext): Promise<void> {
  const live = current(ctx, step.span);
  const { at } = deadlineFor(ctx, step.durationMs);
  let spoke: boolean;
  try {
    spoke = await live.connection.waitForData(at);
  } catch (error) {
    throw clientFailure(ctx, error, step.span, 'silence', step.durationMs);
  }
  if (!spoke) return;
  const line = await readLine(live.connection, ctx.world.clock.now() + SHOW_WHAT_CAME_MS)
    .then((l) => ctx.redactor.tail(l))
    .catch((error: unknown) => (error instanceof TransportError && error.partial ? ctx.redactor.tail(error.partial) : ''));
  ctx.record('c', line);
  throw new StepFailure('mismatch', `expected the client to send nothing for ${formatDuration(step.durationMs)}, but it sent: "${line}"`, step.span, {
    expected: 'silence',
    actual: line,
  });
}
