/**
 * The loader's one entry: paths, directories and globs → checked, typed suites, or
 * diagnostics a person can act on. A pipeline of stages, each in its own file:
 *   inputs.ts (what to read) → yaml.ts (parse, positions kept) → schema.ts + schema-errors.ts
 *   (shape, in the user's words) → build.ts/steps.ts/… (the model; context-free checks)
 *   → semantics.ts (variables, connections, protocols).
 * I/O happens only here and in inputs.ts, through functions that can be replaced.
 */
import { readdirSync, statSync } from 'node:fs';
import { FILE_LIMITS, fileProblem, readBoundedSync, readProblem, tooLarge, type FileKind, type FileProblem } from './bounded-file.js';
import { dirname, resolve } from 'node:path';
import { SuiteBuilder } from './build.js';
import { ConnectBuilder } from './connect.js';
import type { Diagnostic } from '../kernel/diagnostic.js';
import { displayPath } from '../kernel/path.js';
import { expandInputs, type InputFs } from './inputs.js';
import { Matchers } from './matcher.js';
import { BuildNotes } from './notes.js';
import type { Suite } from '../kernel/model.js';
import { rootNode, type YNode } from './nodes.js';
import { Patterns } from './patterns.js';
import { rejectedParts, type Rejected } from './rejected.js';
import { compiledSchema, matchesSchema } from './schema.js';
import { explainSchemaErrors } from './schema-errors.js';
import { literalSecretsIn, orderSecrets, shortSecretWarnings } from './secrets.js';
import { checkFragment, checkSuite } from './semantics.js';
import { Sink } from './sink.js';
import { SourceFile } from './source.js';
import { StepBuilder, type FragmentFile, type StepEnv, type StepFiles } from './steps.js';
import { Templates } from './templates.js';
import { TlsBuilder } from './tls.js';
import { parseYaml } from './yaml.js';
import { InternalError } from '../kernel/internal-error.js';
import { Redactor } from '../template/index.js';

export interface LoadOptions {
  readonly cwd: string;
  /** `--var NAME=VALUE`: known everywhere, beating the spec's own `vars`. */
  readonly vars: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Report `${env.NAME}` without a default when `env` lacks NAME (format §7: the run stops
   * before anything connects). Default true (for `run`); `validate` turns it off.
   */
  readonly checkEnv?: boolean;
  /** Reads a file as UTF-8; throws if it cannot. Default: the file system. */
  readonly readFile?: (path: string) => string;
  /** Says what is at a path, and lists folders. Default: the file system. */
  readonly fs?: InputFs;
  /**
   * Why a file a spec names (`data: {file}`, TLS `ca`/`cert`/`key`) cannot be read, or
   * undefined when it can. Default: the file system (`fileProblem`), unless `readFile` is
   * given: files read from elsewhere are not looked for on the disk.
   */
  readonly checkFile?: (path: string, kind: FileKind) => FileProblem | undefined;
}

export interface LoadResult {
  /** The spec files that are valid, in input order (the invalid ones are in `diagnostics`). */
  readonly suites: Suite[];
  /** Display paths of the fragment files among the inputs (checked, not runnable). */
  readonly fragments: string[];
  /** Display paths of YAML files a folder or glob reached that are no spec nor fragment (see `isOurs`). */
  readonly skipped: string[];
  /** Every problem of every file, sorted by file, line and column. */
  readonly diagnostics: Diagnostic[];
  /** Display path → text of every file read (for code frames). */
  readonly sources: Map<string, string>;
  /**
   * Literal values of secret variables (and the defaults of `${env.X:-…}` in them) as
   * written in the specs: redact these from code frames and any other output.
   */
  readonly secretLiterals: string[];
  /** The same, by the display path of the file that declares them (see `fileRedactor`). */
  readonly secretLiteralsByFile: ReadonlyMap<string, readonly string[]>;
  /** Warnings (`severity: 'warning'`) of the valid spec files: shown, never failing the load. */
  readonly warnings: Diagnostic[];
}

/**
 * Every file loaded and checked, with the whole result kept (what `run` needs). Built on
 * `loadEach`: it keeps what the visitor is told.
 */
