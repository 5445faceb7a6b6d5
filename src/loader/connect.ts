/**
 * Connections (format §2): a test's own (file's and test's `connect`, merged key by key)
 * and `connect` steps (which inherit only host, timeout, eol and limits). Defaults are
 * applied here, and the protocol is inferred from a literal well-known port or required.
 */
import { PROTOCOLS, protocolForPort } from '../protocol/registry.js';
import type { ConnectSpec, Limits, ProtocolName } from '../kernel/model.js';
import type { BuildNotes } from './notes.js';
import type { YNode } from './nodes.js';
import type { Sink } from './sink.js';
import type { Templates } from './templates.js';
import type { TlsBuilder } from './tls.js';
import { parseDuration, parseSize } from './values.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_LIMITS: Limits = { lineBytes: 64 * 1024, replyBytes: 16 * 1024 * 1024 };

/** What a `connect` step takes from the file's and the test's `connect`. */
const INHERITED = new Set(['host', 'timeout', 'eol', 'limits']);

export class ConnectBuilder {
  constructor(
    private readonly templates: Templates,
    private readonly tls: TlsBuilder,
    private readonly notes: BuildNotes,
  ) {}

  /** A test's own connection from the file's and the test's `connect` (outermost first); undefined if neither has one. */
  forTest(layers: readonly YNode[], tlsLayers: readonly YNode[], sink: Sink): ConnectSpec | undefined {
    const inner = layers[layers.length - 1];
    if (!inner) return undefined;
    const get = (key: string): YNode | undefined => lastWith(layers, key);
    return this.build(get, layers, tlsLayers, layers, inner, sink);
  }

  /** A `connect` step: its own keys, plus host, timeout, eol and limits inherited from `inherited`. */
  forStep(step: YNode, inherited: readonly YNode[], tlsLayers: readonly YNode[], sink: Sink): ConnectSpec {
    const get = (key: string): YNode | undefined => step.get(key) ?? (INHERITED.has(key) ? lastWith(inherited, key) : undefined);
    return this.build(get, [...inherited, step], tlsLayers, [step], step, sink);
  }

  private build(
    get: (key: string) => YNode | undefined,
    limitLayers: readonly YNode[],
    tlsLayers: readonly YNode[],
    tlsConnectLayers: readonly YNode[],
    at: YNode,
    sink: Sink,
  ): ConnectSpec {
    const span = at.keySpan();
    const portNode = get('port');
    let broken = false;
    if (!portNode) {
      sink.error('missing-key', at.anchorSpan(), '`connect` needs `port`', 'give `port` in the file\'s or the test\'s `connect`');
      broken = true;
    } else if (literalPort(portNode) === 'bad') {
      sink.error('port-invalid', portNode.span(), `\`port\` must be a number from 1 to 65535 (0 for serve: a free port), or a template; got \`${portNode.str()}\``);
      broken = true;
    }
    const port = portNode ? this.templates.read(portNode, sink) : this.templates.literal('', span);
    const protocol = broken || !portNode ? undefined : this.protocol(get('protocol'), portNode, sink);
    const hostNode = get('host');
    const host = hostNode ? this.templates.read(hostNode, sink) : this.templates.literal(DEFAULT_HOST, span);
    const timeoutNode = get('timeout');
    const timeoutMs = (timeoutNode ? duration(timeoutNode, sink) : undefined) ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const limits = this.limits(limitLayers.map((l) => l.get('limits')).filter((l): l is YNode => l !== undefined), sink);
    const as = get('as');
    const tls = this.implicitTls(tlsConnectLayers, tlsLayers, sink);
    const spec: ConnectSpec = {
      span,
      host,
      port,
      // A placeholder when unknown; the connect is marked broken so no check relies on it.
      protocol: protocol ?? 'line',
      ...(tls ? { tls } : {}),
      timeoutMs,
      eol: get('eol')?.str() === 'lf' ? 'lf' : 'crlf',
      limits,
      ...(as ? { as: as.str() } : {}),
    };
    return protocol ? spec : this.notes.markBroken(spec);
  }

  private protocol(explicit: YNode | undefined, portNode: YNode, sink: Sink): ProtocolName | undefined {
    if (explicit) return explicit.str() as ProtocolName;
    const literal = literalPort(portNode);
    if (literal === 'bad') return undefined;
    if (literal === undefined) {
      sink.error('protocol-missing', portNode.span(), 'a templated `port` needs an explicit `protocol`', `add ${protocolNames()}`);
      return undefined;
    }
    const inferred = protocolForPort(literal);
    if (!inferred) {
      sink.error('protocol-missing', portNode.span(), `port ${literal} does not imply a protocol: \`protocol\` is needed`, `add ${protocolNames()}; only ports ${wellKnown()} imply one`);
    }
    return inferred;
  }

  private limits(layers: readonly YNode[], sink: Sink): Limits {
    const line = lastWith(layers, 'line');
    const reply = lastWith(layers, 'reply');
    return {
      lineBytes: (line ? size(line, sink) : undefined) ?? DEFAULT_LIMITS.lineBytes,
      replyBytes: (reply ? size(reply, sink) : undefined) ?? DEFAULT_LIMITS.replyBytes,
    };
  }

  /** Implicit TLS: the innermost `tls` of the connect layers decides; its options merge over the file's and test's. */
  private implicitTls(connectLayers: readonly YNode[], tlsLayers: readonly YNode[], sink: Sink): ConnectSpec['tls'] {
    const values = connectLayers.map((l) => l.get('tls')).filter((v): v is YNode => v !== undefined);
    const decisive = values[values.length - 1];
    if (!decisive || (decisive.kind === 'boolean' && !decisive.bool())) return undefined;
    const maps = values.filter((v) => v.kind === 'map');
    return this.tls.merge([...tlsLayers, ...maps], decisive.keySpan(), sink);
  }
}

/** The port as a number when written as one (`587` or `"587"`); undefined when templated; 'bad' otherwise. */
export function literalPort(node: YNode): number | undefined | 'bad' {
  if (node.kind === 'number') return node.num();
  const text = node.str();
  if (text.includes('${')) return undefined;
  return /^[0-9]+$/.test(text) && Number(text) >= 0 && Number(text) <= 65535 ? Number(text) : 'bad';
}

function lastWith(layers: readonly YNode[], key: string): YNode | undefined {
  for (let i = layers.length - 1; i >= 0; i -= 1) {
    const v = layers[i]?.get(key);
    if (v) return v;
  }
  return undefined;
}

export function duration(node: YNode, sink: Sink): number | undefined {
  const d = parseDuration(node.kind === 'number' ? node.num() : node.str());
  if (d.ok) return d.value;
  sink.error(d.code, node.span(), d.message, d.hint);
  return undefined;
}

function size(node: YNode, sink: Sink): number | undefined {
  const s = parseSize(node.kind === 'number' ? node.num() : node.str());
  if (s.ok) return s.value;
  sink.error(s.code, node.span(), s.message, s.hint);
  return undefined;
}

/** "`protocol: smtp` (or lmtp, imap, pop3, line)" */
function protocolNames(): string {
  const [first, ...rest] = Object.keys(PROTOCOLS);
  return `\`protocol: ${first ?? ''}\` (or ${rest.join(', ')})`;
}

function wellKnown(): string {
  return Object.values(PROTOCOLS)
    .filter((p) => p.wellKnownPorts.length > 0)
    .map((p) => `${p.wellKnownPorts.join('/')} (${p.name})`)
    .join(', ');
}

