import { describe, expect, it } from "vitest";
import { LegacyModelMetadata } from "../../src/metadata/index.js";
import { errorOf } from "../helpers/errors.js";

const CZMODEL_XML = `<?xml version='1.0' encoding='utf-8'?>\n<Model Version="3.1.0"><Id>27eaeeab-7e9a-4f9c-88bb-6e5b477d2241</Id><ModelName>Simple_Nuclei_SegmentationModel_Legacy</ModelName><Status>Trained</Status><FeatureExtractor>DeepNeuralNetwork</FeatureExtractor><Postprocessing /><ColorHandling>SplitRgb</ColorHandling><Channels><Item PixelType="Gray16" /></Channels><TrainingClasses><Item colB="0" colG="0" colR="255" LabelValue="1" Name="Background" /><Item colB="0" colG="255" colR="0" LabelValue="2" Name="Nucleus" /></TrainingClasses><BorderSize>8</BorderSize></Model>`;

// A ZEN-style file: BOM, double-quoted declaration, no newline, pretty printed with CRLF,
// colR-first attributes, Version 1, Postprocessing "None", no BorderSize, extra elements.
const ZEN_XML =
  '\ufeff<?xml version="1.0" encoding="utf-8"?><Model Version="1">\r\n' +
  "  <Id>1b4e28ba-2fa1-11d2-883f-0016d3cca427</Id>\r\n" +
  "  <ModelName>PGC_CD7_20XNA0.95</ModelName>\r\n" +
  "  <Status>Trained</Status>\r\n" +
  "  <FeatureExtractor>Default</FeatureExtractor>\r\n" +
  "  <Postprocessing>None</Postprocessing>\r\n" +
  "  <ColorHandling>ConvertToMonochrome</ColorHandling>\r\n" +
  '  <Channels>\r\n    <Item PixelType="Gray8" />\r\n    <Item PixelType="Gray16" />\r\n  </Channels>\r\n' +
  '  <TrainingClasses>\r\n    <Item colR="255" colG="0" colB="0" LabelValue="1" Name="background" />\r\n' +
  '    <Item colR="0" colG="255" colB="0" LabelValue="2" Name="nuc &amp; &lt;co&gt; &#x00FC;&#252;" />\r\n  </TrainingClasses>\r\n' +
  "  <TotalTileHeight>1024</TotalTileHeight>\r\n  <TotalTileWidth>1024</TotalTileWidth>\r\n" +
  "  <ScaleInputsByBitdepth>true</ScaleInputsByBitdepth>\r\n" +
  "</Model>";

describe("LegacyModelMetadata", () => {
  it("reads czmodel's XML and writes it back byte-identically", () => {
    const m = LegacyModelMetadata.fromXml(CZMODEL_XML, "a.xml");
    expect(m.id).toBe("27eaeeab-7e9a-4f9c-88bb-6e5b477d2241");
    expect(m.modelName).toBe("Simple_Nuclei_SegmentationModel_Legacy");
    expect(m.colorHandling).toBe("SplitRgb");
    expect(m.pixelTypes).toEqual(["Gray16"]);
    expect(m.classes).toEqual([
      { name: "Background", color: [255, 0, 0], labelValue: 1 },
      { name: "Nucleus", color: [0, 255, 0], labelValue: 2 },
    ]);
    expect(m.borderSize).toBe(8);
    expect(m.version).toBe("3.1.0");
    expect(m.postprocessing).toBe("");
    expect(m.toXml()).toBe(CZMODEL_XML);
  });

  it("fromParams generates czmodel's colours and LabelValues", () => {
    const m = LegacyModelMetadata.fromParams({
      id: "27eaeeab-7e9a-4f9c-88bb-6e5b477d2241",
      modelName: "Simple_Nuclei_SegmentationModel_Legacy",
      colorHandling: "SplitRgb",
      pixelTypes: "Gray16",
      classes: ["Background", "Nucleus"],
      borderSize: 8,
    });
    expect(m.toXml()).toBe(CZMODEL_XML);
  });

  it("reads a ZEN-style file (BOM, CRLF, colR first, Version 1, no BorderSize, extra elements)", () => {
    const warnings: string[] = [];
    const m = LegacyModelMetadata.fromXml(ZEN_XML, "zen.xml", warnings);
    expect(m.version).toBe("1");
    expect(m.featureExtractor).toBe("Default");
    expect(m.postprocessing).toBe("None");
    expect(m.pixelTypes).toEqual(["Gray8", "Gray16"]);
    expect(m.classes[1]).toEqual({ name: "nuc & <co> üü", color: [0, 255, 0], labelValue: 2 });
    expect(m.borderSize).toBeUndefined();
    expect(m.extraElements).toEqual([
      { name: "TotalTileHeight", text: "1024" },
      { name: "TotalTileWidth", text: "1024" },
      { name: "ScaleInputsByBitdepth", text: "true" },
    ]);
    expect(m.tileSize).toEqual([1024, 1024]);
    expect(warnings).toEqual(["zen.xml: BorderSize: missing (ZEN-made file); give the border (context pixels per tile side) explicitly"]);
    // Re-written in czmodel's layout, extra elements kept after the known ones.
    expect(m.toXml()).toBe(
      `<?xml version='1.0' encoding='utf-8'?>\n<Model Version="1"><Id>1b4e28ba-2fa1-11d2-883f-0016d3cca427</Id><ModelName>PGC_CD7_20XNA0.95</ModelName><Status>Trained</Status><FeatureExtractor>Default</FeatureExtractor><Postprocessing>None</Postprocessing><ColorHandling>ConvertToMonochrome</ColorHandling><Channels><Item PixelType="Gray8" /><Item PixelType="Gray16" /></Channels><TrainingClasses><Item colB="0" colG="0" colR="255" LabelValue="1" Name="background" /><Item colB="0" colG="255" colR="0" LabelValue="2" Name="nuc &amp; &lt;co&gt; üü" /></TrainingClasses><TotalTileHeight>1024</TotalTileHeight><TotalTileWidth>1024</TotalTileWidth><ScaleInputsByBitdepth>true</ScaleInputsByBitdepth></Model>`,
    );
  });

  it("reads a single class and Version 3.0.0; warns on an unknown version", () => {
    const one = CZMODEL_XML.replace('<Item colB="0" colG="255" colR="0" LabelValue="2" Name="Nucleus" />', "").replace(
      'Version="3.1.0"',
      'Version="3.0.0"',
    );
    const w: string[] = [];
    const m = LegacyModelMetadata.fromXml(one, "one.xml", w);
    expect(m.classes).toHaveLength(1);
    expect(m.version).toBe("3.0.0");
    expect(w).toEqual([]);
    LegacyModelMetadata.fromXml(CZMODEL_XML.replace('Version="3.1.0"', 'Version="9"'), "v.xml", w);
    expect(w).toEqual(['v.xml: Model@Version: "9" is not a known version (known: 3.1.0, 3.0.0, 1)']);
  });

  it("keeps class names with quotes, newlines and tabs through a write/read cycle", () => {
    const m = LegacyModelMetadata.fromParams({
      colorHandling: "SplitRgb",
      pixelTypes: ["Bgr24"],
      classes: ['a "b"\n\tc', "d & e"],
      borderSize: 0,
    });
    expect(LegacyModelMetadata.fromXml(m.toXml()).classNames).toEqual(['a "b"\n\tc', "d & e"]);
  });
});