export async function loadSpecs(inputs: readonly string[], options: LoadOptions): Promise<LoadResult> {
  const suites: Suite[] = [];
  const fragments: string[] = [];
  const skipped: string[] = [];
  const found: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const warnings: Diagnostic[] = [];
  const { secretLiterals, secretLiteralsByFile } = await loadEach(inputs, options, {
    read: (display, text) => sources.set(display, text),
    suite: (suite) => suites.push(suite),
    fragment: (display) => fragments.push(display),
    skipped: (display) => skipped.push(display),
    problems: (list) => {
      for (const d of list) found.push(d);
    },
    warnings: (list) => {
      for (const d of list) warnings.push(d);
    },
  });
  return { suites, fragments, skipped, diagnostics: finishDiagnostics(found), sources, secretLiterals, secretLiteralsByFile, warnings };
}

/**
 * What `loadEach` tells its caller, one input file at a time. A caller keeps what it needs
 * and lets the rest go: `validate` keeps diagnostics and counts, so its memory does not
 * grow with the number of specs.
 */
export interface LoadVisitor {
  /** A file was read (an input, or a file an `include` names): once per file, in reading order. */
  read?(display: string, text: string): void;
  /** An input that is a valid spec file, built. */
  suite?(suite: Suite): void;
  /** An input that is a fragment file, checked (not runnable). */
  fragment?(display: string): void;
  /** An input a folder or glob reached that is YAML but no spec nor fragment: left alone. */
  skipped?(display: string): void;
  /**
   * Problems, in the order found; pass all of them, once all files are done, through
   * `finishDiagnostics`. `source` gives the text of a file they point into (the input
   * just loaded, or a fragment), during this call only: keep the lines code frames need.
   */
  problems?(found: readonly Diagnostic[], source: (display: string) => string | undefined): void;
  /** Warnings about a valid spec file (`severity: 'warning'`), in order; `source` as for `problems`. */
  warnings?(found: readonly Diagnostic[], source: (display: string) => string | undefined): void;
}

export interface LoadSummary {
  /** As `LoadResult.secretLiterals`: known only once every file is read. */
  readonly secretLiterals: string[];
  readonly secretLiteralsByFile: ReadonlyMap<string, readonly string[]>;
}

/**
 * The loader, streaming: each input file is read, checked and handed to `visitor` before
 * the next one is read; the loader itself keeps only fragments (one copy each) and the
 * secrets found. Same checks, same diagnostics as `loadSpecs`.
 */
export async function loadEach(inputs: readonly string[], options: LoadOptions, visitor: LoadVisitor): Promise<LoadSummary> {
  const cwd = resolve(options.cwd);
  const expanded = await expandInputs(inputs, cwd, options.fs ?? nodeFs);
  const loader = new Loader(cwd, options, expanded.files, expanded.named, visitor);
  if (expanded.diagnostics.length > 0) visitor.problems?.(expanded.diagnostics, () => undefined);
  expanded.files.forEach((path, index) => {
    const found: Diagnostic[] = [];
    let loaded: Loaded;
    try {
      loaded = loader.input(path, index, found);
    } catch (error) {
      // A bug of ours, never a problem of the spec: said as one, without the secrets read so far.
      throw InternalError.from(error, secretsRedactor([...loader.secrets, ...Object.values(options.vars)]));
    }
    if (loaded?.kind === 'suite') visitor.suite?.(loaded.suite);
    else if (loaded?.kind === 'fragment') visitor.fragment?.(loaded.display);
    else if (loaded?.kind === 'skipped') visitor.skipped?.(loaded.display);
    if (found.length > 0) visitor.problems?.(found, (display) => loader.textOf(display));
    loader.done(path);
  });
  return { secretLiterals: orderSecrets(loader.secrets), secretLiteralsByFile: loader.secretsByFile };
}

function secretsRedactor(secrets: readonly string[]): (text: string) => string {
  const redactor = new Redactor();
  for (const secret of secrets) redactor.add(secret);
  return (text) => redactor.redact(text);
}

/** The problems a visitor was given, as `LoadResult.diagnostics`: each once, sorted by file, line and column. */
export function finishDiagnostics(found: readonly Diagnostic[]): Diagnostic[] {
  return sortDiagnostics(dedupe(found));
}

