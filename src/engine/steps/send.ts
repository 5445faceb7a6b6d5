/**
 * Sending steps (format §3): `c:` lines (a list in ONE write, for pipelining), `send:` exact
 * bytes, and `data:` bodies. Each waits until the bytes are handed to the socket, bounded by
 * the step's timeout, so a server that stops reading fails the step instead of hanging.
 */
import type { Step, StepOf } from '../../kernel/model.js';
import type { Span } from '../../kernel/span.js';
import type { Template } from '../../template/types.js';
import type { TestContext, LiveConnection } from '../context.js';
import { resolvePath, stepTimeout, deadlineFromStepStart, deadlineFor } from '../context.js';
import { evaluateTracked } from '../values.js';
import { fromTransport, isTransportError, StepFailure } from '../failure.js';
import { currentConnection } from './current.js';

/**
 * The bytes of sending steps whose text holds no `${…}`: the same in every session, so a load
 * run builds them once. Keyed by the (immutable) step; derived from it alone.
 */
interface LiteralPayload {
  readonly eol: string;
  readonly lines: readonly string[];
  readonly payload: Buffer;
}
const literalPayloads = new WeakMap<Step, LiteralPayload>();

const LINE_BREAK = /[\r\n]/;

const isLiteral = (t: Template): boolean => t.parts.length === 0 || (t.parts.length === 1 && t.parts[0]!.kind === 'text');

// The runners below return undefined when they finished at once: most sends are taken by the
// kernel without a wait, and a promise (with an `await` on it per layer) is then pure cost in
// a load run. Whatever has to wait returns its promise to `runSteps`, which awaits it.

export function runC(step: StepOf<'c'>, ctx: TestContext): Promise<void> | undefined {
  const live = currentConnection(ctx, step.span);
  let built = literalPayloads.get(step);
  if (built === undefined || built.eol !== live.eol) {
    const lines = step.lines.map((line) => evaluateTracked(ctx, line).text);
    // A CR or LF would end the line early and the server would read the rest as another
    // command (smuggling): a literal one is refused at load time, one a template made here.
    if (lines.some((l) => LINE_BREAK.test(l))) {
      throw new StepFailure('error', 'a `c:` line holds a CR or LF once its templates are evaluated: nothing was sent (use `send:` for raw bytes)', step.span);
    }
    built = { eol: live.eol, lines, payload: Buffer.from(lines.map((l) => l + live.eol).join(''), 'utf8') };
    if (step.lines.every(isLiteral)) literalPayloads.set(step, built);
  }
  const { lines } = built;
  const sent = (): void => {
    for (const text of lines) {
      const command = { kind: 'line', text } as const;
      live.session.sent(command);
      live.answers.sent(command);
      if (ctx.recording) ctx.record('c', text);
    }
  };
  return after(write(ctx, live, built.payload, step.span, step.timeoutMs, true), sent);
}

export function runSend(step: StepOf<'send'>, ctx: TestContext): Promise<void> | undefined {
  const live = currentConnection(ctx, step.span);
  const bytes = rawBytes(step, ctx);
  return after(write(ctx, live, bytes, step.span, step.timeoutMs, true), () => {
    const command = { kind: 'raw', text: bytes.toString('utf8') } as const;
    live.session.sent(command);
    live.answers.sent(command);
    if (ctx.recording) ctx.record('c', bytes);
  });
}

export function runData(step: StepOf<'data'>, ctx: TestContext): Promise<void> | undefined {
  const live = currentConnection(ctx, step.span);
  const built = literalPayloads.get(step);
  if (built !== undefined) return sendBody(ctx, live, step, built.lines, built.payload, true);
  return buildBody(step, ctx).then(({ lines, payload }) => sendBody(ctx, live, step, lines, payload, false));
}

