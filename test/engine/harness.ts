/**
 * End-to-end engine tests: a real spec, run by the real CLI (in-process), against scripted
 * peers that record the exact bytes they receive. Reports are read back from `--json`.
 */
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { workspace, type CliRun, type Workspace } from '../helpers/cli.js';
import { startPeer, type Peer, type PeerAction, type PeerOutcome } from '../helpers/peer.js';
import type { JsonReport, JsonTest } from '../../src/report/json.js';

export interface SpecRun {
  readonly cli: CliRun;
  /** stdout and stderr together. */
  readonly console: string;
  readonly json: JsonReport;
  /** The test of this name in the JSON report (fails the vitest test if missing). */
  test(name: string): JsonTest;
}

/** Every test file gets one temp workspace; every vitest test its own peers, stopped after it. */
export function setup(): {
  ws: () => Workspace;
  peer: (script: readonly PeerAction[]) => Promise<Peer>;
  relay: (peers: readonly Peer[], options?: { barrier?: number }) => Promise<Relay>;
} {
  let ws: Workspace | undefined;
  const peers: { stop(): Promise<void> }[] = [];
  beforeAll(async () => {
    ws = await workspace();
  });
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.stop()));
  });
  afterAll(async () => {
    await ws?.dispose();
  });
  return {
    ws: () => ws!,
    async peer(script) {
      // Short action timeouts: a script waiting for bytes that never come must not outlive the test.
      const p = await startPeer(script, { actionTimeoutMs: 4000 });
      peers.push(p);
      return p;
    },
    async relay(targets, options) {
      const r = await startRelay(targets, options);
      peers.push(r);
      return r;
    },
  };
}

let runs = 0;

/** Write `text` as `name` and run it with a JSON report. */
export async function runSpec(ws: Workspace, name: string, text: string, extra: readonly string[] = []): Promise<SpecRun> {
  const file = await ws.write(name, text);
  const out = `out-${++runs}.json`;
  const cli = await ws.run(['run', file, '--json', out, ...extra]);
  const json = JSON.parse(await readFile(join(ws.dir, out), 'utf8')) as JsonReport;
  return {
    cli,
    console: cli.stdout + cli.stderr,
    json,
    test(testName) {
      const found = json.suites.flatMap((s) => s.tests).find((t) => t.name === testName);
      expect(found, `test "${testName}" in the JSON report; console:\n${cli.stdout}${cli.stderr}`).toBeDefined();
      return found!;
    },
  };
}

/** The run passed as a whole (every test), with the console shown when it did not. */
export function expectPassed(run: SpecRun): void {
  expect(run.cli.code, run.console).toBe(0);
  expect(run.json.summary.failed + run.json.summary.errored, run.console).toBe(0);
}

/** The named test failed, and how. */
export function expectFailed(run: SpecRun, name: string, message: RegExp | string): JsonTest {
  const t = run.test(name);
  expect(t.status, run.console).toBe('failed');
  if (typeof message === 'string') expect(t.failure?.message).toBe(message);
  else expect(t.failure?.message).toMatch(message);
  return t;
}

/** The peer's `index`th connection: its script's outcome and every byte it received (latin1). */
export async function connection(peer: Peer, index = 0): Promise<{ outcome: PeerOutcome; received: string }> {
  // Bounded: a spec that never connected (invalid, or it failed earlier) must not hang the test.
  let timer: NodeJS.Timeout | undefined;
  const none = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the peer saw no connection #${index}`)), 5000);
  });
  const session = await Promise.race([peer.session(index), none]).finally(() => clearTimeout(timer));
  const outcome = await session.done;
  return { outcome, received: session.received.toString('latin1') };
}

/** The peer's script ran to its end on that connection and it received exactly `bytes`. */
export async function expectReceived(peer: Peer, bytes: string, index = 0): Promise<void> {
  const { outcome, received } = await connection(peer, index);
  expect(received).toBe(bytes);
  expect(outcome, received).toEqual({ completed: true });
}

import { lineOf } from '../helpers/source.js';
export { lineOf };

/**
 * 1-based line and column of `needle` on the first line holding `marker` (a comment such as
 * `#fails`, or the needle itself when no marker is given).
 */
export function positionOf(text: string, needle: string, marker = needle): { line: number; col: number } {
  const line = lineOf(text, marker);
  const col = text.split('\n')[line - 1]!.indexOf(needle) + 1;
  if (col === 0) throw new Error(`"${needle}" not on the line of "${marker}"`);
  return { line, col };
}

export interface Relay {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Most client connections that were open at one time. */
  readonly maxOpen: () => number;
  stop(): Promise<void>;
}

/**
 * A front door on port 0 for scripted peers whose script depends on the connection: the nth
 * accepted connection is relayed to `peers[n]` (the last one takes any extra). With `barrier`,
 * no connection is relayed until that many are open at once (proof that tests ran
 * concurrently; without it, they time out). A connection counts as open from accept until
 * either side ends it, and the peer's end is counted before the client sees it.
 */
export async function startRelay(peers: readonly Peer[], options: { barrier?: number } = {}): Promise<Relay> {
  let accepted = 0;
  let open = 0;
  let maxOpen = 0;
  const held: (() => void)[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const target = peers[Math.min(accepted++, peers.length - 1)]!;
    open++;
    maxOpen = Math.max(maxOpen, open);
    let counted = true;
    const leave = (): void => {
      if (counted) open--;
      counted = false;
    };
    sockets.add(client);
    client.pause();
    client.on('error', () => undefined);
    const relay = (): void => {
      const upstream = net.connect(target.port, target.host);
      sockets.add(upstream);
      upstream.setNoDelay(true);
      client.setNoDelay(true);
      upstream.on('error', () => client.destroy());
      upstream.on('end', leave);
      upstream.on('close', () => {
        leave();
        client.end();
      });
      client.on('end', leave);
      client.on('close', () => {
        leave();
        upstream.destroy();
      });
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    };
    held.push(relay);
    if (accepted >= (options.barrier ?? 1)) for (const go of held.splice(0)) go();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    maxOpen: () => maxOpen,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
