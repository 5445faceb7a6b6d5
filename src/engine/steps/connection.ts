/**
 * Connection steps (format §2, §3): `connect` (also the test's own connection before its
 * first step), `use`, `close`, and `tls` (STARTTLS/STLS upgrade of the live socket).
 */
import { MAIN_CONNECTION, type ConnectSpec, type StepOf } from '../../kernel/model.js';
import type { TestContext } from '../context.js';
import { stepTimeout, deadlineFor } from '../context.js';
import { PROTOCOLS } from '../../protocol/registry.js';
import { evaluateTracked } from '../values.js';
import { fromTransport, isTransportError, StepFailure } from '../failure.js';
import { checkHandshakeError, checkTlsExpect, describeHandshake, resolveTls } from '../tls.js';
import { currentConnection } from './current.js';
import { Answers } from '../answers.js';


/** Open a connection and make it current. With implicit TLS, `expect` applies to its handshake. */
export async function openConnectSpec(ctx: TestContext, spec: ConnectSpec, name: string): Promise<void> {
  const host = evaluateTracked(ctx, spec.host).text;
  const portText = evaluateTracked(ctx, spec.port).text;
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StepFailure('error', `port must be a number from 1 to 65535, got "${portText}"`, spec.port.span);
  }
  const tls = spec.tls ? await resolveTls(ctx, spec.tls, host) : undefined;
  const { at, wait } = deadlineFor(ctx, spec.timeoutMs);
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (ctx.recording) ctx.record('info', `connect ${where}${tls ? ' (implicit TLS)' : ''}${name === MAIN_CONNECTION ? '' : ` as ${name}`}`);
  const expectError = spec.tls?.expect?.error;
  let connection;
  try {
    connection = await ctx.world.openConnection({
      host,
      port,
      limits: spec.limits,
      deadline: at,
      clock: ctx.world.clock,
      stop: ctx.stop,
      ...(tls ? { tls } : {}),
    });
  } catch (error) {
    if (isTransportError(error)) {
      if (error.kind === 'tls' && spec.tls?.expect) {
        ctx.record('tls', `handshake failed: ${error.message}`);
        if (expectError) {
          checkHandshakeError(ctx, spec.tls.expect, error.message);
          return;
        }
      }
      const failure = fromTransport(error, spec.span, error.kind === 'tls' ? 'tls' : 'connect', wait, ctx.redactor);
      throw error.kind === 'refused' ? new StepFailure(failure.kind, `connection refused by ${where}`, spec.span) : failure;
    }
    throw error;
  }
  if (expectError) {
    connection.close();
    throw new StepFailure('mismatch', `expected the TLS handshake to fail, but it succeeded`, expectError.span, {
      expected: `an error matching /${expectError.source.source}/`,
      actual: connection.tls ? describeHandshake(connection.tls) : 'a working connection',
    });
  }
  if (connection.tls) {
    ctx.record('tls', describeHandshake(connection.tls));
    if (spec.tls?.expect) checkTlsExpect(ctx, spec.tls.expect, connection.tls);
  }
  const previous = ctx.connections.get(name);
  previous?.connection.close();
  const live = {
    name,
    protocol: spec.protocol,
    eol: spec.eol === 'lf' ? '\n' : '\r\n',
    limits: spec.limits,
    host,
    connection,
    session: PROTOCOLS[spec.protocol].createSession({ eol: spec.eol }),
    answers: new Answers(spec.protocol, connection),
  };
  ctx.connections.set(name, live);
  ctx.current = live;
}

export async function runConnect(step: StepOf<'connect'>, ctx: TestContext): Promise<void> {
  await openConnectSpec(ctx, step.connect, step.connect.as ?? `connection ${ctx.connections.size + 1}`);
}

export async function runUse(step: StepOf<'use'>, ctx: TestContext): Promise<void> {
  const live = ctx.connections.get(step.connection);
  if (!live) {
    const open = [...ctx.connections.keys()].join(', ') || 'none';
    throw new StepFailure('error', `no open connection named "${step.connection}" (open: ${open})`, step.span);
  }
  ctx.current = live;
  ctx.record('info', `use ${step.connection}`);
}

export async function runClose(step: StepOf<'close'>, ctx: TestContext): Promise<void> {
  const live = currentConnection(ctx, step.span);
  live.connection.close();
  ctx.connections.delete(live.name);
  ctx.current = undefined;
  ctx.record('info', 'close');
}

export async function runTls(step: StepOf<'tls'>, ctx: TestContext): Promise<void> {
  const live = currentConnection(ctx, step.span);
  const options = step.options;
  const resolved = await resolveTls(ctx, options, live.host);
  const { at, wait } = deadlineFor(ctx, stepTimeout(ctx, step.timeoutMs));
  let info;
  try {
    info = await live.connection.startTls(resolved, at);
  } catch (error) {
    if (isTransportError(error) && error.kind === 'tls' && options.expect?.error) {
      ctx.record('tls', `handshake failed: ${error.message}`);
      checkHandshakeError(ctx, options.expect, error.message);
      return;
    }
    if (isTransportError(error)) {
      if (error.kind === 'tls') ctx.record('tls', `handshake failed: ${error.message}`);
      throw fromTransport(error, step.span, 'tls', wait, ctx.redactor);
    }
    throw error;
  }
  // RFC 3207 §4.2: the upgraded session starts afresh; nothing sent before is pending.
  live.session.reset?.();
  live.answers.reset();
  ctx.record('tls', describeHandshake(info));
  if (options.expect?.error) {
    throw new StepFailure('mismatch', 'expected the TLS handshake to fail, but it succeeded', options.expect.error.span, {
      expected: `an error matching /${options.expect.error.source.source}/`,
      actual: describeHandshake(info),
    });
  }
  if (options.expect) checkTlsExpect(ctx, options.expect, info);
}
