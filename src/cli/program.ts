/**
 * The command line: commander parses, commands do the work. Parse errors are exit 2.
 */
import { Command, CommanderError, Option } from 'commander';
import { EXIT, UsageError, type Io } from './io.js';
import type { RunFlags } from './commands/run.js';
import type { ImportFlags } from './commands/import.js';
import type { RecordFlags } from './commands/record.js';
import type { ServeFlags } from './commands/serve.js';
import { REPORTERS, type ReportRequest } from '../report/registry.js';
import type { ReportFlag, ReporterMap } from '../report/types.js';
import { VERSION } from './version.js';
import { PROTOCOL_NAMES } from '../protocol/registry.js';
import { internalErrorText } from './internal-error.js';

// Each command is imported when it runs: `demo` alone pulls in an SMTP server and X.509
// code, which would cost every `run` and `validate` ~200 ms of start-up (docs/load.md).

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The registry's protocols, as help says them: `smtp, lmtp, … or line`. */
const PROTOCOL_LIST = `${PROTOCOL_NAMES.slice(0, -1).join(', ')} or ${PROTOCOL_NAMES.at(-1) ?? ''}`;

/** What commander hands a `run` or `demo` action: the report flags still by their own names. */
type RunOptions = Omit<RunFlags, 'reports'>;

/** A report flag of the map as a commander option: `--junit <file>`, or a switch, `--github`. */
const reportOption = (flag: ReportFlag): Option =>
  new Option(flag.argument !== undefined ? `${flag.name} <${flag.argument}>` : flag.name, flag.help);

/**
 * The reporters asked for: `--junit out.xml` → `paths: { junit: 'out.xml' }`; `--github`,
 * or `GITHUB_ACTIONS=true` for the entry that names it → `on: ['github']`.
 */
function reportRequest(options: RunOptions, reporters: ReporterMap, env: Io['env']): ReportRequest {
  const given: Readonly<Record<string, unknown>> = options;
  const paths: Record<string, string> = {};
  const on: string[] = [];
  for (const [name, def] of Object.entries(reporters)) {
    const value = def.flag !== undefined ? given[reportOption(def.flag).attributeName()] : undefined;
    if (typeof value === 'string') paths[name] = value;
    else if (value === true || (def.env !== undefined && env[def.env.name] === def.env.value)) on.push(name);
  }
  return { reporters, paths, on };
}

function addRunOptions(command: Command, reporters: ReporterMap): Command {
  for (const def of Object.values(reporters)) if (def.flag !== undefined) command.addOption(reportOption(def.flag));
  return command
    .option('--var <name=value>', 'set a variable (repeatable); beats the spec\'s vars', collect, [])
    .option('--env-file <file>', 'read environment variables from a .env file (the real environment wins)')
    .option('--grep <regex>', 'run only tests whose "suite › test" name matches')
    .option('--tag <tag>', 'run only tests with this tag (repeatable)', collect, [])
    .option('--list', 'list the selected tests and exit')
    .option('--timeout <duration>', 'default wait for each reply, for steps that set none (e.g. 5s)')
    .option('--concurrency <n>', 'tests run at once', '8')
    .option('--bail', 'stop after the first failing test')
    .option('--insecure', 'do not verify TLS certificates (still reported as `authorized`)')
    .option('--ca <file>', 'also trust this CA (PEM) in every TLS handshake (repeatable)', collect, [])
    .option('--servername <name>', 'the server name of every TLS handshake (SNI, and the name the certificate must hold), over the spec\'s: for a server reached at another address')
    .option('--verbose', 'print every transcript')
    .option('--repeat <n>', 'load mode: run each test n times (docs/load.md)')
    .option('--duration <duration>', 'load mode: start sessions for this long (e.g. 30s)')
    .option('--rate <r/s>', 'load mode: start at most r sessions per second (e.g. 50/s)')
    .option('--threshold <expr>', 'load mode: fail the run unless this holds (repeatable), e.g. p99<800ms, failed<1%, "EHLO: p95<500ms"', collect, [])
    .option('--shard <i/n>', 'run the i-th of n deterministic parts of the selected tests (1-based); auto/n: i from a Kubernetes Indexed Job\'s JOB_COMPLETION_INDEX')
    .option('--update', 'rewrite in place each s: whose reply differed, with what came (docs/format.md, Updating specs)')
    .addOption(new Option('--color', 'force colours').conflicts('noColor'))
    .addOption(new Option('--no-color', 'no colours'));
}

