/**
 * Model metadata: the CZANN `model.json` (`ModelMetadata`), the legacy `<guid>.xml`
 * (`LegacyModelMetadata`), conversion-spec JSON, czmodel's class colours, and the
 * Python-compatible JSON / ElementTree writers that make re-written files byte-identical.
 * Pure data + validation, isomorphic.
 */
export * from "./enums.js";
export { PyFloat, numberValue, pythonFloatRepr, pythonJsonString, pythonJsonDumps } from "./python-json.js";
export { parsePythonJson, plainJson, type PyJsonValue } from "./json-parse.js";
export {
  escapeXmlAttribute,
  escapeXmlText,
  elementTreeToString,
  writeElementTreeXml,
  writeElementTreeXmlBytes,
  type XmlElement,
} from "./elementtree-xml.js";
export { parseXmlDocument, type XmlNode } from "./xml-read.js";
export { classColor, classColors, hlsToRgb, type Rgb } from "./class-colors.js";
export { isUuid, randomUuid } from "./uuid.js";
export { ModelMetadata, MODEL_JSON_KEYS, type ModelMetadataParams } from "./model-metadata.js";
export {
  LegacyModelMetadata,
  LEGACY_XML_VERSION,
  LEGACY_XML_VERSIONS_READ,
  type LegacyClass,
  type LegacyModelMetadataParams,
  type XmlExtraElement,
} from "./legacy-model-metadata.js";
export { parseConversionSpec, type ConversionSpec } from "./conversion-spec.js";
export { decodeUtf8Text, encodeUtf8 } from "./text.js";
export { showValue } from "./issues.js";
