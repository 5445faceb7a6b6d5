/**
 * A strict, tiny XML reader for what the JUnit reporter writes (prolog, elements,
 * attributes, CDATA, text): it throws on anything not well-formed, which is the point.
 */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Character data directly inside, CDATA included, entities decoded. */
  text: string;
}

/** XML 1.0 §2.2 Char. */
const CHARS = /^(?:[\t\n\r\x20-\ud7ff\ue000-\ufffd]|[\ud800-\udbff][\udc00-\udfff])*$/;
const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ATTR = /^\s+([A-Za-z_:][-A-Za-z0-9_:.]*)="([^"<]*)"/;

function decode(text: string): string {
  return text.replace(/&(?:(lt|gt|amp|quot|apos)|#x([0-9a-fA-F]+)|#([0-9]+));|&/g, (m, named: string, hex: string, dec: string) => {
    if (named) return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[named]!;
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    if (dec) return String.fromCodePoint(parseInt(dec, 10));
    throw new Error(`bare & in ${JSON.stringify(m)}`);
  });
}

export function parseXml(xml: string): XmlElement {
  if (!CHARS.test(xml)) throw new Error('a character XML 1.0 cannot hold');
  let rest = xml.replace(/^<\?xml [^?]*\?>\s*/, '');
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [root];
  while (rest.length > 0) {
    const top = stack[stack.length - 1]!;
    if (rest.startsWith('<![CDATA[')) {
      const end = rest.indexOf(']]>');
      if (end < 0) throw new Error('unterminated CDATA');
      top.text += rest.slice(9, end);
      rest = rest.slice(end + 3);
    } else if (rest.startsWith('</')) {
      const m = /^<\/([^>\s]+)\s*>/.exec(rest);
      if (!m || m[1] !== top.name || stack.length === 1) throw new Error(`mismatched close tag at ${rest.slice(0, 30)}`);
      stack.pop();
      rest = rest.slice(m[0].length);
    } else if (rest.startsWith('<')) {
      const name = NAME.exec(rest.slice(1))?.[0];
      if (!name) throw new Error(`bad tag at ${rest.slice(0, 30)}`);
      rest = rest.slice(1 + name.length);
      const attrs: Record<string, string> = {};
      for (let m = ATTR.exec(rest); m; m = ATTR.exec(rest)) {
        if (m[1]! in attrs) throw new Error(`duplicate attribute ${m[1]}`);
        attrs[m[1]!] = decode(m[2]!);
        rest = rest.slice(m[0].length);
      }
      const close = /^\s*(\/?)>/.exec(rest);
      if (!close) throw new Error(`bad tag end at ${rest.slice(0, 30)}`);
      rest = rest.slice(close[0].length);
      const element: XmlElement = { name, attrs, children: [], text: '' };
      top.children.push(element);
      if (close[1] !== '/') stack.push(element);
    } else {
      const end = rest.indexOf('<');
      const text = end < 0 ? rest : rest.slice(0, end);
      if (text.includes(']]>')) throw new Error('`]]>` in text');
      top.text += decode(text);
      rest = end < 0 ? '' : rest.slice(end);
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  const elements = root.children;
  if (elements.length !== 1 || root.text.trim() !== '') throw new Error('not exactly one root element');
  return elements[0]!;
}

/** Every element named `name` below `element`, in document order. */
export function findAll(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...findAll(child, name)]);
}