/** The body's lines and bytes, the first time for a literal body, or each time. */
async function buildBody(step: StepOf<'data'>, ctx: TestContext): Promise<{ lines: string[]; payload: Buffer }> {
  const body = step.body;
  let text: string;
  if (body.kind === 'expect') {
    throw new StepFailure('error', 'this `data:` form reads a client\'s body: it is for `convospec serve`, not `run`', body.span);
  }
  if (body.kind === 'text') {
    text = evaluateTracked(ctx, body.value).text;
  } else {
    const path = resolvePath(ctx, body.path, evaluateTracked(ctx, body.path).text);
    try {
      text = (await ctx.world.readFile(path, 'data')).toString('utf8');
    } catch (error) {
      throw new StepFailure('error', `cannot read the data file ${path}: ${(error as Error).message}`, step.span);
    }
  }
  const lines = dataLines(text, body.dotStuff);
  const payload = Buffer.from(lines.map((l) => l + '\r\n').join('') + '.\r\n', 'utf8');
  if (body.kind === 'text' && isLiteral(body.value)) literalPayloads.set(step, { eol: '\r\n', lines, payload });
  return { lines, payload };
}

const DATA_SENT = { kind: 'data' } as const;

function sendBody(
  ctx: TestContext,
  live: LiveConnection,
  step: StepOf<'data'>,
  lines: readonly string[],
  payload: Buffer,
  atStepStart: boolean,
): Promise<void> | undefined {
  return after(write(ctx, live, payload, step.span, step.timeoutMs, atStepStart), () => {
    live.session.sent(DATA_SENT);
    live.answers.sent(DATA_SENT);
    if (ctx.recording) recordBody(ctx, lines);
  });
}

/** Runs `then` once the write is done: at once when it was, else when its promise settles. */
function after(pending: Promise<void> | undefined, then: () => void): Promise<void> | undefined {
  if (pending === undefined) {
    then();
    return undefined;
  }
  return pending.then(then);
}

/**
 * RFC 5321 §4.5.2: a line that starts with `.` gets one more; line ends become CRLF, and
 * `.` CRLF ends the body. A final line end is not doubled (`a\nb\n` → `a`, `b`, `.`).
 */
export function dataLines(text: string, dotStuff: boolean): string[] {
  const normal = text.replace(/\r\n|\r|\n/g, '\n');
  const lines = normal.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return dotStuff ? lines.map((l) => (l.startsWith('.') ? '.' + l : l)) : lines;
}

const BODY_LINES_SHOWN = 20;

function recordBody(ctx: TestContext, lines: readonly string[]): void {
  const shown = lines.slice(0, BODY_LINES_SHOWN);
  for (const l of shown) ctx.record('c', l);
  if (lines.length > shown.length) ctx.record('info', `… ${lines.length - shown.length} more lines of the body`);
  ctx.record('c', '.');
}

function rawBytes(step: StepOf<'send'>, ctx: TestContext): Buffer {
  const bytes = step.bytes;
  switch (bytes.kind) {
    case 'text':
      return Buffer.from(evaluateTracked(ctx, bytes.value).text, 'utf8');
    case 'hex':
      return Buffer.from(bytes.value.replace(/\s+/g, ''), 'hex');
    case 'base64':
      return Buffer.from(bytes.value, 'base64');
    default: {
      const never: never = bytes;
      throw new Error(`unknown bytes kind ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Undefined when the bytes are sent already; else a promise that fails as the step would.
 * `atStepStart`: nothing of the step took time before (no file was read), so the timeout may
 * count from the step's start (`deadlineFromStepStart`).
 */
function write(
  ctx: TestContext,
  live: LiveConnection,
  payload: Buffer,
  span: Span,
  ownTimeout: number | undefined,
  atStepStart: boolean,
): Promise<void> | undefined {
  const timeout = stepTimeout(ctx, ownTimeout);
  const { at, wait } = atStepStart ? deadlineFromStepStart(ctx, timeout) : deadlineFor(ctx, timeout);
  const connection = live.connection;
  let pending: Promise<void> | undefined;
  // What came before this write cannot answer what it sends.
  live.answers.writing();
  try {
    pending = connection.writeNow ? connection.writeNow(payload, at) : connection.write(payload, at);
  } catch (error) {
    pending = Promise.reject(error);
  }
  return pending?.catch((error: unknown) => {
    if (isTransportError(error)) throw fromTransport(error, span, 'send', wait, ctx.redactor);
    throw error;
  });
}
