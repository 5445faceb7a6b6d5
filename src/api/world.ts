/**
 * What the engine gets from the outside world (`EngineEnvironment`), the same for
 * `convospec run` and `run()`: the real clock, sockets and files; the rest from the caller.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { EngineEnvironment } from '../engine/context.js';
import { readBounded } from '../loader/bounded-file.js';
import { RegexCache } from '../template/index.js';
import { openConnection } from '../transport/index.js';

export interface WorldSettings {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cliVars: Readonly<Record<string, string>>;
  readonly now: () => Date;
  readonly insecure: boolean;
  readonly extraCa: readonly Buffer[];
  readonly servername?: string;
  readonly defaultTimeoutMs?: number;
}

export function createWorld(settings: WorldSettings): EngineEnvironment {
  const { servername, defaultTimeoutMs } = settings;
  return {
    env: settings.env,
    cliVars: settings.cliVars,
    clock: { now: () => performance.now() },
    now: settings.now,
    randomBytes: (n) => randomBytes(n),
    sleep: (ms, signal) => delay(ms, undefined, { signal }),
    readFile: (path, kind) => readBounded(path, kind),
    openConnection,
    regexCache: new RegexCache(),
    insecure: settings.insecure,
    extraCa: settings.extraCa,
    ...(servername !== undefined ? { servername } : {}),
    ...(defaultTimeoutMs !== undefined ? { defaultTimeoutMs } : {}),
  };
}
