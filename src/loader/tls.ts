/**
 * TLS options (format §6), merged key by key: file → test → connect or step. `expect` is
 * merged key by key too, so a file can ask for `authorized: true` everywhere and a step
 * add a `protocol`.
 */
import type { TlsExpect, TlsOptions } from '../kernel/model.js';
import type { YNode } from './nodes.js';
import type { Patterns } from './patterns.js';
import type { Sink } from './sink.js';
import type { Span } from '../kernel/span.js';
import type { Templates } from './templates.js';
import { checkNamedFile, type NamedFiles } from './named-file.js';

const VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class TlsBuilder {
  constructor(
    private readonly templates: Templates,
    private readonly patterns: Patterns,
    private readonly files: NamedFiles,
  ) {}

  /** `layers` are maps of TLS options, outermost first; `span` is where the handshake is asked for. */
  merge(layers: readonly YNode[], span: Span, sink: Sink): TlsOptions {
    const last = (key: string): YNode | undefined => {
      for (let i = layers.length - 1; i >= 0; i -= 1) {
        const v = layers[i]?.get(key);
        if (v) return v;
      }
      return undefined;
    };
    const template = (key: string): TlsOptions['ca'] => {
      const node = last(key);
      return node ? this.templates.read(node, sink) : undefined;
    };
    const file = (key: 'ca' | 'cert' | 'key'): TlsOptions['ca'] => {
      const node = last(key);
      const t = node ? this.templates.read(node, sink) : undefined;
      if (node && t) checkNamedFile(node, t, 'pem', `TLS ${key} file`, this.templates, this.files, sink);
      return t;
    };
    const o: Mutable<TlsOptions> = { span, verify: last('verify')?.bool() ?? true };
    const servername = template('servername');
    const ca = file('ca');
    const cert = file('cert');
    const key = file('key');
    if (servername) o.servername = servername;
    if (ca) o.ca = ca;
    if (cert) o.cert = cert;
    if (key) o.key = key;
    const min = last('minVersion');
    const max = last('maxVersion');
    if (min) o.minVersion = min.str();
    if (max) o.maxVersion = max.str();
    if (min && max && VERSIONS.indexOf(min.str()) > VERSIONS.indexOf(max.str())) {
      sink.error('tls-version-order', min.span(), `\`minVersion\` ${min.str()} is above \`maxVersion\` ${max.str()}`, 'no TLS version could be agreed');
    }
    const ciphers = last('ciphers');
    if (ciphers) o.ciphers = ciphers.str();
    const alpn = last('alpn');
    if (alpn) o.alpn = alpn.items().map((n) => n.str());
    const expects = layers.map((l) => l.get('expect')).filter((e): e is YNode => e !== undefined);
    if (expects.length > 0) o.expect = this.expect(expects, sink);
    return o;
  }

  private expect(layers: readonly YNode[], sink: Sink): TlsExpect {
    const last = (key: string): YNode | undefined => [...layers].reverse().find((l) => l.has(key))?.get(key);
    const e: Mutable<TlsExpect> = { span: (layers[layers.length - 1] as YNode).keySpan() };
    for (const key of ['protocol', 'cipher', 'subject', 'issuer', 'altNames'] as const) {
      const node = last(key);
      const pattern = node && this.patterns.text(node, sink);
      if (pattern) e[key] = pattern;
    }
    const authorized = last('authorized');
    if (authorized) e.authorized = { value: authorized.bool(), span: authorized.span() };
    const validDays = last('validDays');
    if (validDays) e.validDays = { value: validDays.num(), span: validDays.span() };
    const error = last('error');
    const regex = error && this.patterns.regex(error, sink);
    if (regex) e.error = regex;
    return e;
  }
}
