/**
 * What the command says when convospec itself fails (format §8): one line naming it an
 * internal error and what to report, exit 2. The stack only when asked (`--verbose`, or
 * CONVOSPEC_DEBUG=1): it helps a report, and means nothing to someone checking a spec.
 * Secrets stay out: an `InternalError` is redacted where it was made (the loader knows the
 * spec's secrets), and every `--var` value is masked here, since any may be a secret.
 */
import { InternalError } from '../kernel/internal-error.js';
import { Redactor } from '../template/index.js';

export const REPORT_WHAT = 'the command line, the output of `convospec --version`, and the spec files it read, with their secrets replaced';

export interface InternalErrorOptions {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The lines to print for `error`, ending with a newline. */
export function internalErrorText(error: unknown, options: InternalErrorOptions): string {
  const redactor = new Redactor();
  for (const value of varValues(options.argv)) redactor.add(value);
  const internal = InternalError.from(error, (text) => redactor.redact(text));
  const message = redactor.redact(internal.message);
  const head = `convospec: internal error: ${message} (please report it, with ${REPORT_WHAT})\n`;
  if (!wantsStack(options)) return `${head}convospec: run with CONVOSPEC_DEBUG=1 or --verbose to see where it happened\n`;
  return `${head}${redactor.redact(internal.detail)}\n`;
}

function wantsStack(options: InternalErrorOptions): boolean {
  const debug = options.env.CONVOSPEC_DEBUG;
  return (debug !== undefined && debug !== '' && debug !== '0') || options.argv.includes('--verbose');
}

/** The values of `--var NAME=VALUE` and `--var=NAME=VALUE`, read from the raw command line. */
function varValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  argv.forEach((arg, i) => {
    const pair = arg === '--var' ? argv[i + 1] : arg.startsWith('--var=') ? arg.slice('--var='.length) : undefined;
    const at = pair?.indexOf('=') ?? -1;
    if (pair !== undefined && at > 0) out.push(pair.slice(at + 1));
  });
  return out;
}
