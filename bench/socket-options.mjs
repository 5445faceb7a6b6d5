#!/usr/bin/env node
// Why src/transport/tcp.ts hands net.connect its options with four stream options already in
// them: `node bench/socket-options.mjs`. Not a test (timings depend on the machine).
//
// Node's Socket constructor copies its options (`options = { ...options }`) and then adds
// `allowHalfOpen`, `emitClose`, `autoDestroy` and `decodeStrings` to the copy. In Node 20's
// V8 (11.3), adding a property to an object made by spreading another takes the runtime's
// slow path, and the stream constructors' reads of that copy are slow too. Options that
// already hold the four are only overwritten. Each way below makes the same sockets (no
// connect: the constructor is what differs).
import { Buffer } from 'node:buffer';
import net from 'node:net';
import process from 'node:process';

const COUNT = Number(process.argv[2] ?? 20000);
const ROUNDS = 5;
const scratch = Buffer.allocUnsafe(64 * 1024);
const onread = { buffer: scratch, callback: () => true };

const ways = {
  'no options': () => new net.Socket(),
  '{ onread }, as most callers write it': () => new net.Socket({ onread }),
  '{ the four, onread }, as tcp.ts does': () =>
    new net.Socket({ allowHalfOpen: false, emitClose: false, autoDestroy: true, decodeStrings: false, onread }),
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const say = (line) => process.stdout.write(`${line}\n`);
say(`node ${process.version} (V8 ${process.versions.v8}), ${COUNT} sockets a round, median of ${ROUNDS} rounds`);
for (const [name, make] of Object.entries(ways)) {
  const perSocket = [];
  for (let round = 0; round < ROUNDS; round++) {
    const kept = []; // kept until the round ends, as live sessions keep theirs
    const started = process.hrtime.bigint();
    for (let i = 0; i < COUNT; i++) kept.push(make());
    perSocket.push(Number(process.hrtime.bigint() - started) / COUNT / 1000);
  }
  say(`${median(perSocket).toFixed(2).padStart(8)} µs  ${name}`);
}
