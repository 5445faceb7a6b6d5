/**
 * `run --update` (format §11): after the run, each `s:` whose reply differed is rewritten
 * (src/update), and the tests that run a rewritten step run again, quietly: a later stale
 * step of theirs is rewritten too, until a round rewrites nothing. A step is rewritten at
 * most once: one that fails again (in its test, or another run that shares it) is reported.
 * Each file is written atomically (a temporary file beside it, renamed over it), keeping
 * its mode.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { TestInfo, TestResult } from '../../engine/events.js';
import type { Step, Suite } from '../../kernel/model.js';
import { formatSpan } from '../../kernel/span.js';
import { filesToRead, stepKey, updateSpecs, type NotUpdated } from '../../update/index.js';
import { EXIT, type Io } from '../io.js';

export interface UpdateRun {
  /**
   * Loads the specs afresh and runs again, reporting nothing, the tests `choose` picks of
   * them; undefined when the specs no longer load.
   */
  readonly rerun: (choose: (suites: readonly Suite[]) => Suite[]) => Promise<readonly TestResult[] | undefined>;
  readonly io: Io;
}

/** Rounds of rewrites and reruns in one `--update`, at most. */
const MAX_ROUNDS = 1000;

const testKey = (t: Pick<TestInfo, 'file' | 'name'>): string => `${t.file}\0${t.name}`;

/**
 * The tests of `suites` that the first run ran (by file and name) and that run one of these
 * steps (`stepKey`): the tests that failed there, and those that share the step (matrix
 * runs, a fragment's other includers), which must hold with the new reply too.
 */
function testsRunning(suites: readonly Suite[], ran: readonly TestInfo[], steps: ReadonlySet<string>): Suite[] {
  const wanted = new Set(ran.map(testKey));
  return suites
    .map((s) => ({ ...s, tests: s.tests.filter((t) => wanted.has(testKey({ file: s.file, name: t.name })) && reaches(t.steps, steps)) }))
    .filter((s) => s.tests.length > 0);
}

function reaches(list: readonly Step[], steps: ReadonlySet<string>): boolean {
  return list.some((step) => {
    if (steps.has(stepKey(step.span))) return true;
    if (step.kind === 'include') return reaches(step.fragment.steps, steps);
    if (step.kind === 'repeat' || step.kind === 'retry') return reaches(step.steps, steps);
    return false;
  });
}

export async function updateAfterRun(results: readonly TestResult[], run: UpdateRun): Promise<number> {
  const { io } = run;
  const rewritten = new Set<string>();
  const notUpdated: NotUpdated[] = [];
  const files = new Set<string>();
  let current = results;
  // Each round rewrites at least one step never rewritten before, so the steps bound the
  // rounds; MAX_ROUNDS is the backstop.
  for (let rounds = 1; ; rounds++) {
    const texts = new Map<string, string>();
    for (const file of filesToRead(current)) {
      const text = await readFile(path.resolve(io.cwd, file), 'utf8').catch(() => undefined);
      if (text !== undefined) texts.set(file, text);
    }
    const round = updateSpecs(current, texts, { rewrittenBefore: rewritten });
    for (const [file, text] of round.files) {
      await replaceKeepingMode(path.resolve(io.cwd, file), text);
      files.add(file);
    }
    // What was rewritten before moved with this round's edits.
    const moved = [...rewritten].map((key) => {
      const [, file = '', line = '0', col = '0'] = /^(.*):(\d+):(\d+)$/.exec(key) ?? [];
      return stepKey({ file, line: round.moved(file, Number(line)), col: Number(col), endLine: 0, endCol: 0 });
    });
    rewritten.clear();
    for (const key of moved) rewritten.add(key);
    for (const u of round.updated) rewritten.add(stepKey(u.span));
    // So did every step reported so far, this round's too (found in the text before it).
    notUpdated.push(...round.notUpdated);
    for (const [i, n] of notUpdated.entries()) notUpdated[i] = { ...n, span: { ...n.span, line: round.moved(n.span.file, n.span.line) } };
    if (round.updated.length === 0) break;
    if (rounds >= MAX_ROUNDS) {
      io.stderr.write(`convospec: --update: stopped after ${MAX_ROUNDS} rounds of rewrites; run it again to go on\n`);
      return EXIT.failed;
    }
    const now = new Set(round.updated.map((u) => stepKey(u.span)));
    const again = await run.rerun((suites) => testsRunning(suites, results.map((r) => r.test), now));
    if (io.signal.aborted) return EXIT.interrupted;
    if (again === undefined) {
      io.stderr.write('convospec: --update: the rewritten specs do not load any more (please report it); run `convospec validate`\n');
      return EXIT.failed;
    }
    current = again;
  }
  // Where each rewritten step stands now, in file and line order.
  const places = [...rewritten].map((key) => /^(.*):(\d+):\d+$/.exec(key) ?? ['', '', '0']);
  places.sort((a, b) => (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : Number(a[2]) - Number(b[2])));
  for (const [, file, line] of places) io.stdout.write(`updated ${file}:${line}\n`);
  for (const n of notUpdated) {
    const tests = n.tests.map((t) => `${t.suite} › ${t.name}`).join(', ');
    io.stdout.write(`not updated ${formatSpan(n.span)}: ${n.reason} (${tests})\n`);
  }
  const steps = rewritten.size;
  io.stdout.write(
    `--update: ${steps} step${steps === 1 ? '' : 's'} rewritten in ${files.size} file${files.size === 1 ? '' : 's'}` +
      `${notUpdated.length > 0 ? `; ${notUpdated.length} failure${notUpdated.length === 1 ? '' : 's'} not rewritten` : ''}\n`,
  );
  return notUpdated.length > 0 ? EXIT.failed : EXIT.ok;
}

/** A temporary file beside `file`, with its mode, renamed over it: a reader sees the old text or the new, whole. */
async function replaceKeepingMode(file: string, text: string): Promise<void> {
  const { mode } = await stat(file);
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.update`);
  try {
    const handle = await open(temporary, 'wx', mode & 0o7777);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
