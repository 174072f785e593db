/**
 * Model metadata: the CZANN `model.json` (`ModelMetadata`), the legacy `<guid>.xml`
 * (`LegacyModelMetadata`), conversion-spec JSON, czmodel's class colours, and the
 * Python-compatible JSON / ElementTree writers that make re-written files byte-identical.
 * Pure data + validation, isomorphic.
 */
export * from "./enums.js";
export { PyFloat, pythonFloatRepr, pythonJsonDumps } from "./python-json.js";
export { parsePythonJson, plainJson } from "./json-parse.js";
export {
  writeElementTreeXml,
  type XmlElement,
} from "./elementtree-xml.js";
export { parseXmlDocument, type XmlNode } from "./xml-read.js";
export { classColor, classColors, type Rgb } from "./class-colors.js";
export { ModelMetadata, type ModelMetadataParams } from "./model-metadata.js";
export { LegacyModelMetadata } from "./legacy-model-metadata.js";
export { parseConversionSpec, type ConversionSpec } from "./conversion-spec.js";
export { decodeUtf8Text } from "./text.js";
