/**
 * Safe XML reading into a small element tree, for the legacy `<guid>.xml` metadata.
 *
 * Uses fast-xml-parser (`XMLValidator` for well-formedness with line/column, `XMLParser` in
 * `preserveOrder` mode with `parseTagValue: false` so `007` stays a string). On top of it:
 * DOCTYPE / ENTITY declarations are refused outright (no entity expansion, so no
 * "billion laughs"), entity references are decoded here — only the five XML entities and
 * numeric character references; an unknown entity is an error, as in any XML parser — the
 * declared encoding must be UTF-8, and there must be exactly one root element. The validator's
 * messages are rewritten into plain one-line text with line and column
 * (`malformed XML at line 2, column 118: closing tag </Name> does not match <ModelName> …`):
 * they quote internal structures (`Invalid '[ "Model", "Feature"]' found.`) and positions that
 * are not always right. Isomorphic.
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
      const valid =
        cp === 0x9 ||
        cp === 0xa ||
        cp === 0xd ||
        (cp >= 0x20 && cp <= 0xd7ff) ||
        (cp >= 0xe000 && cp <= 0x10ffff && cp !== 0xfffe && cp !== 0xffff);
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

/** An element or attribute name from the document, safe to print on one line. */
function shown(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: this replaces the C0 controls and DEL in names from the document, so they must be in the class
  const flat = name.replace(/[\u0000-\u001f\u007f]/g, "?");
  return flat.length > 40 ? `${flat.slice(0, 40)}…` : flat;
}

/** Where a text ends, ignoring trailing white space (for "the document ends …"). */
function endPosition(src: string): { line: number; col: number } {
  const lines = src.trimEnd().split(/\r?\n/);
  return { line: lines.length, col: (lines[lines.length - 1] ?? "").length + 1 };
}

