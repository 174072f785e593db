/**
 * parseXmlDocument's malformed-XML errors: one clean line `malformed XML at line L, column C:
 * <what>` with the entry name as `where`, never the parser's internal text (such as
 * `Invalid '[    "Model",    "Feature"]' found.`). Positions are 1-based and were checked by hand
 * against each document.
 */
import { describe, expect, it } from "vitest";
import type { CzmodelError } from "../../src/errors.js";
import { parseXmlDocument } from "../../src/metadata/xml-read.js";
import { errorOf } from "../helpers/errors.js";

const xmlError = (text: string): CzmodelError => errorOf(() => parseXmlDocument(text, "m.xml"));

describe("malformed XML messages", () => {
  it.each([
    [
      "nested elements never closed",
      '<Model Version="3.1.0">\n  <Feature>\n    <Id>x</Id>',
      "at line 3, column 15: the document ends inside <Feature> (unclosed: <Model>, <Feature>)",
    ],
    [
      "truncated on one line",
      "<Model><Feature>",
      "at line 1, column 17: the document ends inside <Feature> (unclosed: <Model>, <Feature>)",
    ],
    ["one element never closed", "<Model><Feature></Feature>", "at line 1, column 1: <Model> is never closed"],
    [
      "mismatched closing tag",
      "<Model>\n  <ModelName>x</Name>\n</Model>",
      "at line 2, column 15: closing tag </Name> does not match <ModelName> opened at line 2, column 3",
    ],
    ["closing tag without start", "</Model>", "at line 1, column 1: closing tag </Model> has no start tag"],
    ["closing tag not ended", "<Model></Model", "at line 1, column 15: closing tag </Model> is not ended by '>'"],
    ["space after <", "< Model/>", "at line 1, column 2: '<' followed by a space (write &lt; for a literal '<')"],
    ["invalid element name", "<1Model/>", 'at line 1, column 8: "1Model" is not a valid element name'],
    ["open quote", '<Model a="1/>', "at line 1, column 7: an attribute value of <Model> has no closing quote"],
    ["attribute without value", "<Model a/>", 'at line 1, column 8: attribute a has no value (write a="…")'],
    ["repeated attribute", '<Model a="1" a="2"/>', "at line 1, column 14: attribute a is repeated"],
    ["bare ampersand", "<Model>a & b</Model>", "at line 1, column 10: a bare '&' (write &amp;)"],
    ["text before the root", "x<Model/>", 'at line 1, column 1: unexpected character "x" outside the root element'],
    ["text after the root", "<Model></Model>\ntail", "at line 2, column 1: text after the root element"],
    ["empty document", "", ": no root element"],
  ])("%s", (_name, text, expected) => {
    const e = xmlError(text);
    expect(e.code).toBe("INVALID_METADATA");
    expect(e.where).toBe("m.xml");
    expect(e.message).toBe(`m.xml: malformed XML${expected.startsWith(":") ? "" : " "}${expected}`);
    expect(e.message).not.toMatch(/\n|Invalid '|\[\s*"/);
  });
});