describe("LegacyModelMetadata errors (exact text)", () => {
  const cases: [string, string, string][] = [
    [
      "unknown PixelType",
      CZMODEL_XML.replace('PixelType="Gray16"', 'PixelType="Gray12"'),
      'm.xml: Channels/Item[1]@PixelType: "Gray12" is not a known pixel type (allowed: one of Gray8, Gray16, Gray32Float, Bgr24, Bgr48, Bgr96Float, Bgra32, Gray64ComplexFloat, Bgr192ComplexFloat)',
    ],
    [
      "unknown ColorHandling",
      CZMODEL_XML.replace(">SplitRgb<", ">Rgb<"),
      'm.xml: ColorHandling: "Rgb" is not a known colour handling (allowed: one of ConvertToMonochrome, SplitRgb)',
    ],
    [
      "invalid UUID",
      CZMODEL_XML.replace("<Id>27eaeeab-7e9a-4f9c-88bb-6e5b477d2241", "<Id>model-1"),
      'm.xml: Id: "model-1" is not a UUID (allowed: a UUID such as 3f13b6da-d9c4-4a01-8b92-a02951bb0397)',
    ],
    [
      "colour out of range",
      CZMODEL_XML.replace('colR="255"', 'colR="256"'),
      "m.xml: TrainingClasses/Item[1]@colR: 256 is outside 0..255 (allowed: an integer 0..255)",
    ],
    [
      "colour not a number",
      CZMODEL_XML.replace('colG="255"', 'colG="x"'),
      'm.xml: TrainingClasses/Item[2]@colG: "x" is not a non-negative integer (allowed: an integer 0..255)',
    ],
    [
      "bad BorderSize",
      CZMODEL_XML.replace("<BorderSize>8<", "<BorderSize>8.5<"),
      'm.xml: BorderSize: "8.5" is not a non-negative integer (allowed: an integer >= 0)',
    ],
    [
      "no channels",
      CZMODEL_XML.replace('<Channels><Item PixelType="Gray16" /></Channels>', ""),
      "m.xml: Channels: missing (allowed: at least one <Item PixelType=…/>)",
    ],
    [
      "empty channels",
      CZMODEL_XML.replace('<Channels><Item PixelType="Gray16" /></Channels>', "<Channels />"),
      "m.xml: Channels: [] has no Item (allowed: at least one <Item PixelType=…/>)",
    ],
    ["wrong root", "<Other/>", 'm.xml: Other: root element is not <Model> (allowed: <Model Version="3.1.0"> … </Model>)'],
    [
      "malformed XML",
      CZMODEL_XML.replace("</ModelName>", "</Name>"),
      "m.xml: malformed XML at line 2, column 118: closing tag </Name> does not match <ModelName> opened at line 2, column 69",
    ],
    ["two roots", "<Model/><Model/>", "m.xml: malformed XML: 2 root elements (allowed: exactly one root element)"],
    [
      "unknown entity",
      CZMODEL_XML.replace('Name="Nucleus"', 'Name="&foo;"'),
      "m.xml: malformed XML: undefined entity &foo; (allowed: &amp; &lt; &gt; &quot; &apos; and numeric character references)",
    ],
    [
      "billion laughs",
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><Model><Id>&lol2;</Id></Model>',
      "m.xml: XML with a DOCTYPE or ENTITY declaration is refused (entity expansion is not allowed) (allowed: plain XML without a DTD)",
    ],
    [
      "UTF-16 declared",
      CZMODEL_XML.replace("encoding='utf-8'", "encoding='utf-16'"),
      'm.xml: XML encoding "utf-16" is not supported (allowed: UTF-8)',
    ],
  ];
  it.each(cases)("%s", (_name, xml, message) => {
    expect(errorOf(() => LegacyModelMetadata.fromXml(xml, "m.xml")).message).toBe(message);
  });
});
