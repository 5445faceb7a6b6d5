/**
 * `convospec import --from imaptest`: golden specs for a selection of imaptest's upstream
 * scripts (test/fixtures/imaptest, MIT), and every upstream script imported: each either
 * becomes a spec of the expected shape that the loader accepts, `imap:` patterns included,
 * or is reported with its file:line. Imported patterns are matched against replies as a
 * server sends them.
 * UPDATE_GOLDEN=1 rewrites the expected files.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importImaptest, isScriptName, type ScriptResult } from '../../src/import/imaptest/index.js';
import { builtCli, ROOT } from '../helpers/build.js';
import { imap, run, scope } from '../match/helpers.js';
import { loadYaml } from './helpers.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'imaptest');
const EXPECTED = join(FIXTURES, 'expected');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
/** The upstream scripts: shared/ beside the repository (CI) or beside the worktrees' folder. */
const UPSTREAM = [join(ROOT, '..', 'shared', 'imaptest-scripts'), join(ROOT, '..', '..', 'shared', 'imaptest-scripts')].find((d) => existsSync(d));
const ENV = { MAIL_USER: 'alice@convospec.test', MAIL_PASS: 'from-the-environment' };

/** The scripts in a folder, as the command finds them. */
function scriptsIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => isScriptName(name) && statSync(join(dir, name)).isFile())
    .sort();
}

function importFrom(dir: string, name: string): ScriptResult {
  const read = (file: string): string | undefined => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : undefined);
  return importImaptest({ name, text: readFileSync(join(dir, name)), mbox: read(`${name}.mbox`) ?? read('default.mbox') }, { env: {} });
}

