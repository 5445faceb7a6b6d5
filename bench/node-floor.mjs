#!/usr/bin/env node
// The Node floor: the bench's SMTP session written by hand on Node's `net`, with nothing of
// convospec (no spec, no steps, no timers or promises per session, no matchers, no
// statistics): it checks each reply's code and nothing more. What it reaches is about as fast
// as a Node client can run this session on the machine, so `bench/run.mjs` times it beside
// convospec and smtp-source: the gap from it to smtp-source is Node's own cost (its event
// loop, streams and V8), the gap from convospec to it is convospec's. Not a tool for users.
// The session is bench/message.yaml, written again here as bytes: keep the two alike.
//
//   node bench/node-floor.mjs N C PORT
import net from 'node:net';
import process from 'node:process';
import { Buffer } from 'node:buffer';
import { setInterval } from 'node:timers';

const N = Number(process.argv[2] ?? 20000);
const C = Number(process.argv[3] ?? 50);
const PORT = Number(process.argv[4] ?? 12525);
/** No session finishing for this long is a broken sink: fail instead of hanging the bench. */
const IDLE_MS = 10_000;

// What convospec's bench spec sends and expects, in order: the reply codes, and after each
// reply but the last the bytes to send.
const EXPECT = [220, 250, 250, 250, 354, 250, 221];
const SEND = [
  'EHLO bench.convospec.test\r\n',
  'MAIL FROM:<sender@example.net>\r\n',
  'RCPT TO:<rcpt@example.org>\r\n',
  'DATA\r\n',
  'From: sender@example.net\r\nTo: rcpt@example.org\r\nSubject: convospec bench\r\n\r\nHello from the benchmark.\r\n.\r\n',
  'QUIT\r\n',
].map((text) => Buffer.from(text, 'latin1'));

let started = 0;
let finished = 0;

function fail(message) {
  process.stderr.write(`node-floor: ${message}\n`);
  process.exit(1);
}

/**
 * Node's cheapest way in, as convospec's transport does it (src/transport/tcp.ts,
 * bench/socket-options.mjs): the four stream options Node's Socket constructor would add
 * given already, so it takes no V8 slow path, and `onread` into one reused buffer, so a read
 * makes no Buffer and no 'data' event. Written the plain way ('data' events, a timeout per
 * socket) this client was ~25 % slower: a floor must not carry costs convospec avoids.
 */
const readBuffer = Buffer.alloc(64 * 1024);

function session() {
  if (started >= N) return;
  started += 1;
  let step = 0;
  let partial = '';
  const onData = (bytes, buffer) => {
    let text = partial + buffer.toString('latin1', 0, bytes);
    // Each line of a reply; RFC 5321 §4.2.1: `250-` continues it, `250 ` (or a bare code) ends it.
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n')) {
      const line = text.slice(0, end);
      text = text.slice(end + 1);
      if (line[3] === '-') continue;
      const code = Number(line.slice(0, 3));
      if (code !== EXPECT[step]) fail(`expected ${EXPECT[step]}, got ${JSON.stringify(line)}`);
      if (step < SEND.length) socket.write(SEND[step]);
      step += 1;
      if (step === EXPECT.length) {
        socket.destroy();
        finished += 1;
        if (finished === N) process.stdout.write(`${N} sessions\n`);
        else session();
        return;
      }
    }
    partial = text;
  };
  // Written out: a spread (`{ ...defaults, host }`) is the slow shape itself.
  const socket = net.connect({ allowHalfOpen: false, emitClose: false, autoDestroy: true, decodeStrings: false, host: '127.0.0.1', port: PORT, onread: { buffer: readBuffer, callback: onData } });
  socket.setNoDelay(true);
  socket.on('error', (error) => fail(error.message));
}

for (let i = 0; i < Math.min(C, N); i++) session();

// One watchdog for the run, not a timer per socket (Node refreshes a socket's timer at every
// read and write, a cost convospec's transport does not pay either).
let seen = -1;
setInterval(() => {
  if (finished === seen) fail(`no session finished within ${IDLE_MS} ms`);
  seen = finished;
}, IDLE_MS).unref();
