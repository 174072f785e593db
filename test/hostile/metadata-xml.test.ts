/**
 * Issue 12 points 10 and 13: XML and ZIP headers that used to pass or crash. Legacy XML with a
 * duplicate or missing Id, duplicate LabelValues or class names, or 20 000 nested elements,
 * an OME-XML with a DOCTYPE or 20 000 levels, and a ZIP64 central directory at 2^63: each is
 * one line naming the problem, exit 2, never an internal error (exit 70) or "valid".
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { LegacyModelMetadata } from "../../src/metadata/index.js";
import { czmodel, expectOneLineError, scratchDir, text, zipEntry } from "../cli/helpers.js";
import { testdata } from "../helpers/paths.js";
import { buildTiff, grayTiff, TAG, withTags } from "./tiff.js";
import { zip64WithCentralOffset } from "./zip.js";

const GUID = "27eaeeab-7e9a-4f9c-88bb-6e5b477d2241";
let work: string;
let xml: string;
let model: Uint8Array;
beforeAll(async () => {
  work = await scratchDir("hostile-xml-");
  const legacy = testdata("models", "simple_nuclei_segmodel_legacy.czseg");
  xml = text(await zipEntry(legacy, `${GUID}.xml`));
  model = await zipEntry(legacy, `${GUID}.model`);
});

const deep = (n: number) => `<X>${"<a>".repeat(n)}${"</a>".repeat(n)}</X>`;

async function legacyFile(name: string, doc: string): Promise<string> {
  const path = join(work, `${name}.czseg`);
  const files = { [`${GUID}.xml`]: strToU8(doc), [`${GUID}.model`]: model, [`modelid=${GUID}`]: new Uint8Array(0) };
  await writeFile(path, zipSync(files, { level: 0 }));
  return path;
}

describe("legacy XML metadata", () => {
  it.each([
    ["a missing Id", (x: string) => x.replace(/<Id>[^<]*<\/Id>/, ""), /\.xml: Id: missing/],
    [
      "a duplicate Id",
      (x: string) => x.replace(/(<Id>[^<]*<\/Id>)/, "$1<Id>11111111-2222-4333-8444-555555555555</Id>"),
      /\.xml: Id: appears twice/,
    ],
    [
      "a duplicate LabelValue",
      (x: string) => x.replace('LabelValue="2"', 'LabelValue="1"'),
      /TrainingClasses\/Item\[2\]@LabelValue: 1 is also Item\[1\]'s \(allowed: a different LabelValue for every class\)/,
    ],
    [
      "a duplicate class name",
      (x: string) => x.replace('Name="Nucleus"', 'Name="Background"'),
      /TrainingClasses\/Item\[2\]@Name: "Background" is also Item\[1\]'s/,
    ],
    ["20 000 nested elements", (x: string) => x.replace("</Model>", `${deep(20000)}</Model>`), /XML nests elements more than 256 deep/],
  ])("%s is an error for validate and inspect", async (name, change, message) => {
    const doc = change(xml);
    expect(doc).not.toBe(xml);
    const path = await legacyFile(name.replace(/\W+/g, "-"), doc);
    expectOneLineError(await czmodel("validate", path), [path, message]);
    expectOneLineError(await czmodel("inspect", path), [path, message]);
  });

  it("the unchanged XML reads, and nesting of 200 levels is fine", () => {
    expect(LegacyModelMetadata.fromXml(xml).classes.map((c) => c.name)).toEqual(["Background", "Nucleus"]);
    expect(LegacyModelMetadata.fromXml(xml.replace("</Model>", `${deep(200)}</Model>`)).id).toBe(GUID);
  });
});

describe("OME-XML in a TIFF", () => {
  const ome = (inner: string, prolog = "") =>
    `<?xml version="1.0"?>${prolog}<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06">${inner}<Image ID="Image:0"><Pixels DimensionOrder="XYZCT" SizeX="16" SizeY="16" SizeZ="1" SizeC="1" SizeT="1" Type="uint8"><TiffData/></Pixels></Image></OME>`;

  it.each([
    ["a DOCTYPE", ome("", '<!DOCTYPE OME [<!ENTITY x "y">]>'), /OME-XML: XML with a DOCTYPE or ENTITY declaration is refused/],
    ["20 000 nested elements", ome(deep(20000)), /OME-XML: XML nests elements more than 256 deep/],
  ])("%s is a one-line error for image-info", async (name, doc, message) => {
    const path = join(work, `${name.replace(/\W+/g, "-")}.ome.tif`);
    await writeFile(path, buildTiff(withTags(grayTiff(), { tag: TAG.ImageDescription, type: 2, values: doc })));
    expectOneLineError(await czmodel("image-info", path), [path, message]);
  });

  it("the same OME-XML without them reads", async () => {
    const path = join(work, "plain.ome.tif");
    await writeFile(path, buildTiff(withTags(grayTiff(), { tag: TAG.ImageDescription, type: 2, values: ome("") })));
    const r = await czmodel("image-info", path);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("ome-tiff");
  });
});

describe("ZIP64", () => {
  it("a central directory offset of 2^63 is a one-line error, not an internal error", async () => {
    const path = join(work, "zip64.czann");
    await writeFile(path, zip64WithCentralOffset(2n ** 63n));
    expectOneLineError(await czmodel("inspect", path), [path, /ZIP64 size or offset is out of range|lies outside the file/]);
  });
});
