/**
 * XML writing byte-compatible with Python's `xml.etree.ElementTree.ElementTree.write(buf,
 * encoding="utf-8", xml_declaration=True)` (docs/formats.md#xml-serialisation): single-quoted declaration and
 * one `\n`, no whitespace between elements, `<Tag />` for an element with no text and no
 * children, ElementTree's text and attribute escaping, attributes in insertion order, no
 * trailing newline. A builder library cannot give these exact bytes, hence ~40 lines here.
 * Isomorphic.
 */

export interface XmlElement {
  tag: string;
  /** Attributes in the order they are written. */
  attributes?: ReadonlyArray<readonly [string, string]>;
  /** Text content; `undefined` or `""` with no children writes `<Tag />`. */
  text?: string;
  children?: readonly XmlElement[];
}

/** ElementTree `_escape_cdata`: only `&`, `<`, `>`. */
function escapeXmlText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** ElementTree `_escape_attrib` (Python 3.11): `& < > "` and `\r \n \t` as character references. */
function escapeXmlAttribute(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/\r/g, "&#13;")
    .replace(/\n/g, "&#10;")
    .replace(/\t/g, "&#09;");
}

function serialize(el: XmlElement, out: string[]): void {
  out.push(`<${el.tag}`);
  for (const [name, value] of el.attributes ?? []) out.push(` ${name}="${escapeXmlAttribute(value)}"`);
  const children = el.children ?? [];
  if (!el.text && children.length === 0) {
    out.push(" />");
    return;
  }
  out.push(">");
  if (el.text) out.push(escapeXmlText(el.text));
  for (const child of children) serialize(child, out);
  out.push(`</${el.tag}>`);
}

/** The element alone, as ElementTree writes it (no declaration). */
function elementTreeToString(root: XmlElement): string {
  const out: string[] = [];
  serialize(root, out);
  return out.join("");
}

/** The whole document text: `<?xml version='1.0' encoding='utf-8'?>\n` + the root element. */
export function writeElementTreeXml(root: XmlElement): string {
  return `<?xml version='1.0' encoding='utf-8'?>\n${elementTreeToString(root)}`;
}
