/**
 * `s:` — read one reply and match it (format §4, §5). Captures become variables of the test.
 */
import type { Matcher, StepOf } from '../../kernel/model.js';
import type { Reply, ReplyOptions } from '../../protocol/types.js';
import type { Span } from '../../kernel/span.js';
import type { ReplyAt, Waiting } from '../answers.js';
import type { LiveConnection, TestContext } from '../context.js';
import { scopeOf, stepTimeout, deadlineFromStepStart } from '../context.js';
import { KEPT_TAIL_BYTES, readReplyThen } from '../reply.js';
import { matchReply, waitedTags, type Observed } from '../../match/index.js';
import { quote, shownLines } from '../../match/show.js';
import { TemplateError } from '../../template/index.js';
import { fromTransport, isTransportError, StepFailure } from '../failure.js';
import { currentConnection } from './current.js';
import { setVariable } from '../values.js';
import { receivedReply } from '../received.js';

// Reply options without an allocation per reply (a load run reads millions).
const PROTOCOL_DEFAULT: ReplyOptions = {};
const MULTILINE: ReplyOptions = { multiline: true };
const SINGLE_LINE: ReplyOptions = { multiline: false };

export function runS(step: StepOf<'s'>, ctx: TestContext): Promise<void> {
  if (step.matcher.until) return runUntil(step, step.matcher.until, ctx);
  const live = currentConnection(ctx, step.span);
  const matcher = step.matcher;
  const { at, wait } = deadlineFromStepStart(ctx, stepTimeout(ctx, matcher.timeoutMs, step.timeoutMs));
  // The check runs inside the read's own async function (one layer per reply, not two).
  const tags = tagsOf(matcher);
  return readReplyThen(
    live,
    replyOptions(matcher, tags),
    at,
    (observed, at) => checkReply(step, ctx, live, observed, at, tags),
    (error) => {
      if (!isTransportError(error)) return error;
      if (error.partial?.length) recordRaw(ctx, error.partial, error.partial.length >= KEPT_TAIL_BYTES);
      return fromTransport(error, matcher.span, 'reply', wait, ctx.redactor);
    },
  );
}

/** The IMAP tags whose completions a matcher waits for; most name none, and need no walk (a load run reads millions of replies). */
function tagsOf(matcher: Matcher): readonly string[] | undefined {
  return matcher.imap || matcher.oneOf ? waitedTags(matcher) : undefined;
}

function replyOptions(matcher: Matcher, tags: readonly string[] | undefined): ReplyOptions {
  if (tags) return { tags };
  return matcher.multiline ? (matcher.multiline.value ? MULTILINE : SINGLE_LINE) : PROTOCOL_DEFAULT;
}

/**
 * `until`: replies are read, each before the awaited one checked against `skip`, until one
 * matches `until` (format §5). One deadline for the whole wait: the step's timeout.
 */
async function runUntil(step: StepOf<'s'>, until: NonNullable<Matcher['until']>, ctx: TestContext): Promise<void> {
  const live = currentConnection(ctx, step.span);
  const { at, wait } = deadlineFromStepStart(ctx, stepTimeout(ctx, step.matcher.timeoutMs, step.timeoutMs));
  const tags = tagsOf(until.match);
  for (let skipped = 0; ; skipped++) {
    const observed = await readReplyThen(live, replyOptions(until.match, tags), at, (o: Observed, where: ReplyAt) => ({ o, where }), (error) => {
      if (!isTransportError(error)) return error;
      if (error.partial?.length) recordRaw(ctx, error.partial, error.partial.length >= KEPT_TAIL_BYTES);
      return fromTransport(error, until.span, 'reply', wait, ctx.redactor);
    });
    const awaited = match(until.match, observed.o, ctx, live);
    if (awaited.ok) {
      checkReply({ ...step, matcher: until.match }, ctx, live, observed.o, observed.where, tags);
      return;
    }
    // A reply passed over answers what it answers (or nothing: IMAP untagged data), early or not.
    if (observed.o.kind === 'reply') {
      ctx.advertised?.note(live.protocol, observed.o.reply);
      live.answers.unsolicited(observed.o.reply, observed.where, tags);
    }
    record(ctx, observed.o);
    if (observed.o.kind === 'closed') {
      dropConnection(ctx);
      throw new StepFailure('mismatch', `the server closed the connection before a reply matching \`until\` (${skipped} read before): ${awaited.message}`, awaited.span);
    }
    if (until.skip) {
      const passed = match(until.skip, observed.o, ctx, live);
      if (!passed.ok) {
        throw new StepFailure('mismatch', `a reply before the awaited one does not match \`skip\`: ${passed.message}`, passed.span, {
          ...(passed.expected !== undefined ? { expected: passed.expected } : {}),
          ...(passed.actual !== undefined ? { actual: passed.actual } : {}),
        });
      }
    }
    if (skipped + 1 > until.max) {
      throw new StepFailure('mismatch', `read ${until.max} replies without one matching \`until\` (\`max: ${until.max}\`); the last: ${awaited.message}`, until.span, {
        ...(awaited.actual !== undefined ? { actual: awaited.actual } : {}),
      });
    }
  }
}

