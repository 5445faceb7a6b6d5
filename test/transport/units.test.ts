/** The pure parts of the transport: byte queue, formatting, names, failure wording, waits. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDuration } from '../../src/kernel/duration.js';
import { ByteQueue, formatBytes, formatName, StopToken, stopSignalOf, TransportError } from '../../src/transport/index.js';
import { socketError } from '../../src/transport/errors.js';
import { handshakeReason, verifyReason } from '../../src/transport/tls-reason.js';
import { WaitGroup, waitUntil } from '../../src/transport/wait.js';
import { realClock } from '../helpers/transport.js';

describe('ByteQueue', () => {
  it('finds, peeks and takes across chunk boundaries', () => {
    const queue = new ByteQueue();
    for (const piece of ['ab', 'c\r', '\nde', 'f']) queue.push(Buffer.from(piece));
    expect(queue.length).toBe(8);
    expect(queue.indexOf(0x0a)).toBe(4);
    expect(queue.at(3)).toBe(0x0d);
    expect(queue.peek(5).toString()).toBe('abc\r\n');
    expect(queue.take(5).toString()).toBe('abc\r\n');
    expect(queue.indexOf(0x0a)).toBe(-1);
    queue.push(Buffer.from('\n'));
    expect(queue.indexOf(0x0a)).toBe(3);
    expect(queue.take(100).toString()).toBe('def\n');
    expect(queue.length).toBe(0);
  });

  it('agrees with a flat buffer for any chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 8 }), { maxLength: 12 }), fc.nat(40), (pieces, cut) => {
        const queue = new ByteQueue();
        const flat = Buffer.concat(pieces.map((p) => Buffer.from(p)));
        for (const piece of pieces) {
          queue.push(Buffer.from(piece));
          queue.indexOf(0x0a); // searching early must not spoil later searches
        }
        expect(queue.indexOf(0x0a)).toBe(flat.indexOf(0x0a));
        expect(queue.take(cut)).toEqual(flat.subarray(0, cut));
        const rest = flat.subarray(Math.min(cut, flat.length));
        expect(queue.indexOf(0x0a)).toBe(rest.indexOf(0x0a));
        expect(queue.peek()).toEqual(rest);
      }),
    );
  });

  it('agrees with a flat buffer over any mix of pushes, takes and drops (a part-consumed first chunk)', () => {
    const op = fc.oneof(
      fc.record({ push: fc.uint8Array({ maxLength: 8 }) }),
      fc.record({ take: fc.nat(10) }),
      fc.record({ drop: fc.nat(10) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const queue = new ByteQueue();
        let flat = Buffer.alloc(0);
        for (const o of ops) {
          if ('push' in o) {
            queue.push(Buffer.from(o.push));
            flat = Buffer.concat([flat, Buffer.from(o.push)]);
          } else if ('take' in o) {
            expect(queue.take(o.take)).toEqual(flat.subarray(0, o.take));
            flat = flat.subarray(Math.min(o.take, flat.length));
          } else {
            queue.drop(o.drop);
            flat = flat.subarray(Math.min(o.drop, flat.length));
          }
          expect(queue.length).toBe(flat.length);
          expect(queue.indexOf(0x0a)).toBe(flat.indexOf(0x0a));
          if (flat.length > 0) expect(queue.at(flat.length - 1)).toBe(flat[flat.length - 1]);
          expect(queue.peek(5)).toEqual(flat.subarray(0, 5));
        }
      }),
    );
  });
});

describe('formatting', () => {
  it('sizes in the units of `limits`, never rounded', () => {
    expect(formatBytes(64 * 1024)).toBe('64 KiB');
    expect(formatBytes(16 * 1024 * 1024)).toBe('16 MiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(1024 * 1024 + 1)).toBe('1048577 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(100)).toBe('100 bytes');
  });

  it('durations as a spec writes them', () => {
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(10_000)).toBe('10s');
    expect(formatDuration(9_999)).toBe('10s');
    expect(formatDuration(1_500)).toBe('1.5s');
    expect(formatDuration(120_000)).toBe('2m');
    expect(formatDuration(90_000)).toBe('1m 30s');
    expect(formatDuration(59_990)).toBe('1m');
    expect(formatDuration(3_600_000)).toBe('60m');
  });

  it('names most specific first, whatever the encoding order', () => {
    expect(formatName('C=US\nO=Example\nCN=mail.test')).toBe('CN=mail.test, O=Example, C=US');
    expect(formatName('CN=mail.test\nO=Example')).toBe('CN=mail.test, O=Example');
    expect(formatName('DC=org\nDC=example\nOU=a\nCN=x')).toBe('CN=x, OU=a, DC=example, DC=org');
    expect(formatName('O=A\\, Inc.\nCN=y')).toBe('CN=y, O=A\\, Inc.');
  });
});

describe('failure wording', () => {
  const cert = { subject: 'CN=x', issuer: 'CN=Some CA', altNames: 'DNS:a.test, DNS:b.test' };

  it('certificate checks in plain words', () => {
    const at = { checkedName: 'mail.test', cert: { ...cert, validTo: new Date('2024-01-02T03:04:05Z') } };
    expect(verifyReason('CERT_HAS_EXPIRED', at)).toBe('certificate has expired (valid until 2024-01-02T03:04:05Z)');
    expect(verifyReason('ERR_TLS_CERT_ALTNAME_INVALID', at)).toBe(
      'host name mail.test does not match the certificate (DNS:a.test, DNS:b.test)',
    );
    expect(verifyReason('ERR_TLS_CERT_ALTNAME_INVALID', { ...at, checkedName: '::1' })).toMatch(/^IP address ::1 /);
    expect(verifyReason('SELF_SIGNED_CERT_IN_CHAIN', at)).toMatch(/^unable to verify the certificate: unknown CA/);
    expect(verifyReason('SOMETHING_NEW', at)).toBe('certificate verification failed: something new');
  });

  it('handshake errors say which side refused', () => {
    const alert = Object.assign(new Error('…:ssl3_read_bytes:sslv3 alert handshake failure:…:SSL alert number 40\n'), {
      code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
      library: 'SSL routines',
      reason: 'sslv3 alert handshake failure',
    });
    expect(handshakeReason(alert)).toBe('the server refused the handshake: handshake failure (TLS alert 40)');
    const local = Object.assign(new Error('…:unsupported protocol:…'), { library: 'SSL routines', reason: 'unsupported protocol' });
    expect(handshakeReason(local)).toMatch(/^refused locally: /);
    const odd = Object.assign(new Error('x'), { library: 'SSL routines', reason: 'bad record mac' });
    expect(handshakeReason(odd)).toBe('refused locally by OpenSSL: bad record mac');
    const eof = Object.assign(new Error('Client network socket disconnected before secure TLS connection was established'), {
      code: 'ECONNRESET',
    });
    expect(handshakeReason(eof)).toBe('the server closed the connection during the TLS handshake');
  });

  it('socket errno to kind', () => {
    const errno = (code: string) => Object.assign(new Error(code), { code });
    expect(socketError(errno('ECONNREFUSED'), 'connect', 'h:1').kind).toBe('refused');
    expect(socketError(errno('ENOTFOUND'), 'connect', 'nowhere.test:25')).toMatchObject({
      kind: 'unreachable',
      message: 'host not found: nowhere.test:25',
    });
    expect(socketError(errno('EHOSTUNREACH'), 'connect', 'h:1').kind).toBe('unreachable');
    expect(socketError(errno('ECONNRESET'), 'io', '').kind).toBe('reset');
    expect(socketError(errno('EPIPE'), 'io', '').kind).toBe('reset');
    expect(socketError(errno('EWHATEVER'), 'connect', 'h:1').kind).toBe('unreachable');
    expect(socketError(errno('EWHATEVER'), 'io', 'h:1').kind).toBe('reset');
  });
});

describe('waitUntil', () => {
  it('settles at the deadline and runs cleanup exactly once', async () => {
    let cleanups = 0;
    const result = await waitUntil<string>(
      { clock: realClock },
      realClock.now() + 20,
      (settle) => settle.resolve('deadline'),
      () => () => cleanups++,
    );
    expect(result).toBe('deadline');
    expect(cleanups).toBe(1);
  });

  it('a body that settles at once wins over a past deadline', async () => {
    let cleanups = 0;
    const result = await waitUntil<string>(
      { clock: realClock },
      0,
      (settle) => settle.resolve('deadline'),
      (settle) => {
        settle.resolve('body');
        return () => cleanups++;
      },
    );
    expect(result).toBe('body');
    expect(cleanups).toBe(1);
  });

  it('a stop rejects with `aborted` and cleans up', async () => {
    const stop = new StopToken();
    let cleanups = 0;
    const pending = waitUntil<void>(
      { clock: realClock, stop },
      realClock.now() + 60_000,
      (settle) => settle.resolve(),
      () => () => cleanups++,
    );
    stop.stop('deadline');
    await expect(pending).rejects.toBeInstanceOf(TransportError);
    await expect(pending).rejects.toMatchObject({ kind: 'aborted', cause: 'deadline' });
    expect(cleanups).toBe(1);
    await expect(waitUntil<void>({ clock: realClock, stop }, realClock.now() + 60_000, (settle) => settle.resolve(), () => () => cleanups++)).rejects.toMatchObject({ kind: 'aborted' });
    expect(cleanups).toBe(1);
  });

  it('an AbortSignal works as a stop', async () => {
    const controller = new AbortController();
    const pending = waitUntil<void>({ clock: realClock, stop: stopSignalOf(controller.signal) }, realClock.now() + 60_000, (settle) => settle.resolve(), () => () => undefined);
    controller.abort('ctrl-c');
    await expect(pending).rejects.toMatchObject({ kind: 'aborted', cause: 'ctrl-c' });
  });

  it("a stop token's lazy AbortSignal aborts with it, made before or after the stop", () => {
    const early = new StopToken();
    const signal = early.signal;
    expect(signal.aborted).toBe(false);
    early.stop('deadline');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('deadline');
    expect(early.signal).toBe(signal);
    const late = new StopToken();
    late.stop('ctrl-c');
    late.stop('deadline');
    expect(late.reason).toBe('ctrl-c');
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toBe('ctrl-c');
  });

  it('a stop calls its listeners once, in order, and not those undone', () => {
    const stop = new StopToken();
    const calls: string[] = [];
    stop.onStop(() => calls.push('a'));
    const undo = stop.onStop(() => calls.push('b'));
    stop.onStop(() => calls.push('c'));
    undo();
    stop.stop('x');
    stop.stop('y');
    stop.onStop(() => calls.push('late'));
    expect(calls).toEqual(['a', 'c']);
  });

  it('in a group: each wait settles at its own deadline, and a stop reaches the waiting ones', async () => {
    const stop = new StopToken();
    const group = new WaitGroup(realClock, stop);
    const context = { clock: realClock, stop, group };
    let cleanups = 0;
    const wait = (ms: number): Promise<string> =>
      waitUntil<string>(context, realClock.now() + ms, (settle) => settle.resolve(`${ms} ms`), () => () => cleanups++);
    const late = wait(60_000);
    expect(await Promise.all([wait(30), wait(10)])).toEqual(['30 ms', '10 ms']);
    const answered = waitUntil<string>(context, realClock.now() + 60_000, (settle) => settle.resolve('deadline'), (settle) => {
      setImmediate(() => settle.resolve('body'));
      return () => cleanups++;
    });
    expect(await answered).toBe('body');
    stop.stop('ctrl-c');
    await expect(late).rejects.toMatchObject({ kind: 'aborted' });
    expect(cleanups).toBe(4);
    group.dispose();
  });
});
