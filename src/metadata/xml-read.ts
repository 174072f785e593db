/**
 * Safe XML reading into a small element tree, for the legacy `<guid>.xml` metadata.
 *
 * Uses fast-xml-parser (`XMLValidator` for well-formedness with line/column, `XMLParser` in
 * `preserveOrder` mode with `parseTagValue: false` so `007` stays a string). On top of it:
 * DOCTYPE / ENTITY declarations are refused outright (no entity expansion, so no
 * "billion laughs"), entity references are decoded here — only the five XML entities and
 * numeric character references; an unknown entity is an error, as in any XML parser — the
 * declared encoding must be UTF-8, and there must be exactly one root element. Isomorphic.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { invalidMetadata, unsupported } from "../errors.js";

export interface XmlNode {
  name: string;
  /** Attributes in document order, entity references decoded. */
  attributes: Array<[string, string]>;
  /** The element's own text (text children concatenated), entity references decoded. */
  text: string;
  children: XmlNode[];
}

const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(s: string, where: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(";")) throw invalidMetadata(`malformed XML: a bare '&' (write &amp;)`, { where });
    const named = NAMED_ENTITIES[ref];
    if (named !== undefined) return named;
    const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (m) {
      const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2] ?? "", 10);
      const valid = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0x10ffff && cp !== 0xfffe && cp !== 0xffff);
      if (!valid) throw invalidMetadata(`malformed XML: character reference ${whole} is not a valid XML character`, { where });
      return String.fromCodePoint(cp);
    }
    throw invalidMetadata(`malformed XML: undefined entity ${whole}`, {
      where,
      allowed: "&amp; &lt; &gt; &quot; &apos; and numeric character references",
    });
  });
}

type OrderedNode = Record<string, unknown> & { ":@"?: Record<string, string> };

function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ":@");
}

function toXmlNode(node: OrderedNode, name: string, where: string): XmlNode {
  const attrs = node[":@"] ?? {};
  const attributes: Array<[string, string]> = Object.entries(attrs).map(([k, v]) => [k, decodeEntities(String(v), where)]);
  const childList = (node[name] as OrderedNode[] | undefined) ?? [];
  const children: XmlNode[] = [];
  let text = "";
  for (const child of childList) {
    const childName = elementName(child);
    if (childName === undefined) continue;
    if (childName === "#text") text += decodeEntities(String(child["#text"]), where);
    else if (childName === "#cdata") {
      for (const part of (child["#cdata"] as OrderedNode[] | undefined) ?? []) text += String(part["#text"] ?? "");
    } else if (childName.startsWith("?") || childName === "#comment") continue;
    else children.push(toXmlNode(child, childName, where));
  }
  return { name, attributes, text, children };
}

/** Parse an XML document (BOM already stripped or not) and return its root element. */
export function parseXmlDocument(text: string, where: string): XmlNode {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (/<!DOCTYPE|<!ENTITY/i.test(src)) {
    throw invalidMetadata("XML with a DOCTYPE or ENTITY declaration is refused (entity expansion is not allowed)", {
      where,
      allowed: "plain XML without a DTD",
    });
  }
  const decl = /^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([^"']*)["']/.exec(src);
  if (decl && !/^(utf-?8|us-ascii|ascii)$/i.test(decl[1] ?? "")) {
    throw unsupported(`XML encoding ${JSON.stringify(decl[1])} is not supported`, { where, allowed: "UTF-8" });
  }
  const valid = XMLValidator.validate(src);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw invalidMetadata(`malformed XML: ${msg} (line ${line}${col !== undefined ? `, column ${col}` : ""})`, { where });
  }
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: false,
    htmlEntities: false,
    cdataPropName: "#cdata",
  });
  const top = parser.parse(src) as OrderedNode[];
  const roots: XmlNode[] = [];
  for (const node of top) {
    const name = elementName(node);
    if (name === undefined || name.startsWith("?") || name === "#comment") continue;
    if (name === "#text" || name === "#cdata") {
      if (String(node["#text"] ?? "x").trim() !== "") throw invalidMetadata("malformed XML: text outside the root element", { where });
      continue;
    }
    roots.push(toXmlNode(node, name, where));
  }
  if (roots.length !== 1) {
    throw invalidMetadata(`malformed XML: ${roots.length === 0 ? "no root element" : `${roots.length} root elements`}`, {
      where,
      allowed: "exactly one root element",
    });
  }
  return roots[0] as XmlNode;
}
