/** The load-mode flags of `run` (`--repeat N`, `--duration 30s`, `--rate R/s`), and `--shard i/n`. */
import { UsageError } from './io.js';
import { parseDurationFlag, parsePositiveInt } from './flags.js';
import { parseShard, type Shard } from '../engine/shard.js';
import { parseThreshold, type Threshold } from '../loadtest/thresholds.js';

export interface LoadFlags {
  readonly repeat?: string;
  readonly duration?: string;
  readonly rate?: string;
  readonly bail?: boolean;
  readonly verbose?: boolean;
}

export interface LoadLimits {
  readonly repeat?: number;
  readonly durationMs?: number;
  readonly ratePerSecond?: number;
}

/**
 * The limits, or undefined when neither `--repeat` nor `--duration` asks for load mode.
 * `refusals`: what load mode refuses of the other flags given (report flags), said first.
 */
export function parseLoadFlags(flags: LoadFlags, refusals: readonly string[] = []): LoadLimits | undefined {
  if (flags.repeat === undefined && flags.duration === undefined) {
    if (flags.rate !== undefined) throw new UsageError('--rate paces load mode: add --repeat N or --duration 30s');
    return undefined;
  }
  // Load mode keeps no transcript and runs every session to its end (docs/load.md).
  if (refusals.length > 0) throw new UsageError(refusals[0]);
  if (flags.verbose) throw new UsageError('--verbose does not apply to load mode (no transcript is kept)');
  if (flags.bail) throw new UsageError('--bail does not apply to load mode (failures are counted)');
  const durationMs = flags.duration !== undefined ? parseDurationFlag('--duration', flags.duration) : undefined;
  if (durationMs !== undefined && durationMs <= 0) throw new UsageError('--duration must be longer than 0');
  return {
    ...(flags.repeat !== undefined ? { repeat: parsePositiveInt('--repeat', flags.repeat) } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(flags.rate !== undefined ? { ratePerSecond: parseRate(flags.rate) } : {}),
  };
}

const PER: Record<string, number> = { '': 1, s: 1, m: 1 / 60 };

/** `50`, `50/s`, `600/m`, `0.5/s`: session starts per second. */
export function parseRate(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|m))?\s*$/.exec(text);
  const rate = m ? Number(m[1]) * PER[m[2] ?? '']! : NaN;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new UsageError(`--rate takes sessions per second such as 50/s or 600/m, got "${text}"`);
  return rate;
}

/**
 * `--shard i/n` as a usage error when malformed. `--shard auto/n` takes i from Kubernetes'
 * `JOB_COMPLETION_INDEX` (an Indexed Job's pod: 0-based, so i is it plus one).
 */
export function parseShardFlag(text: string | undefined, env: Readonly<Record<string, string | undefined>> = {}): Shard | undefined {
  if (text === undefined) return undefined;
  const auto = /^\s*auto\s*\/\s*(\d+)\s*$/.exec(text);
  if (auto) {
    const index = env.JOB_COMPLETION_INDEX;
    if (index === undefined || index === '') {
      throw new UsageError(`--shard ${text.trim()} takes its index from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job's pod), which is not set: give --shard i/n`);
    }
    if (!/^\d+$/.test(index.trim()) || Number(index) + 1 > Number(auto[1])) {
      throw new UsageError(`--shard ${text.trim()}: JOB_COMPLETION_INDEX is "${index}", not a whole number from 0 to ${Number(auto[1]) - 1} (the Job's completions must equal n)`);
    }
    text = `${Number(index) + 1}/${auto[1]}`;
  }
  try {
    return parseShard(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `--threshold EXPR`s, checked when the command starts; outside load mode they are refused. */
export function parseThresholdFlags(texts: readonly string[] | undefined, loadMode: boolean): Threshold[] {
  if (texts === undefined || texts.length === 0) return [];
  if (!loadMode) throw new UsageError('--threshold bounds a load run: add --repeat N or --duration 30s (docs/load.md)');
  return texts.map((text) => {
    try {
      return parseThreshold(text);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
}
