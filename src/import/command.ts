/**
 * Shell commands that open the connection a transcript shows (`telnet host 25`,
 * `openssl s_client -connect host:465`, `swaks --server host:587`, `nc -C host 25`): where
 * they connect, and whether TLS starts at once or by the tool's own STARTTLS.
 */
import { PROTOCOLS } from '../protocol/registry.js';
import type { ConnectTarget, ProtocolName } from './types.js';

/** Port names telnet and nc accept in place of a number (/etc/services). */
const SERVICE_PORTS: Readonly<Record<string, number>> = {
  smtp: 25,
  submission: 587,
  smtps: 465,
  submissions: 465,
  lmtp: 24,
  imap: 143,
  imap2: 143,
  imaps: 993,
  pop3: 110,
  'pop-3': 110,
  pop3s: 995,
};

/** `openssl s_client -starttls NAME` → the protocol (each protocol's `import.opensslStarttls`). */
const STARTTLS_PROTOCOLS: ReadonlyMap<string, ProtocolName> = new Map(
  Object.values(PROTOCOLS).flatMap((def) => def.import.opensslStarttls.map((name) => [name, def.name] as const)),
);

type CommandParser = (args: readonly string[]) => ConnectTarget | undefined;

/** A shell prompt (`$ `, `# `, `user@box:~$ `) before a command. */
const PROMPT = /^\s*(?:\S*[$#%]\s+)/;

const TOOL = /^\s*(?:\S*[$#%]\s+)?(telnet|openssl|swaks|nc|ncat|netcat)(?:\s+(.*))?$/;

export function hasPrompt(text: string): boolean {
  return PROMPT.test(text);
}

/** The connection a command line opens, or undefined if it is not one we know. */
export function parseCommand(text: string): ConnectTarget | undefined {
  const m = TOOL.exec(text);
  if (!m) return undefined;
  const tool = m[1] ?? '';
  const args = splitArgs(m[2] ?? '');
  const target = COMMANDS[tool]?.(args);
  // Without a prompt, "telnet start" is prose: insist on a port or a host-like word.
  if (!target || hasPrompt(text) || target.port !== undefined || (target.host !== undefined && HOST_LIKE.test(target.host))) return target;
  return undefined;
}

/** `mail.example.net`, `localhost`, `$REMOTE_SRV`, `${HOST}`, an IP address. */
const HOST_LIKE = /^(?:\$\{?\w+\}?|localhost|[\w-]+(?:\.[\w-]+)+|\[?[0-9A-Fa-f:.]+\]?)$/;

const COMMANDS: Readonly<Record<string, CommandParser>> = {
  telnet: (args) => positional(args, 'telnet', ['-l', '-e', '-b', '-n', '-X', '-k']),
  nc: (args) => netcat(args, 'nc'),
  netcat: (args) => netcat(args, 'netcat'),
  ncat: (args) => netcat(args, 'ncat'),
  openssl: sClient,
  swaks,
};

function netcat(args: readonly string[], tool: string): ConnectTarget | undefined {
  const target = positional(args, tool, ['-w', '-p', '-s', '-i', '-x', '-X', '-q', '-W', '-I', '-O', '-T', '-V']);
  if (!target) return undefined;
  return args.includes('--ssl') ? { ...target, tls: true } : target;
}

/** `tool [options] host [port]`: the first two words that are not options or their values. */
function positional(args: readonly string[], tool: string, valued: readonly string[]): ConnectTarget | undefined {
  const words: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (valued.includes(arg)) i += 1;
    else if (!arg.startsWith('-')) words.push(arg);
  }
  const [host, port] = words;
  if (host === undefined) return undefined;
  return withPort({ tool, host }, port);
}

/** `openssl s_client [-connect host:port | host:port] [-starttls proto]`. */
function sClient(args: readonly string[]): ConnectTarget | undefined {
  if (args[0] !== 's_client') return undefined;
  let address: string | undefined;
  let host: string | undefined;
  let port: string | undefined;
  let starttls: string | undefined;
  for (let i = 1; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const value = args[i + 1];
    if (arg === '-connect') address = value;
    else if (arg === '-host') host = value;
    else if (arg === '-port') port = value;
    else if (arg === '-starttls') starttls = value;
    else if (!arg.startsWith('-') && i === args.length - 1 && address === undefined) address = arg;
    if (['-connect', '-host', '-port', '-starttls'].includes(arg)) i += 1;
  }
  const split = address === undefined ? { host, port } : splitHostPort(address);
  const base: ConnectTarget = withPort({ tool: 'openssl', host: split.host ?? host }, split.port ?? port);
  if (starttls === undefined) return { ...base, tls: true };
  const protocol = STARTTLS_PROTOCOLS.get(starttls.toLowerCase());
  return protocol ? { ...base, starttls: protocol, protocol } : base;
}

/** `swaks --server host[:port] [--port p] [--tls-on-connect]`. */
function swaks(args: readonly string[]): ConnectTarget | undefined {
  let target: ConnectTarget = { tool: 'swaks', protocol: 'smtp' };
  for (let i = 0; i < args.length; i += 1) {
    const arg = (args[i] ?? '').replace(/^--?/, '-');
    const value = args[i + 1];
    if ((arg === '-server' || arg === '-s') && value !== undefined) {
      const split = splitHostPort(value);
      target = withPort({ ...target, host: split.host }, split.port);
    } else if ((arg === '-port' || arg === '-p') && value !== undefined) {
      target = withPort(target, value);
    } else if (arg === '-tls-on-connect' || arg === '-tlsc') {
      target = { ...target, tls: true };
    }
  }
  return target;
}

function withPort(target: ConnectTarget, port: string | undefined): ConnectTarget {
  const number = port === undefined ? undefined : toPort(port);
  return number === undefined ? target : { ...target, port: number };
}

export function toPort(text: string): number | undefined {
  if (/^\d{1,5}$/.test(text)) {
    const n = Number(text);
    return n > 0 && n < 65536 ? n : undefined;
  }
  return SERVICE_PORTS[text.toLowerCase()];
}

/** `host:port`, `[v6]:port`, or a bare host. */
export function splitHostPort(text: string): { host?: string; port?: string } {
  const v6 = /^\[([^\]]+)\](?::(\w[\w-]*))?$/.exec(text);
  if (v6) return { host: v6[1], port: v6[2] };
  const i = text.lastIndexOf(':');
  if (i > 0 && text.indexOf(':') === i) return { host: text.slice(0, i), port: text.slice(i + 1) };
  return { host: text };
}

/** Words of a command line; quotes group, and are removed. */
function splitArgs(text: string): string[] {
  const words: string[] = [];
  const word = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of text.matchAll(word)) words.push(m[1] ?? m[2] ?? m[3] ?? '');
  return words;
}
