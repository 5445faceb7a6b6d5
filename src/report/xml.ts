/**
 * A small XML writer for the JUnit report: elements with attributes, CDATA text, two-space
 * indentation. Text reaches it through `xmlAttr`/`xmlCdata` (escape.ts) first, so it holds
 * only characters XML 1.0 can hold and no `]]>`.
 */

export interface XmlNode {
  readonly name: string;
  /** In this order; undefined values are left out. */
  readonly attrs?: Readonly<Record<string, string | number | undefined>>;
  readonly children?: readonly XmlNode[];
  /** Character data, written as one CDATA section (after the children); empty is none. */
  readonly cdata?: string;
}

const ATTR_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' };

function attribute(value: string | number): string {
  return String(value).replace(/[&<>"\t\n\r]/g, (ch) => ATTR_ESCAPES[ch]!);
}

function render(node: XmlNode, indent: string, out: string[]): void {
  const attrs = Object.entries(node.attrs ?? {})
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${attribute(value)}"`)
    .join('');
  const children = node.children ?? [];
  const cdata = node.cdata === '' ? undefined : node.cdata;
  if (children.length === 0 && cdata === undefined) {
    out.push(`${indent}<${node.name}${attrs}/>`);
    return;
  }
  if (children.length === 0) {
    out.push(`${indent}<${node.name}${attrs}><![CDATA[${cdata}]]></${node.name}>`);
    return;
  }
  out.push(`${indent}<${node.name}${attrs}>`);
  for (const child of children) render(child, `${indent}  `, out);
  if (cdata !== undefined) out.push(`${indent}  <![CDATA[${cdata}]]>`);
  out.push(`${indent}</${node.name}>`);
}

/** The document: prolog and root element. */
export function xmlDocument(root: XmlNode): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  render(root, '', out);
  return out.join('\n');
}