/** Rewrites of fast-xml-parser's validator messages: [pattern, text, optional own position]. */
type Rewrite = [RegExp, (m: RegExpExecArray, src: string) => string | { text: string; at?: { line: number; col: number } | null }];
const REWRITES: Rewrite[] = [
  [
    /^Expected closing tag '(.*)' \(opened in line (\d+), col (\d+)\) instead of closing tag '(.*)'\.$/,
    (m) => `closing tag </${shown(m[4]!)}> does not match <${shown(m[1]!)}> opened at line ${m[2]}, column ${m[3]}`,
  ],
  [/^Unclosed tag '(.*)'\.$/, (m) => `<${shown(m[1]!)}> is never closed`],
  [
    /^Invalid '(\[[\s\S]*\])' found\.$/,
    (m, src) => {
      let open: string[] = [];
      try {
        open = (JSON.parse(m[1]!) as unknown[]).map(String);
      } catch {
        /* unexpected form: fall back to the generic text below */
      }
      const text = open.length
        ? `the document ends inside <${shown(open[open.length - 1]!)}> (unclosed: ${open.map((t) => `<${shown(t)}>`).join(", ")})`
        : "the document ends before all elements are closed";
      return { text, at: endPosition(src) };
    },
  ],
  [/^Closing tag '(.*)' has not been opened\.$/, (m) => `closing tag </${shown(m[1]!)}> has no start tag`],
  [/^Closing tag '(.*)' doesn't have proper closing\.$/, (m) => `closing tag </${shown(m[1]!)}> is not ended by '>'`],
  [
    /^Closing tag '(.*)' can't have attributes or invalid starting\.$/,
    (m) => `closing tag </${shown(m[1]!)}> has attributes or stray text`,
  ],
  [/^Invalid space after '<'\.$/, () => "'<' followed by a space (write &lt; for a literal '<')"],
  [/^Tag '(.*)' is an invalid name\.$/, (m) => `"${shown(m[1]!)}" is not a valid element name`],
  [/^Attributes for '(.*)' have open quote\.$/, (m) => `an attribute value of <${shown(m[1]!)}> has no closing quote`],
  [/^Attribute '(.*)' has no space in starting\.$/, (m) => `attribute ${shown(m[1]!)} needs white space before it`],
  [/^Attribute '(.*)' is without value\.$/, (m) => `attribute ${shown(m[1]!)} has no quoted value`],
  [/^boolean attribute '(.*)' is not allowed\.$/, (m) => `attribute ${shown(m[1]!)} has no value (write ${shown(m[1]!)}="…")`],
  [/^Attribute '(.*)' is an invalid name\.$/, (m) => `"${shown(m[1]!)}" is not a valid attribute name`],
  [/^Attribute '(.*)' is repeated\.$/, (m) => `attribute ${shown(m[1]!)} is repeated`],
  [/^char '&' is not expected\.$/, () => "a bare '&' (write &amp;)"],
  [/^char '([\s\S]*)' is not expected\.$/, (m) => `unexpected character ${JSON.stringify(m[1])} outside the root element`],
  [/^Multiple possible root nodes found\.$/, () => "a second root element (a document has exactly one)"],
  [/^Extra text at the end$/, () => "text after the root element"],
  [/^Start tag expected\.$/, () => ({ text: "no root element", at: null })],
  [
    /^XML declaration allowed only at the start of the document\.$/,
    () => "the XML declaration <?xml …?> is not at the start of the document",
  ],
];

/** Generic text per validator error code, for messages this version does not know. */
const GENERIC: Record<string, string> = {
  InvalidTag: "a malformed tag",
  InvalidAttr: "a malformed attribute",
  InvalidChar: "an unexpected character",
};

/** `malformed XML at line L, column C: <what>` from a validator error, without its internal text. */
function describeValidationError(err: { code: string; msg: string; line: number; col?: number }, src: string): string {
  let text = GENERIC[err.code] ?? "the document is not well-formed";
  let at: { line: number; col?: number } | null = { line: err.line, ...(err.col !== undefined ? { col: err.col } : {}) };
  for (const [re, rewrite] of REWRITES) {
    const m = re.exec(err.msg);
    if (!m) continue;
    const r = rewrite(m, src);
    if (typeof r === "string") text = r;
    else {
      text = r.text;
      if (r.at !== undefined) at = r.at;
    }
    break;
  }
  const position = at && Number.isInteger(at.line) ? ` at line ${at.line}${at.col !== undefined ? `, column ${at.col}` : ""}` : "";
  return `malformed XML${position}: ${text}`;
}

/** Deepest element nesting any XML we read may have (libxml2's default limit; real metadata is under 30). */
export const MAX_XML_DEPTH = 256;

/**
 * Throws INVALID_METADATA when elements nest deeper than `MAX_XML_DEPTH`, found by one linear
 * scan of the tags before any parser (whose recursion would overflow the stack at 20 000
 * levels) sees the text.
 */
export function checkXmlDepth(text: string, where: string): void {
  let depth = 0;
  for (let i = text.indexOf("<"); i >= 0; i = text.indexOf("<", i + 1)) {
    const next = text[i + 1];
    if (next === "/") depth--;
    else if (next !== "!" && next !== "?") {
      const end = text.indexOf(">", i);
      if (end < 0) return;
      if (text[end - 1] !== "/" && ++depth > MAX_XML_DEPTH) {
        throw invalidMetadata(`XML nests elements more than ${MAX_XML_DEPTH} deep`, { where, allowed: `at most ${MAX_XML_DEPTH} levels` });
      }
    }
  }
}

/** Throws INVALID_METADATA for a DOCTYPE or ENTITY declaration (no entity is ever expanded). */
export function refuseDoctype(text: string, where: string): void {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw invalidMetadata("XML with a DOCTYPE or ENTITY declaration is refused (entity expansion is not allowed)", {
      where,
      allowed: "plain XML without a DTD",
    });
  }
}

/** Parse an XML document (BOM already stripped or not) and return its root element. */
export function parseXmlDocument(text: string, where: string): XmlNode {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  refuseDoctype(src, where);
  checkXmlDepth(src, where);
  const decl = /^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([^"']*)["']/.exec(src);
  if (decl && !/^(utf-?8|us-ascii|ascii)$/i.test(decl[1] ?? "")) {
    throw unsupported(`XML encoding ${JSON.stringify(decl[1])} is not supported`, { where, allowed: "UTF-8" });
  }
  const valid = XMLValidator.validate(src);
  if (valid !== true) throw invalidMetadata(describeValidationError(valid.err, src), { where });
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
    maxNestedTags: MAX_XML_DEPTH,
  });
  let top: OrderedNode[];
  try {
    top = parser.parse(src) as OrderedNode[];
  } catch (e) {
    throw invalidMetadata(`malformed XML: ${e instanceof Error ? e.message : String(e)}`, { where, cause: e });
  }
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
