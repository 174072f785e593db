import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LegacyModelMetadata, writeElementTreeXml, type XmlElement } from "../../src/metadata/index.js";
import { fixture, testdata } from "../helpers/paths.js";
import { openZip } from "../../src/container/node/index.js";

interface PyTree {
  tag: string;
  attributes: [string, string][];
  text: string | null;
  children: PyTree[];
}

function toElement(t: PyTree): XmlElement {
  return { tag: t.tag, attributes: t.attributes, ...(t.text !== null ? { text: t.text } : {}), children: t.children.map(toElement) };
}

const lines = (name: string) =>
  readFileSync(fixture("metadata", name), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

async function firstEntryText(path: string): Promise<string> {
  const zip = await openZip(path);
  try {
    const first = zip.entries[0]!;
    return new TextDecoder().decode(await zip.read(first, first.size));
  } finally {
    await zip.close();
  }
}

describe("ElementTree writer vs Python xml.etree (fixture from /usr/bin/python3)", () => {
  const cases = lines("python_xml.jsonl") as { tree: PyTree; output: string }[];
  it.each(cases.map((c, i) => [i, c] as const))("case %i", (_i, c) => {
    expect(writeElementTreeXml(toElement(c.tree))).toBe(c.output);
  });
});

describe("LegacyModelMetadata.toXml vs czmodel's to_xml re-enacted in Python", () => {
  const cases = lines("czmodel_legacy_xml.jsonl") as {
    params: {
      id: string;
      name: string;
      color_handling: "SplitRgb" | "ConvertToMonochrome";
      pixel_types: never[];
      classes: string[];
      border_size: number;
      postprocessing?: string;
    };
    output: string;
  }[];
  it.each(cases.map((c) => [c.params.name, c] as const))("%s", (_n, c) => {
    const m = LegacyModelMetadata.fromParams({
      id: c.params.id,
      modelName: c.params.name,
      colorHandling: c.params.color_handling,
      pixelTypes: c.params.pixel_types,
      classes: c.params.classes,
      borderSize: c.params.border_size,
      ...(c.params.postprocessing !== undefined ? { postprocessing: c.params.postprocessing } : {}),
    });
    expect(m.toXml()).toBe(c.output);
    // and it reads back to the same values
    const back = LegacyModelMetadata.fromXml(c.output, "x.xml");
    expect(back.classNames).toEqual(c.params.classes);
    expect(back.modelName).toBe(c.params.name);
    expect(back.toXml()).toBe(c.output);
  });

  it("the Python re-enactment equals the real czmodel-made XML of the i2k .czseg sample", async () => {
    const real = await firstEntryText(testdata("models", "simple_nuclei_segmodel_legacy.czseg"));
    expect(cases[0]?.output).toBe(real);
  });
});