/** `reporters`: the reporter map the report flags and the reports come from. */
export async function runCli(argv: readonly string[], io: Io, reporters: ReporterMap = REPORTERS): Promise<number> {
  const program = new Command('convospec')
    .description(`Declarative conversation tests for line protocols: ${PROTOCOL_LIST}`)
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(run `convospec --help` for usage)');

  let code: number = EXIT.ok;

  program
    .command('validate')
    .description('check spec files and print every error with file:line:col')
    .argument('[paths...]', 'files, directories or globs', ['.'])
    .option('--var <name=value>', 'a variable given at run time (counts as known)', collect, [])
    .action(async (paths: string[], flags: { var: string[] }) => {
      const { validateCommand } = await import('./commands/validate.js');
      code = await validateCommand(paths, flags, io);
    });

  addRunOptions(
    program
      .command('run')
      .description('run specs against servers')
      .argument('[paths...]', 'files, directories or globs', ['.']),
    reporters,
  ).action(async (paths: string[], options: RunOptions) => {
    const { runCommand } = await import('./commands/run.js');
    code = await runCommand(paths, { ...options, reports: reportRequest(options, reporters, io.env) }, io);
  });

  addRunOptions(
    program
      .command('demo')
      .description('start the embedded demo mail servers and run specs against them')
      .argument('[paths...]', 'files, directories or globs', ['examples']),
    reporters,
  ).action(async (paths: string[], options: RunOptions) => {
    const { demoCommand } = await import('./commands/demo.js');
    code = await demoCommand(paths, { ...options, reports: reportRequest(options, reporters, io.env) }, io);
  });

  // The reporters that write a file or a folder, and those always on (the console); `--github`
  // is `run`'s (the shards annotated their own failures).
  const mergeable: ReporterMap = Object.fromEntries(Object.entries(reporters).filter(([, def]) => def.flag === undefined || def.flag.argument !== undefined));
  const merge = program
    .command('merge')
    .description('merge the JSON reports of shards (--shard i/n) or machines into one run\'s reports (docs/reports.md)')
    .argument('<reports...>', 'JSON reports written by run --json');
  for (const def of Object.values(mergeable)) if (def.flag !== undefined) merge.addOption(reportOption(def.flag));
  merge
    .option('--threshold <expr>', 'load reports: fail unless this holds over the merged run (repeatable), e.g. p99<800ms', collect, [])
    .addOption(new Option('--color', 'force colours').conflicts('noColor'))
    .addOption(new Option('--no-color', 'no colours'))
    .action(async (files: string[], options: RunOptions) => {
      const { mergeCommand } = await import('./commands/merge.js');
      const flags = { reports: reportRequest(options, mergeable, {}), threshold: options.threshold ?? [], ...(options.color !== undefined ? { color: options.color } : {}) };
      code = await mergeCommand(files, flags, io);
    });

  const serve = program
    .command('serve')
    .description('play the server side of specs, to test mail clients: listen on each connect address, one test per client connection')
    .argument('[paths...]', 'files, directories or globs', ['.']);
  for (const def of Object.values(reporters)) if (def.flag !== undefined) serve.addOption(reportOption(def.flag));
  serve
    .option('--var <name=value>', 'set a variable (repeatable); beats the spec\'s vars', collect, [])
    .option('--grep <regex>', 'serve only tests whose "suite › test" name matches')
    .option('--tag <tag>', 'serve only tests with this tag (repeatable)', collect, [])
    .option('--timeout <duration>', 'default wait for each client line, for steps that set none (e.g. 5s)')
    .option('--verbose', 'print every transcript')
    .option('--repeat <n>', 'play each test n times, with load statistics (docs/load.md)')
    .option('--loop', 'play the tests again and again until Ctrl-C')
    .option('--accept-timeout <duration>', 'end when no client connects for this long; the tests not played fail', '30s')
    .option('--ca-out <file>', 'write the PEM of the CA that signs the certificate made at start-up')
    .addOption(new Option('--color', 'force colours').conflicts('noColor'))
    .addOption(new Option('--no-color', 'no colours'))
    .action(async (paths: string[], options: Omit<ServeFlags, 'reports'>) => {
      const { serveCommand } = await import('./commands/serve.js');
      code = await serveCommand(paths, { ...options, reports: reportRequest(options as unknown as RunOptions, reporters, io.env) }, io);
    });

  program
    .command('schema')
    .description('print the path of the JSON Schema (for editors)')
    .action(async () => {
      const { schemaCommand } = await import('./commands/schema.js');
      code = schemaCommand(io);
    });

  program
    .command('import')
    .description('turn a transcript (c:/s: lines, swaks output, telnet log), or imaptest scripts, into specs')
    .argument('<files...>', 'the transcript ("-" for standard input); with --from imaptest, scripts and folders of scripts')
    .option('-o, --output <file>', 'write the spec here instead of standard output; with --from imaptest, the folder for the specs')
    .option('--from <source>', 'transcript (default) or imaptest (Dovecot imaptest scripted tests)')
    .option('--capabilities <list>', 'with --from imaptest: the server\'s capabilities; a script needing another is written skipped')
    .option('--name <name>', 'the suite name')
    .option('--protocol <protocol>', `${PROTOCOL_LIST} (default: detected)`)
    .option('--format <format>', 'prefixed, swaks or telnet (default: detected)')
    .option('--host <host>', 'host to write into the spec (may be a template; default ${env.MAIL_HOST:-127.0.0.1})')
    .option('--port <port>', 'port to write into the spec (default: from the transcript)')
    .action(async (files: string[], flags: ImportFlags) => {
      const { importFrom } = await import('./commands/import.js');
      code = await importFrom(files, flags, io, io.env);
    });

  program
    .command('record')
    .description('a recording proxy: a client talks through it to a server, and what passed becomes a spec')
    .option('--listen <host:port>', 'where clients connect (port 0: any free port; printed as "listening on HOST:PORT")')
    .option('--to <host:port>', 'the server to record; the spec connects there')
    .option('--protocol <protocol>', `${PROTOCOL_LIST} (default: from the greeting or the port)`)
    .option('--tls', 'TLS right at connect, on both sides (SMTPS, IMAPS, POP3S)')
    .option('--cert <file>', 'certificate (PEM) shown to clients; default: one made at start-up for --servername')
    .option('--key <file>', 'its private key (PEM)')
    .option('--ca-out <file>', 'write the CA of the certificate made at start-up here, for the client to trust')
    .option('--ca <file>', 'also trust this CA (PEM) for the server\'s certificate; written into the spec')
    .option('--servername <name>', 'the name the server\'s certificate must hold (and the name of the made certificate)')
    .option('--insecure', 'do not verify the server\'s certificate (the spec says verify: false)')
    .option('--connections <n>', 'client connections to record, one test each', '1')
    .option('-o, --output <file>', 'write the spec here instead of standard output')
    .option('--name <name>', 'the suite name')
    .action(async (flags: RecordFlags) => {
      const { recordCommand } = await import('./commands/record.js');
      code = await recordCommand(flags, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`convospec: ${error.message}\n`);
      return EXIT.invalid;
    }
    // Anything else is a bug of ours: said as one (format §8), never as a crash.
    io.stderr.write(internalErrorText(error, { argv, env: io.env }));
    return EXIT.invalid;
  }
  return code;
}