function golden(path: string, actual: string): void {
  if (UPDATE || !existsSync(path)) {
    mkdirSync(EXPECTED, { recursive: true });
    writeFileSync(path, actual);
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

type Step = Record<string, unknown>;
interface Doc {
  name: string;
  tags: string[];
  connect: Record<string, unknown>;
  vars: Record<string, string>;
  secrets: string[];
  tests: { name: string; skip?: string; steps: Step[] }[];
  /** The one test's steps. */
  steps: Step[];
}

function parseDoc(yaml: string): Doc {
  const doc = parse(yaml) as Doc;
  expect(doc.tests).toHaveLength(1);
  return { ...doc, steps: doc.tests[0]?.steps ?? [] };
}

async function expectShape(result: ScriptResult): Promise<void> {
  const yaml = result.yaml as string;
  const doc = parseDoc(yaml);
  expect(doc.name).toBe(`imaptest ${result.name}`);
  expect(doc.tags[0]).toBe('imaptest');
  expect(doc.connect).toMatchObject({ host: '${env.MAIL_HOST:-127.0.0.1}', port: '${env.IMAP_PORT:-143}', protocol: 'imap' });
  const user2 = yaml.includes('${user2}') ? { user2: '${env.MAIL_USER2:-}' } : {};
  expect(doc.vars).toEqual({ mailbox: '${env.IMAPTEST_MAILBOX:-imaptest}', user: '${env.MAIL_USER}', pass: '${env.MAIL_PASS}', ...user2 });
  expect(doc.secrets).toEqual(['pass']);
  for (const step of doc.steps) {
    const imap = (step.s as { imap?: Record<string, unknown> } | undefined)?.imap;
    if (imap === undefined) continue;
    expect(Object.keys(imap).every((k) => ['untagged', 'optional', 'forbid', 'extra', 'tagged'].includes(k))).toBe(true);
    const tagged = imap.tagged;
    const completions = typeof tagged === 'string' ? [tagged] : Object.values(tagged as Record<string, string>);
    for (const c of completions) expect(c).toMatch(/^(\$|OK|NO|BAD)( .*)?$/);
  }
  const loaded = await loadYaml(yaml, ENV);
  expect(loaded.diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.message}`), yaml).toEqual([]);
}

describe('imaptest golden files', () => {
  const scripts = scriptsIn(FIXTURES);
  it('has the selection', () => {
    expect(scripts).toEqual(['append', 'append-binary', 'catenate', 'fetch', 'pipeline', 'pipeline-connections', 'search-context-update', 'select']);
  });
  for (const name of scripts) {
    it(name, async () => {
      const result = importFrom(FIXTURES, name);
      const problems = result.problems.map((p) => `${name}:${p.line}: ${p.message}\n`).join('');
      if (result.yaml === undefined) golden(join(EXPECTED, `${name}.problems.txt`), problems);
      else {
        expect(problems).toBe('');
        golden(join(EXPECTED, `${name}.yaml`), result.yaml);
        await expectShape(result);
      }
    });
  }
});

describe('every upstream imaptest script', () => {
  it('is there', () => {
    expect(UPSTREAM, 'shared/imaptest-scripts beside the repository').toBeDefined();
    expect(scriptsIn(UPSTREAM as string)).toHaveLength(72);
  });
  const names = UPSTREAM === undefined ? [] : scriptsIn(UPSTREAM);
  for (const name of names) {
    it(`${name}: a spec of the expected shape, or what it cannot express by line`, async () => {
      const result = importFrom(UPSTREAM as string, name);
      if (result.yaml === undefined) {
        expect(result.problems.length).toBeGreaterThan(0);
        for (const p of result.problems) expect(p.line).toBeGreaterThan(0);
      } else await expectShape(result);
    });
  }
});

describe('convospec import --from imaptest', () => {
  const out = mkdtempSync(join(tmpdir(), 'convospec-imaptest-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes one spec per script, names what it cannot express by file:line, and sums up (exit 1)', () => {
    const scripts = join(out, 'scripts');
    cpSync(FIXTURES, scripts, { recursive: true, filter: (path) => !path.includes('expected') });
    writeFileSync(join(scripts, 'broken'), 'sate: auth\n\nok noop\n!else\n');
    const written = join(out, 'specs');
    const run = spawnSync(process.execPath, [builtCli(), 'import', '--from', 'imaptest', scripts, '-o', written], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toContain(`${scripts}/broken:1: not expressible: unknown header "sate"\n${scripts}/broken:4: not expressible: !else without !ifenv or !ifnenv`);
    expect(run.stderr).toContain(`${scripts}/append-binary:20: a forbidden literal holding NUL is compared whole here`);
    expect(run.stderr).toContain(`imaptest: 8 written to ${written} (1 with warnings), 1 not expressible`);
    expect(run.status).toBe(1);
    expect(readdirSync(written).sort()).toEqual(scriptsIn(FIXTURES).map((name) => `${name}.yaml`).sort());
    for (const name of scriptsIn(FIXTURES)) expect(readFileSync(join(written, `${name}.yaml`), 'utf8')).toBe(readFileSync(join(EXPECTED, `${name}.yaml`), 'utf8'));
  });

  it('without --from imaptest, takes one transcript (exit 2)', () => {
    const run = spawnSync(process.execPath, [builtCli(), 'import', 'test/fixtures/imaptest/select', 'test/fixtures/imaptest/fetch'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toContain('import takes one transcript (or, with --from imaptest, scripts and folders)');
    expect(run.status).toBe(2);
  });

  it('needs -o DIR (exit 2)', () => {
    const run = spawnSync(process.execPath, [builtCli(), 'import', '--from', 'imaptest', 'test/fixtures/imaptest'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toContain('--from imaptest needs -o DIR');
    expect(run.status).toBe(2);
  });
});

describe('imaptest script constructs', () => {
  const MBOX = 'From a@b  Fri Feb 22 17:06:23 2008\nSubject: one\n\nbody1\n\nFrom a@b  Mon Mar  3 23:00:00 2008 +0200\nSubject: two\n\nbody2\n';
  const spec = (text: string, env: Record<string, string> = {}, mbox: string | undefined = MBOX): Doc => {
    const result = importImaptest({ name: 't', text, mbox }, { env });
    expect(result.problems).toEqual([]);
    return parseDoc(result.yaml as string);
  };
  const body = (doc: Doc): Step[] => doc.steps.slice(doc.steps.findIndex((s) => typeof s.c === 'string' && / SELECT /.test(s.c)) + 2);

  it('Method 1, 2 and 3: the status first, a completion line with a prefix, the script\'s own tags pipelined', () => {
    const doc = spec('state: auth\n\nok noop\nexamine $mailbox\n* 0 exists\nok [read-only]\nt1 create ${mailbox}2\nt2 create $mailbox\nt1 ok\nt2 no [alreadyexists]\n');
    expect(doc.steps.slice(-8, -2)).toEqual([
      { c: 'a4 noop' },
      { s: { imap: { tagged: 'OK' } } },
      { c: 'a5 examine ${mailbox}' },
      { s: { imap: { untagged: ['* 0 exists'], tagged: 'OK [read-only]' } } },
      { c: ['t1 create ${mailbox}2', 't2 create ${mailbox}'] },
      { s: { imap: { tagged: { t1: 'OK', t2: 'NO [alreadyexists]' } } } },
    ]);
  });

  it('deletes at its end the mailboxes it named beside the test mailbox, unless it logs out', () => {
    const doc = spec('state: auth\n\nok create ${mailbox}2\nok create $mailbox${sep}x\n');
    expect(doc.steps.slice(-6)).toEqual([
      { c: 'a8 DELETE "${mailbox}.x"' },
      { s: { status: ['OK', 'NO'] } },
      { c: 'a9 DELETE "${mailbox}/x"' },
      { s: { status: ['OK', 'NO'] } },
      { c: 'a10 DELETE "${mailbox}2"' },
      { s: { status: ['OK', 'NO'] } },
    ]);
    expect(spec('state: auth\n\nok create ${mailbox}2\nok logout\n* bye\n').steps.at(-1)).toEqual({ s: { imap: { untagged: ['* bye'], tagged: 'OK' } } });
  });

  it('`!` lines are forbidden, "" is any status, ignore_extra_untagged: no is extra: false, $$ is a $', () => {
    const doc = spec('ignore_extra_untagged: no\n\n"" store 1 flags ($$kw $uid1)\n! 1 expunge\n');
    expect(body(doc)).toEqual([{ c: 'a7 store 1 flags ($kw ${uid1})' }, { s: { imap: { forbid: ['* 1 expunge'], extra: false, tagged: '$' } } }]);
  });

  it('`?` lines (may come) are optional: patterns', () => {
    const doc = spec('ignore_extra_untagged: no\n\nok list "" *\n? list () $sep ${mailbox}x\n* list () $sep $mailbox\n');
    expect(body(doc)).toEqual([{ c: 'a7 list "" *' }, { s: { imap: { untagged: ['* list () $sep ${mailbox}'], optional: ['* list () $sep ${mailbox}x'], extra: false, tagged: 'OK' } } }]);
  });

  it('!ifenv is evaluated when importing, and said in a comment', () => {
    const text = 'state: auth\n\n!ifenv HAVE_FOO\nok foo\n!else\nok bar\n!endif\n';
    expect(spec(text, { HAVE_FOO: '1' }).steps.at(-2)).toEqual({ c: 'a3 foo' });
    const result = importImaptest({ name: 't', text, mbox: undefined }, { env: {} });
    expect(parseDoc(result.yaml as string).steps.at(-2)).toEqual({ c: 'a3 bar' });
    expect(result.yaml).toContain('# line 3: !ifenv HAVE_FOO: evaluated at import time (HAVE_FOO not set)');
  });

  it('messages: N wraps around the mbox; each APPEND is a literal of CRLF lines up to the next From line, dated by its From line', () => {
    const doc = spec('messages: 3\n\nok noop\n');
    const appends = doc.steps.filter((s) => typeof s.c === 'string' && / APPEND /.test(s.c));
    expect(appends.map((s) => s.c)).toEqual([
      'a4 APPEND ${mailbox} "22-Feb-2008 17:06:23 +0000" {25}',
      'a5 APPEND ${mailbox} " 3-Mar-2008 23:00:00 +0200" {23}',
      'a6 APPEND ${mailbox} "22-Feb-2008 17:06:23 +0000" {25}',
    ]);
    const i = doc.steps.indexOf(appends[0] as Step);
    // The empty line before the next From line is the message's, as imaptest appends it.
    expect(doc.steps.slice(i + 1, i + 3)).toEqual([{ s: { status: '+' } }, { c: ['Subject: one', '', 'body1', '', ''] }]);
    expect(Buffer.byteLength('Subject: one\r\n\r\nbody1\r\n\r\n')).toBe(25);
  });

  it('a From line that carries no date is a line of the message', () => {
    const doc = spec('messages: 1\n\nok noop\n', {}, 'From a@b  Fri Feb 22 17:06:23 2008\nSubject: x\n\nFrom me, hello\n');
    const i = doc.steps.findIndex((s) => typeof s.c === 'string' && / APPEND /.test(s.c));
    expect(doc.steps[i + 2]).toEqual({ c: ['Subject: x', '', 'From me, hello', ''] });
  });

  it('a {{{ literal in a reply pattern is the string the server sends: lines joined by CRLF (~{{{: LF, a CR written kept)', () => {
    const doc = spec('\nok fetch 1 body.peek[text]\n* 1 fetch (body[text] {{{\nbody1\n\n}}})\nok fetch 1 binary.peek[1]<5.2>\n* 1 fetch (binary[1]<5> ~{{{\n3\r\n\n}}})\n');
    expect(body(doc)).toEqual([
      { c: 'a7 fetch 1 body.peek[text]' },
      { s: { imap: { untagged: ['* 1 fetch (body[text] "body1\r\n")'], tagged: 'OK' } } },
      { c: 'a8 fetch 1 binary.peek[1]<5.2>' },
      { s: { imap: { untagged: ['* 1 fetch (binary[1]<5> "3\r\n")'], tagged: 'OK' } } },
    ]);
  });

  it('an imported pattern, loaded, matches the literal the server sends', async () => {
    const result = importImaptest({ name: 't', text: '\nok fetch 1 (flags body.peek[text])\n* 1 fetch (flags () body[text] {{{\nbody1\n\n}}})\n', mbox: MBOX }, { env: {} });
    const loaded = await loadYaml(result.yaml as string, ENV);
    expect(loaded.diagnostics).toEqual([]);
    const steps = loaded.suites[0]?.tests[0]?.steps ?? [];
    const last = steps[steps.length - 1];
    if (last?.kind !== 's') throw new Error('the last step is not s:');
    const reply = (body: string) => imap(`* 1 FETCH (FLAGS (\\Recent) BODY[TEXT] {${Buffer.byteLength(body)}}\r\n${body})`, 'a7 OK Fetch completed');
    expect(run(last.matcher, reply('body1\r\n'), scope(), 'imap').ok).toBe(true);
    expect(run(last.matcher, reply('body1\r\n\r\n'), scope(), 'imap').ok).toBe(false);
  });

  it('$tag is the command\'s tag; a variable inside a word is the value an earlier reply bound', () => {
    const doc = spec('\nok fetch 1:2 uid\n* 1 fetch (uid $uid1)\n* 2 fetch (uid $uid2)\nok uid search return (all) all\n* esearch (tag $tag) uid all $uid1:$uid2\n');
    expect(body(doc).slice(2)).toEqual([{ c: 'a8 uid search return (all) all' }, { s: { imap: { untagged: ['* esearch (tag a8) uid all ${uid1}:${uid2}'], tagged: 'OK' } } }]);
    const unbound = importImaptest({ name: 't', text: '\nok search all\n* search $a:$b\n', mbox: MBOX }, { env: {} });
    expect(unbound.problems[0]?.message).toMatch(/\$a inside a word or a string, not bound by an earlier reply/);
    // A `!` or `?` line binds nothing for later exchanges.
    const forbidden = importImaptest({ name: 't', text: '\nok fetch 1 uid\n! 1 fetch (uid $a)\n? 2 fetch (uid $b)\nok search all\n* search $a:$b\n', mbox: MBOX }, { env: {} });
    expect(forbidden.problems.map((p) => p.message)).toEqual([
      '$a inside a word or a string, not bound by an earlier reply (convospec binds a variable to a whole value)',
      '$b inside a word or a string, not bound by an earlier reply (convospec binds a variable to a whole value)',
    ]);
  });

  it('a {{{ literal waits for "+"; expected to fail, it is sent {N+} at once and the spec requires LITERAL+', () => {
    const doc = spec('\nok append $mailbox (\\seen) {{{\nA: b\n\nc\n}}}\nno append ${mailbox}x {{{\nd\n}}}\n');
    expect(body(doc)).toEqual([
      { c: 'a7 append ${mailbox} (\\seen) {9}' },
      { s: { status: '+' } },
      { c: ['A: b', '', 'c'] },
      { s: { imap: { tagged: 'OK' } } },
      { c: ['a8 append ${mailbox}x {1+}', 'd'] },
      { s: { imap: { tagged: 'NO' } } },
    ]);
    expect(doc.tags).toEqual(['imaptest', 'requires-literal+']);
  });

  it('a literal of bytes that are not text (~{{{ with NUL, 0xE4, bare LF) is sent as its exact bytes; a NUL literal in a pattern is compared as imaptest does', async () => {
    const script = Buffer.concat([
      Buffer.from('\nok append $mailbox ~{{{\nA: b\r\n\r\n'),
      Buffer.from([0x00, 0x2d, 0xe4]),
      Buffer.from('\n}}}\nok append $mailbox {{{\nx\0y\n}}}\nok fetch 1 binary.peek[1]\n* 1 fetch (binary[1] ~{{{\n\0z\n}}})\n! 1 fetch (binary[1] {{{\n\0z\n}}})\n'),
    ]);
    const result = importImaptest({ name: 't', text: script, mbox: MBOX }, { env: {} });
    expect(result.problems).toEqual([]);
    const doc = parseDoc(result.yaml as string);
    expect(body(doc)).toEqual([
      { c: 'a7 append ${mailbox} ~{11}' },
      { s: { status: '+' } },
      { send: { hex: '41 3a 20 62 0d 0a 0d 0a 00 2d e4' } },
      { c: '' },
      { s: { imap: { tagged: 'OK' } } },
      { c: 'a8 append ${mailbox} {3}' },
      { s: { status: '+' } },
      { send: 'x\0y' },
      { c: '' },
      { s: { imap: { tagged: 'OK' } } },
      { c: 'a9 fetch 1 binary.peek[1]' },
      { s: { imap: { untagged: ['* 1 fetch (binary[1] $)'], forbid: ['* 1 fetch (binary[1] "\0z")'], tagged: 'OK' } } },
    ]);
    expect(result.notes.map((n) => n.message)).toEqual([
      'a literal holding NUL is $ here (imaptest compares strings up to the NUL only, so it checks little more than that)',
      'a forbidden literal holding NUL is compared whole here (imaptest compares it up to the NUL only)',
    ]);
    expect((await loadYaml(result.yaml as string, ENV)).diagnostics).toEqual([]);
  });

  it('connections: N opens c1…cN, each logged in and selected, and switches with use', () => {
    const doc = spec('connections: 2\n\n1 ok noop\n2 ok noop\n');
    expect(doc.connect.as).toBe('c1');
    expect(doc.steps.filter((s) => s.connect !== undefined)).toEqual([{ connect: { port: '${env.IMAP_PORT:-143}', protocol: 'imap', as: 'c2' } }]);
    expect(doc.steps.filter((s) => typeof s.c === 'string' && / (LOGIN|SELECT) /.test(s.c))).toHaveLength(4);
    expect(doc.steps.slice(-6).map((s) => s.use ?? s.c)).toEqual(['c1', 'a9 noop', undefined, 'c2', 'a10 noop', undefined]);
  });

  it('capabilities: become tags requires-…, and a comment', () => {
    const result = importImaptest({ name: 't', text: 'capabilities: SORT THREAD=REFERENCES\nstate: nonauth\n\nok noop\n', mbox: undefined }, { env: {} });
    const doc = parseDoc(result.yaml as string);
    expect(doc.tags).toEqual(['imaptest', 'requires-sort', 'requires-thread=references']);
    expect(doc.steps.slice(0, 3)).toEqual([{ s: { status: 'OK' } }, { c: 'a1 noop' }, { s: { imap: { tagged: 'OK' } } }]);
    expect(result.yaml).toContain('# Needs the capabilities SORT THREAD=REFERENCES');
  });

  it('--capabilities: a script needing one the server lacks is written skipped, with the reason', () => {
    const text = 'capabilities: SORT CONTEXT=SORT\nstate: nonauth\n\nok noop\n';
    const skipped = parseDoc(importImaptest({ name: 't', text, mbox: undefined }, { env: {}, capabilities: ['IMAP4rev1', 'sort'] }).yaml as string);
    expect(skipped.tests[0]?.skip).toBe('the server does not advertise CONTEXT=SORT (imaptest skips the script too)');
    const kept = parseDoc(importImaptest({ name: 't', text, mbox: undefined }, { env: {}, capabilities: ['SORT', 'CONTEXT=SORT'] }).yaml as string);
    expect(kept.tests[0]?.skip).toBeUndefined();
  });

  it('$username, $domain and $mailbox_url are template functions of the user and the mailbox; user 2: $user2 logs connection 2 in as MAIL_USER2', () => {
    const text = 'state: auth\nconnections: 2\nuser 2: $user2\n\n1 ok genurlauth "imap://$username@$domain/$mailbox_url/;uid=1;urlauth=user+$user" internal\n* genurlauth $url\n2 ok urlfetch $url\n* urlfetch $url $\n';
    const result = importImaptest({ name: 't', text, mbox: undefined }, { env: {} });
    const doc = parseDoc(result.yaml as string);
    expect(doc.vars.user2).toBe('${env.MAIL_USER2:-}');
    expect(doc.steps.filter((s) => typeof s.c === 'string' && s.c.includes('LOGIN')).map((s) => s.c)).toEqual(['a1 LOGIN "${user}" "${pass}"', 'a3 LOGIN "${user2}" "${pass}"']);
    expect(doc.steps).toContainEqual({ c: 'a4 genurlauth "imap://${local_part(user)}@${domain(user)}/${imap_url_mailbox(mailbox)}/;uid=1;urlauth=user+${user}" internal' });
  });

  it('what cannot be expressed is named by line, and no spec is written', () => {
    const result = importImaptest({ name: 't', text: 'state: auth\nuser: x\n\nok select ${a-b}\nselect x\n* 1 fetch (uid $1:3)\n', mbox: undefined }, { env: {} });
    expect(result.yaml).toBeUndefined();
    expect(result.problems).toEqual([
      { line: 2, message: 'unknown header "user"' },
      { line: 5, message: 'a command with no completion line (ok, no, bad or "")' },
      { line: 4, message: '"${a-b}" in a command' },
      { line: 5, message: "imaptest's $1 (a sequence number of the command) inside a word or a string has no convospec equivalent" },
    ]);
  });
});
