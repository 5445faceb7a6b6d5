/**
 * The HTML report read back as a browser's parser reads it (parse5, the WHATWG HTML
 * algorithm): the tree, every parse error, and a few ways to look things up.
 */
import { parse } from 'parse5';

export interface Node {
  readonly nodeName: string;
  readonly tagName?: string;
  readonly attrs?: readonly { readonly name: string; readonly value: string }[];
  readonly childNodes?: readonly Node[];
  readonly value?: string;
  /** A comment's text. */
  readonly data?: string;
}

export interface ParsedPage {
  readonly document: Node;
  /** Parse errors by code (`eof-in-comment`, `unexpected-null-character`…): none for a well-formed page. */
  readonly errors: readonly string[];
}

export function parsePage(html: string): ParsedPage {
  const errors: string[] = [];
  const document = parse(html, { onParseError: (error) => errors.push(`${error.code} at ${error.startLine}:${error.startCol}`) }) as unknown as Node;
  return { document, errors };
}

export function attr(node: Node, name: string): string | undefined {
  return node.attrs?.find((a) => a.name === name)?.value;
}

export function hasClass(node: Node, name: string): boolean {
  return (attr(node, 'class') ?? '').split(/\s+/).includes(name);
}

/** Every element under `node` (itself included), in document order. */
export function elements(node: Node): Node[] {
  const out: Node[] = [];
  const visit = (n: Node): void => {
    if (n.tagName !== undefined) out.push(n);
    n.childNodes?.forEach(visit);
  };
  visit(node);
  return out;
}

/** Elements with this tag name and, if given, this class. */
export function all(node: Node, tag: string, className?: string): Node[] {
  return elements(node).filter((e) => e.tagName === tag && (className === undefined || hasClass(e, className)));
}

/** The text a browser would hold in `node` (character references decoded). */
export function text(node: Node): string {
  if (node.nodeName === '#text') return node.value ?? '';
  return (node.childNodes ?? []).map(text).join('');
}

/** Every text node and attribute value of the page, one per line (for searching decoded text). */
export function htmlStrings(html: string): string {
  const out: string[] = [];
  const visit = (n: Node): void => {
    if (n.nodeName === '#text') out.push(n.value ?? '');
    if (n.nodeName === '#comment') out.push(n.data ?? '');
    for (const a of n.attrs ?? []) out.push(a.value);
    n.childNodes?.forEach(visit);
  };
  visit(parsePage(html).document);
  return out.join('\n');
}
