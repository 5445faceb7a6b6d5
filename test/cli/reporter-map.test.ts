/**
 * A new reporter is one file and one entry of the reporter map: a throwaway reporter added
 * to the map in-process gets its flag in `run`'s and `demo`'s options, its path checked
 * before the run, and the events of a run and of a load run through the one dispatcher; one
 * that refuses load mode is refused in its own words.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { workspace, type Workspace } from '../helpers/cli.js';
import { startScriptedServer, type ScriptedServer } from '../loadtest/scripted-server.js';
import { REPORTERS } from '../../src/report/registry.js';
import type { LoadModeUse, Reporter, ReporterContext, ReporterMap, ReportEvent } from '../../src/report/types.js';

interface Heard {
  readonly outputPath: string | undefined;
  readonly events: ReportEvent[];
}

/** The real map plus `tally`, a reporter that only records what it is told. */
function withTally(loadMode: LoadModeUse): { reporters: ReporterMap; heard: Heard[] } {
  const heard: Heard[] = [];
  const createTally = (context: ReporterContext): Reporter => {
    const events: ReportEvent[] = [];
    heard.push({ outputPath: context.outputPath, events });
    return {
      onRunStart: (suites, startedAt) => void events.push({ type: 'run-start', suites, startedAt }),
      onTestStart: (test) => void events.push({ type: 'test-start', test }),
      onTranscript: (test, entry) => void events.push({ type: 'transcript', test, entry }),
      onTestEnd: (result) => void events.push({ type: 'test-end', result }),
      onLoadEnd: (statistics) => void events.push({ type: 'load-end', statistics }),
      onRunEnd: (results, summary) => void events.push({ type: 'run-end', results, summary }),
      onInvalidSpecs: (files) => void events.push({ type: 'invalid-specs', files }),
    };
  };
  const reporters: ReporterMap = {
    ...REPORTERS,
    tally: { create: async () => createTally, flag: { name: '--tally', argument: 'file', help: 'write a tally report', output: 'file' }, loadMode },
  };
  return { reporters, heard };
}

const kinds = (events: readonly ReportEvent[]): string[] => events.map((e) => e.type).filter((t) => t !== 'transcript');

let ws: Workspace;
let server: ScriptedServer | undefined;

beforeAll(async () => {
  ws = await workspace();
});
afterAll(async () => {
  await ws.dispose();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function quickSpec(): Promise<void> {
  server = await startScriptedServer();
  await ws.write('quick.yaml', `name: quick\nconnect: { host: 127.0.0.1, port: ${server.port}, protocol: smtp }\nsteps:\n  - s: 220\n  - c: QUIT\n  - s: 221\n`);
}

describe('a reporter added to the map', () => {
  it('has its flag in the options of run and demo', async () => {
    const { reporters, heard } = withTally('events');
    for (const command of ['run', 'demo']) {
      const help = await ws.run([command, '--help'], { reporters });
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^ {2}--tally <file> +write a tally report$/m);
    }
    expect(heard).toEqual([]);
    const real = await ws.run(['run', '--help']);
    expect(real.stdout).not.toContain('--tally');
  });

  it('has its path checked before the run, as its declared kind', async () => {
    const { reporters, heard } = withTally('events');
    await ws.write('any.yaml', 'name: any\nconnect: { host: 127.0.0.1, port: 25, protocol: smtp }\nsteps: []\n');
    const run = await ws.run(['run', 'any.yaml', '--tally', '.'], { reporters });
    expect([run.code, run.stderr]).toEqual([2, 'convospec: --tally .: cannot write there: it is a folder: give a file name\n']);
    expect(heard).toEqual([]);
  });

  it('gets every event of a run, beside the real reporters', async () => {
    await quickSpec();
    const { reporters, heard } = withTally('events');
    const run = await ws.run(['run', 'quick.yaml', '--tally', 'out/run.tally', '--junit', 'run.xml'], { reporters });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^1 passed/m);
    expect(heard).toHaveLength(1);
    const [tally] = heard;
    expect(tally!.outputPath).toBe(join(ws.dir, 'out/run.tally'));
    expect(kinds(tally!.events)).toEqual(['run-start', 'test-start', 'test-end', 'run-end']);
    expect(tally!.events.filter((e) => e.type === 'transcript').length).toBeGreaterThan(0);
  });

  it('gets the events of a load run through the same dispatcher', async () => {
    await quickSpec();
    const { reporters, heard } = withTally('events');
    const run = await ws.run(['run', 'quick.yaml', '--repeat', '3', '--tally', 'load.tally', '--json', 'load.json'], { reporters });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^3 sessions in .*: all passed/m);
    expect(heard).toHaveLength(1);
    const [tally] = heard;
    expect(kinds(tally!.events)).toEqual(['run-start', 'load-end', 'run-end']);
    const [, loadEnd, runEnd] = tally!.events;
    expect(loadEnd).toMatchObject({ type: 'load-end', statistics: { sessions: { total: 3, passed: 3 } } });
    expect(runEnd).toMatchObject({ type: 'run-end', results: [{ status: 'passed', runs: 3, failedRuns: 0 }] });
  });

  it('gets the invalid specs when a spec does not load', async () => {
    const { reporters, heard } = withTally('events');
    await ws.write('broken.yaml', 'name: broken\nsteps: [{ nonsense: 1 }]\n');
    const run = await ws.run(['run', 'broken.yaml', '--tally', 'broken.tally'], { reporters });
    expect(run.code).toBe(2);
    expect(kinds(heard[0]!.events)).toEqual(['invalid-specs']);
  });

  it('is refused in load mode in its own words when it says so, before anything runs', async () => {
    const { reporters, heard } = withTally({ refused: 'a line per session would flood the file' });
    await ws.write('any.yaml', 'name: any\nconnect: { host: 127.0.0.1, port: 25, protocol: smtp }\nsteps: []\n');
    const run = await ws.run(['run', 'any.yaml', '--repeat', '2', '--tally', 'x.tally'], { reporters });
    expect([run.code, run.stderr]).toEqual([2, 'convospec: --tally does not apply to load mode (a line per session would flood the file)\n']);
    expect(heard).toEqual([]);
  });
});