/** The literal secret values of a load result (also in `result.secretLiterals`). */
export function literalSecrets(result: LoadResult): string[] {
  return result.secretLiterals;
}

interface ReadFile {
  readonly src: SourceFile;
  /**
   * The document, when it parsed and passed the schema (or failed it only inside steps or
   * tests: see `rejected`); dropped once a spec file is built (only fragments are read again).
   */
  root?: YNode;
  /** The parts the schema rejected, when the rest of the file can still be checked. */
  readonly rejected?: Rejected;
  readonly isFragment: boolean;
  /** Whether the file looks like a spec or fragment at all (`isOurs`). */
  readonly ours: boolean;
  /** Problems of the file itself (YAML, schema), or of reading it. */
  readonly problems: Diagnostic[];
  /** Whether `problems` were already put into the output. */
  reported: boolean;
  readonly unreadable?: FileProblem;
}

type Loaded = { kind: 'suite'; suite: Suite } | { kind: 'fragment' | 'skipped'; display: string } | undefined;

class Loader implements StepFiles {
  readonly secrets = new Set<string>();
  /** Display path → the literal secrets that file declares. */
  readonly secretsByFile = new Map<string, string[]>();
  /**
   * Files read and still held: fragments (and files named by an `include`) for good, an
   * input until it is done (see `done`).
   */
  private readonly files = new Map<string, ReadFile>();
  /** Display path → text of the files held, for the visitor's code frames. */
  private readonly texts = new Map<string, string>();
  /** Absolute path of each input → its place in the input order. */
  private readonly inputs = new Map<string, number>();
  /** The place of the input being loaded. */
  private current = 0;
  private readonly notes = new BuildNotes();
  private readonly steps: StepBuilder;
  private readonly suites: SuiteBuilder;
  private readonly cliVars: ReadonlySet<string>;
  /**
   * `--var` values by name, with no prototype: a spec's name (`secrets: [constructor]`) is
   * looked up in it, and must find only a `--var`, never an Object member.
   */
  private readonly cliValues: Readonly<Record<string, string>>;
  /** Absolute path and kind → its problem (null when none): a file named by every test is checked once. */
  private readonly checked = new Map<string, FileProblem | null>();

  constructor(
    private readonly cwd: string,
    private readonly options: LoadOptions,
    inputs: readonly string[],
    private readonly named: ReadonlySet<string>,
    private readonly visitor: LoadVisitor,
  ) {
    inputs.forEach((path, index) => this.inputs.set(path, index));
    const templates = new Templates({ env: options.env, checkEnv: options.checkEnv ?? true }, this.notes);
    const patterns = new Patterns(templates);
    const tls = new TlsBuilder(templates, patterns, this);
    const connects = new ConnectBuilder(templates, tls, this.notes);
    this.steps = new StepBuilder(templates, new Matchers(patterns, this.notes, templates), tls, connects, this, this.notes);
    this.cliVars = new Set(Object.keys(options.vars));
    this.cliValues = Object.assign(Object.create(null) as Record<string, string>, options.vars);
    this.suites = new SuiteBuilder(this.steps, connects, this.cliVars);
  }

  input(path: string, index: number, out: Diagnostic[]): Loaded {
    this.current = index;
    const file = this.read(path);
    const sink = new Sink(out);
    if (file.unreadable !== undefined) {
      sink.error(file.unreadable.code, { file: file.src.display, line: 1, col: 1, endLine: 1, endCol: 1 }, file.unreadable.message);
      return undefined;
    }
    // Other YAML in a folder (docker-compose.yml, a CI file) is none of ours: left alone.
    if (!file.ours && !this.named.has(path)) return { kind: 'skipped', display: file.src.display };
    if (!file.reported) {
      file.reported = true;
      sink.add(file.problems);
    }
    if (!file.root) return undefined;
    if (file.rejected) return this.checkRest(file, file.root, path, file.rejected, out);
    return this.check(file, file.root, path, sink);
  }