function match(m: Matcher, observed: Observed, ctx: TestContext, live: LiveConnection): ReturnType<typeof matchReply> {
  try {
    return matchReply(m, observed, scopeOf(ctx), { protocol: live.protocol, regexCache: ctx.world.regexCache });
  } catch (error) {
    record(ctx, observed);
    if (error instanceof TemplateError) throw new StepFailure('error', error.message, error.span ?? m.span);
    throw error;
  }
}

function checkReply(step: StepOf<'s'>, ctx: TestContext, live: LiveConnection, observed: Observed, at: ReplyAt, tags: readonly string[] | undefined): void {
  const matcher = step.matcher;
  if (observed.kind === 'reply') {
    ctx.advertised?.note(live.protocol, observed.reply);
    const before = live.answers.unsolicited(observed.reply, at, tags);
    if (before) {
      record(ctx, observed);
      throw unsolicited(matcher.span, before, observed.reply);
    }
  }
  let result;
  try {
    result = matchReply(matcher, observed, scopeOf(ctx), { protocol: live.protocol, regexCache: ctx.world.regexCache });
  } catch (error) {
    record(ctx, observed);
    // A template in the matcher that cannot be evaluated is our side's problem, not the server's.
    if (error instanceof TemplateError) throw new StepFailure('error', error.message, error.span ?? matcher.span);
    throw error;
  }
  // Captured first, recorded after: a capture into a secret variable hides the reply it came from.
  if (result.ok && result.captures.size > 0) for (const [name, value] of result.captures) setVariable(ctx, name, value);
  record(ctx, observed);
  if (!result.ok) {
    const failure = new StepFailure('mismatch', result.message, result.span, {
      ...(result.expected !== undefined ? { expected: result.expected } : {}),
      ...(result.actual !== undefined ? { actual: result.actual } : {}),
    });
    if (observed.kind === 'reply') failure.received = receivedReply(ctx, step, live.protocol, observed.reply.lines);
    throw failure;
  }
  if (observed.kind === 'closed') dropConnection(ctx);
}

function record(ctx: TestContext, observed: Observed): void {
  if (observed.kind === 'closed') ctx.record('info', 'the server closed the connection');
  else if (ctx.recording) recordRaw(ctx, observed.reply.raw);
}

/** A reply that came before the command it would answer was written (format §4). */
function unsolicited(span: Span, before: Waiting, reply: Reply): StepFailure {
  const command = quote(before.command);
  return new StepFailure(
    'mismatch',
    `the server sent a reply nobody asked for: it came before ${command} was sent, so it is not that command's answer. ` +
      'The server is out of step with the client (it answered a command twice, or sent a reply of its own); ' +
      'if an earlier command really gets two replies, read the extra one with an `s:` of its own',
    span,
    { expected: `a reply to ${command}`, actual: shownLines(reply.lines) },
  );
}

/** After the server closed, the connection is gone; a later step on it fails clearly. */
function dropConnection(ctx: TestContext): void {
  const live = ctx.current;
  if (!live) return;
  live.connection.close();
  ctx.connections.delete(live.name);
  ctx.current = undefined;
}

/**
 * Each line of what came, as an `s:` transcript line. A tail cut from a longer reply starts
 * mid-line: that first piece is left out (it could be the end of a secret).
 */
function recordRaw(ctx: TestContext, raw: Buffer, cutAtStart = false): void {
  const lines = raw.toString('latin1').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (cutAtStart && lines.length > 1) lines.shift();
  for (const l of lines) ctx.record('s', Buffer.from(l.replace(/\r$/, ''), 'latin1'));
}