  private check(file: ReadFile, root: YNode, path: string, sink: Sink, rejected?: Rejected): Loaded {
    const check = { cliVars: this.cliVars, notes: this.notes };
    const only = rejected ? { rejected } : {};
    if (file.isFragment) {
      const env: StepEnv = { tlsLayers: [], connectLayers: [], includeStack: [path], sink, budget: { includes: 0 }, ...only };
      checkFragment(this.steps.fragment({ root, display: file.src.display, baseDir: file.src.baseDir }, env), sink, check);
      return { kind: 'fragment', display: file.src.display };
    }
    const suite = this.suites.build({ root, path, display: file.src.display, baseDir: file.src.baseDir, ...only }, sink);
    delete file.root;
    checkSuite(suite, sink, check);
    if (sink.failed) return undefined;
    this.warnSecrets(suite, root);
    return { kind: 'suite', suite };
  }

  /**
   * The later checks of a file that failed the schema, over the parts it did not reject.
   * Its problems are already out; such a file is never runnable (nor a listed fragment).
   * The builders skip what the schema rejected (`Rejected`): should one throw all the same,
   * that is a bug, and it surfaces as one (`loadEach`), not as a shorter list of problems.
   */
  private checkRest(file: ReadFile, root: YNode, path: string, rejected: Rejected, out: Diagnostic[]): Loaded {
    try {
      this.check(file, root, path, new Sink(out), rejected);
    } finally {
      delete file.root;
    }
    return undefined;
  }

  /**
   * An input is done: forget it, unless it is a fragment (other files may include it). A
   * spec file that an `include` names later is read again (only to say it is no fragment).
   */
  done(path: string): void {
    const file = this.files.get(path);
    if (!file || file.isFragment) return;
    this.files.delete(path);
    this.texts.delete(file.src.display);
  }

  /** The text of a file held now (see `LoadVisitor.problems`). */
  textOf(display: string): string | undefined {
    return this.texts.get(display);
  }

  fragment(path: string, at: YNode, sink: Sink, inside: Sink): FragmentFile | undefined {
    const file = this.read(path);
    if (file.unreadable !== undefined) {
      sink.error(file.unreadable.code, at.span(), `cannot include \`${at.str()}\`: ${file.unreadable.message}`);
      return undefined;
    }
    if (file.problems.length > 0) {
      // Its own problems say what is wrong with it (once, with this include trail unless it is an input).
      if (!file.reported && !this.inputs.has(path)) {
        file.reported = true;
        inside.add(file.problems);
      }
      sink.fail();
      return undefined;
    }
    if (!file.isFragment || !file.root) {
      sink.error('include-not-fragment', at.span(), `\`${at.str()}\` is not a fragment`, 'a file for `include` starts with `fragment: <what its steps do>`');
      return undefined;
    }
    return { root: file.root, display: file.src.display, baseDir: file.src.baseDir };
  }

  displayOf(path: string): string {
    return displayPath(path, this.cwd);
  }

  fileProblem(path: string, kind: FileKind): FileProblem | undefined {
    const key = `${kind}:${path}`;
    let problem = this.checked.get(key);
    if (problem === undefined) {
      const check = this.options.checkFile ?? (this.options.readFile ? noProblem : fileProblem);
      problem = check(path, kind) ?? null;
      this.checked.set(key, problem);
    }
    return problem ?? undefined;
  }

  private read(path: string): ReadFile {
    const cached = this.files.get(path);
    if (cached) return cached;
    const display = this.displayOf(path);
    let text: string;
    try {
      // Before parsing: a spec is read whole, and parsing holds several times its size. The
      // default reader stops at the limit itself; an injected one is held to it here.
      const read = this.options.readFile;
      text = read ? read(path) : readUtf8(path);
      if (read && (text.length > FILE_LIMITS.spec || Buffer.byteLength(text) > FILE_LIMITS.spec)) throw tooLarge('spec');
    } catch (e) {
      const file: ReadFile = { src: new SourceFile(path, display, dirname(path), ''), isFragment: false, ours: true, problems: [], reported: true, unreadable: readProblem(e) };
      this.files.set(path, file);
      return file;
    }
    this.texts.set(display, text);
    // Once per file: an input read again (after `done`, for an `include`) was told already.
    const order = this.inputs.get(path);
    if (order === undefined || order >= this.current) this.visitor.read?.(display, text);
    const src = new SourceFile(path, display, dirname(path), text);
    const file = this.parse(src);
    this.files.set(path, file);
    return file;
  }

  /** Secrets known to be short when the spec loads (docs/format.md §7). */
  private warnSecrets(suite: Suite, root: YNode): void {
    if (!this.visitor.warnings || suite.secrets.length === 0) return;
    const items = (root.get('secrets')?.items() ?? []).map((item) => ({ name: item.str(), span: item.span() }));
    const found = shortSecretWarnings(suite, items, { cliVars: this.options.vars, env: this.options.env });
    if (found.length > 0) this.visitor.warnings(found, (display) => this.textOf(display));
  }

  private addSecrets(display: string, found: string[]): void {
    if (found.length === 0) return;
    for (const secret of found) this.secrets.add(secret);
    this.secretsByFile.set(display, found);
  }

  private parse(src: SourceFile): ReadFile {
    const yaml = parseYaml(src);
    if (!yaml.ok) {
      // The code frames of a broken file show its lines: hide what secrets can still be read.
      this.addSecrets(src.display, literalSecretsIn(yaml.partial, this.cliValues));
      // Nothing readable: it cannot be told from a spec, so it is reported.
      const ours = yaml.partial === undefined || isOurs(yaml.partial);
      return { src, isFragment: false, ours, problems: yaml.diagnostics, reported: false };
    }
    this.addSecrets(src.display, literalSecretsIn(yaml.data, this.cliValues));
    const root = rootNode(src, yaml.tree);
    const isFragment = root.kind === 'map' && root.has('fragment');
    const ours = isOurs(yaml.data);
    if (!matchesSchema(yaml.data)) {
      const problems = explainSchemaErrors(compiledSchema(), root, yaml.data);
      const rejected = rejectedParts(root, problems);
      return rejected ? { src, root, isFragment, ours, problems, reported: false, rejected } : { src, isFragment, ours, problems, reported: false };
    }
    return { src, root, isFragment, ours, problems: [], reported: false };
  }
}

const nodeFs: InputFs = {
  kind(path) {
    try {
      const s = statSync(path);
      // Anything else that is there is a file to read: reading says why it cannot be (a FIFO, a device).
      return s.isDirectory() ? 'dir' : 'file';
    } catch {
      return undefined;
    }
  },
  list(dir) {
    return readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, dir: d.isDirectory() }));
  },
};

/**
 * The top-level keys that make a YAML file ours: those of a spec or fragment that other YAML
 * does not use at its top (`name`, `version`, `description` and `tags` are everyone's). A
 * file a folder run reaches without any of them (docker-compose.yml, a Kubernetes manifest,
 * a list) is skipped; one with any of them is checked strictly, so a spec with a typo or a
 * missing `steps` is reported, not skipped.
 */
const SPEC_KEYS = ['tests', 'steps', 'fragment', 'connect', 'tls', 'vars', 'secrets'] as const;

function isOurs(data: unknown): boolean {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return false;
  return SPEC_KEYS.some((key) => Object.hasOwn(data, key));
}

const noProblem = (): undefined => undefined;

function readUtf8(path: string): string {
  return readBoundedSync(path, 'spec').toString('utf8');
}


/** The same problem reached twice (a fragment included from several tests): keep the shortest include trail. */
function dedupe(list: readonly Diagnostic[]): Diagnostic[] {
  const best = new Map<string, { d: Diagnostic; index: number }>();
  list.forEach((d, index) => {
    const key = `${d.span.file}:${d.span.line}:${d.span.col}:${d.message}`;
    const seen = best.get(key);
    if (!seen) best.set(key, { d, index });
    else if ((d.includedFrom?.length ?? 0) < (seen.d.includedFrom?.length ?? 0)) best.set(key, { d, index: seen.index });
  });
  return [...best.values()].sort((a, b) => a.index - b.index).map((x) => x.d);
}

function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => (a.span.file < b.span.file ? -1 : a.span.file > b.span.file ? 1 : a.span.line - b.span.line || a.span.col - b.span.col));
}
