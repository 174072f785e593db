/**
 * Issue 2 acceptance, conversion specs: `savedmodel2czmodel SPEC OUTDIR NAME` with a legacy
 * flat spec (ModelPath relative to the spec's folder, Windows backslashes too),
 * `savedmodel2czann` and `czmodel convert … --format czann|czmodel` with a CZANN nested spec,
 * and czmodel's output-name rules (extension appended only when missing, `.czseg` kept,
 * default `DNNModel`, output folder created). Expected bytes come from the czmodel-made
 * samples in ../shared/testdata/models/.
 */
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { fixture, testdata } from "../helpers/paths.js";
import { czmodel, listTree, parseJson, readZip, savedmodel2czann, savedmodel2czmodel, text, zipEntry, scratchDir } from "./helpers.js";

const LEGACY = testdata("models", "simple_nuclei_segmodel_legacy.czseg");
const CZANN = testdata("models", "simple_nuclei_segmodel.czann");
const GUID = "27eaeeab-7e9a-4f9c-88bb-6e5b477d2241";
const CZANN_ID = "34c8660b-2db4-425d-a16d-d6e803171c9a";

let work: string;
let legacyXml: string;
let legacyModel: Uint8Array;
let czannJson: string;
let czannModel: Uint8Array;
let specs: { legacyBackslash: string; legacySlash: string; czann: string; czannLicensed: string; savedModel: string };

beforeAll(async () => {
  work = await scratchDir("cli-spec-");
  legacyXml = text(await zipEntry(LEGACY, `${GUID}.xml`));
  legacyModel = await zipEntry(LEGACY, `${GUID}.model`);
  czannJson = text(await zipEntry(CZANN, "model.json"));
  czannModel = await zipEntry(CZANN, "model.model");
  // specs/ holds the JSONs; the models sit in specs/models/ (legacy: the file is named like the
  // model, since czmodel takes the legacy ModelName from basename(ModelPath))
  const specDir = join(work, "specs");
  await mkdir(join(specDir, "models"), { recursive: true });
  await mkdir(join(specDir, "czann"), { recursive: true });
  await writeFile(join(specDir, "models", "Simple_Nuclei_SegmentationModel_Legacy"), legacyModel);
  await writeFile(join(specDir, "models", "nuclei.onnx"), czannModel);
  await cp(fixture("onnx", "savedmodel"), join(specDir, "models", "saved_model_dir"), { recursive: true });
  await writeFile(join(specDir, "LICENSE.txt"), "Apache-2.0 test licence\n");
  const legacySpec = {
    BorderSize: 8,
    ColorHandling: "SplitRgb",
    PixelType: "Gray16",
    Classes: ["Background", "Nucleus"],
    ModelPath: "models\\Simple_Nuclei_SegmentationModel_Legacy",
    Id: GUID,
  };
  specs = {
    legacyBackslash: join(specDir, "legacy_spec.json"),
    legacySlash: join(specDir, "legacy_spec_slash.json"),
    czann: join(specDir, "czann", "model_spec.json"),
    czannLicensed: join(specDir, "czann", "model_spec_licensed.json"),
    savedModel: join(specDir, "savedmodel_spec.json"),
  };
  await writeFile(specs.legacyBackslash, JSON.stringify(legacySpec, null, 4));
  await writeFile(
    specs.legacySlash,
    JSON.stringify({ ...legacySpec, ModelPath: "./models/Simple_Nuclei_SegmentationModel_Legacy", Id: undefined }),
  );
  const czannSpec = { ModelMetadata: JSON.parse(czannJson), ModelPath: "..\\models\\nuclei.onnx", LicenseFile: null };
  await writeFile(specs.czann, JSON.stringify(czannSpec, null, 4));
  await writeFile(specs.czannLicensed, JSON.stringify({ ...czannSpec, ModelPath: "../models/nuclei.onnx", LicenseFile: "../LICENSE.txt" }));
  await writeFile(
    specs.savedModel,
    JSON.stringify({ ...legacySpec, PixelType: "Bgr24", ModelPath: "models/saved_model_dir", Id: undefined }),
  );
});

describe("savedmodel2czmodel SPEC OUTDIR NAME (legacy flat spec)", () => {
  it("packs the model a backslash ModelPath names (relative to the spec) into OUTDIR/NAME.czmodel with czmodel's exact XML", async () => {
    const outdir = join(work, "out-legacy", "deep", "folder"); // does not exist yet
    const r = await savedmodel2czmodel(specs.legacyBackslash, outdir, "nuclei");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`wrote ${join(outdir, "nuclei.czmodel")}`);
    expect(await listTree(outdir)).toEqual(["nuclei.czmodel"]);
    const zip = await readZip(join(outdir, "nuclei.czmodel"));
    expect(zip.map((e) => [e.name, e.method])).toEqual([
      [`${GUID}.xml`, 0],
      [`${GUID}.model`, 0],
      [`modelid=${GUID}`, 0],
    ]);
    expect(text(zip[0]!.bytes)).toBe(legacyXml); // ModelName = basename(ModelPath), as czmodel names it
    expect(Buffer.from(zip[1]!.bytes).equals(Buffer.from(legacyModel))).toBe(true);
    expect(zip[2]!.bytes.length).toBe(0);
  });

  it("uses DNNModel when NAME is left out, and a fresh UUID when the spec has no Id", async () => {
    const outdir = join(work, "out-default");
    const r = await savedmodel2czmodel(specs.legacySlash, outdir, "--json");
    expect(r.status, r.stderr).toBe(0);
    const result = parseJson<{ path: string; format: string }>(r);
    expect(result.path).toBe(join(outdir, "DNNModel.czmodel"));
    expect(result.format).toBe("czmodel");
    expect(await listTree(outdir)).toEqual(["DNNModel.czmodel"]);
    const names = (await readZip(result.path)).map((e) => e.name);
    const id = /^([0-9a-f-]{36})\.xml$/.exec(names[0]!)?.[1];
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id).not.toBe(GUID);
    expect(names).toEqual([`${id}.xml`, `${id}.model`, `modelid=${id}`]);
  });

  it.each([
    ["x", "x.czmodel"],
    ["x.czmodel", "x.czmodel"],
    ["x.CZMODEL", "x.CZMODEL"],
    ["x.czseg", "x.czseg"],
    ["x.v2", "x.v2.czmodel"],
    ["x.czann", "x.czann.czmodel"],
  ])("NAME %s writes %s", async (name, file) => {
    const outdir = join(work, "names-legacy", name);
    const r = await savedmodel2czmodel(specs.legacyBackslash, outdir, name);
    expect(r.status, r.stderr).toBe(0);
    expect(await listTree(outdir)).toEqual([file]);
  });

  it("zips a SavedModel folder into the model entry (files only, paths relative to the folder)", async () => {
    const outdir = join(work, "out-savedmodel");
    // the test SavedModel has two outputs, which ZEN refuses: without --force nothing is written …
    const refused = await savedmodel2czmodel(specs.savedModel, outdir, "sm");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^savedmodel2czmodel: error: .*2 outputs \(softmax, mask\).*\n$/);
    expect(await listTree(outdir)).toBeNull();
    // … and with --force the file is written and the error reported
    const r = await savedmodel2czmodel(specs.savedModel, outdir, "sm", "--force", "--json");
    expect(r.status, r.stderr).toBe(0);
    const result = parseJson<{ findings: { severity: string; code: string }[] }>(r);
    expect(result.findings).toContainEqual(expect.objectContaining({ severity: "error", code: "output-count" }));
    const zip = await readZip(join(outdir, "sm.czmodel"));
    const model = zip.find((e) => e.name.endsWith(".model"))!;
    expect(text(model.bytes.subarray(0, 2))).toBe("PK");
    const expected = JSON.parse(await readFile(fixture("onnx", "savedmodel_expected.json"), "utf8")) as { zipOrder: string[] };
    const inner = unzipSync(model.bytes);
    expect(Object.keys(inner).sort()).toEqual([...expected.zipOrder].sort());
    const pb = await readFile(join(fixture("onnx", "savedmodel"), "saved_model.pb"));
    expect(Buffer.from(inner["saved_model.pb"]!).equals(pb)).toBe(true);
  });
});

describe("savedmodel2czann / czmodel convert (CZANN nested spec)", () => {
  it("savedmodel2czann writes OUTDIR/NAME.czann whose model.json is czmodel's byte for byte", async () => {
    const outdir = join(work, "out-czann");
    const r = await savedmodel2czann(specs.czann, outdir, "nuclei");
    expect(r.status, r.stderr).toBe(0);
    expect(await listTree(outdir)).toEqual(["nuclei.czann"]);
    const zip = await readZip(join(outdir, "nuclei.czann"));
    expect(zip.map((e) => [e.name, e.method])).toEqual([
      ["model.json", 0],
      ["model.model", 0],
    ]);
    expect(text(zip[0]!.bytes)).toBe(czannJson);
    expect(Buffer.from(zip[1]!.bytes).equals(Buffer.from(czannModel))).toBe(true);
  });

  it.each([
    [undefined, "DNNModel.czann"],
    ["y.czann", "y.czann"],
    ["y.CZANN", "y.CZANN"],
    ["y.czseg", "y.czseg.czann"],
    ["y.v2", "y.v2.czann"],
  ])("NAME %s writes %s", async (name, file) => {
    const outdir = join(work, "names-czann", String(name));
    const r = await savedmodel2czann(specs.czann, outdir, ...(name ? [name] : []));
    expect(r.status, r.stderr).toBe(0);
    expect(await listTree(outdir)).toEqual([file]);
  });

  it("packs the spec's LicenseFile (relative to the spec) as a third entry named by its basename", async () => {
    const outdir = join(work, "out-licensed");
    const r = await czmodel("convert", specs.czannLicensed, outdir, "lic");
    expect(r.status, r.stderr).toBe(0);
    const zip = await readZip(join(outdir, "lic.czann"));
    expect(zip.map((e) => e.name)).toEqual(["model.json", "model.model", "LICENSE.txt"]);
    expect(text(zip[2]!.bytes)).toBe("Apache-2.0 test licence\n");
    const inspect = parseJson<{ license: string | null }>(await czmodel("inspect", join(outdir, "lic.czann"), "--json"));
    expect(inspect.license).toBe("LICENSE.txt");
  });

  it("--license_file (czmodel's spelling) replaces the spec's licence", async () => {
    const other = join(work, "OTHER_LICENSE.md");
    await writeFile(other, "other\n");
    const outdir = join(work, "out-licensed2");
    const r = await savedmodel2czann(specs.czannLicensed, outdir, "lic", "--license_file", other);
    expect(r.status, r.stderr).toBe(0);
    expect((await readZip(join(outdir, "lic.czann"))).map((e) => e.name)).toEqual(["model.json", "model.model", "OTHER_LICENSE.md"]);
  });

  it("czmodel convert picks the format from the spec's flavour", async () => {
    const outdir = join(work, "out-convert-default");
    expect((await czmodel("convert", specs.czann, outdir, "a")).status).toBe(0);
    expect((await czmodel("convert", specs.legacyBackslash, outdir, "b")).status).toBe(0);
    expect(await listTree(outdir)).toEqual(["a.czann", "b.czmodel"]);
  });

  it("czmodel convert --format czmodel turns a CZANN spec into czmodel's legacy XML (BorderSize = MinOverlap / 2)", async () => {
    const outdir = join(work, "out-to-legacy");
    const r = await czmodel("convert", specs.czann, outdir, "legacy", "--format", "czmodel", "--json");
    expect(r.status, r.stderr).toBe(0);
    const result = parseJson<{ path: string; format: string; warnings: string[] }>(r);
    expect(result.format).toBe("czmodel");
    expect(result.path).toBe(join(outdir, "legacy.czmodel"));
    expect(result.warnings.join("\n")).toMatch(/PixelType Gray16 chosen for a 1-channel input/);
    const zip = await readZip(result.path);
    expect(zip.map((e) => e.name)).toEqual([`${CZANN_ID}.xml`, `${CZANN_ID}.model`, `modelid=${CZANN_ID}`]);
    // the czmodel-made legacy sample has the same classes and pixel type: only Id, name and border differ
    const expected = legacyXml
      .replace(GUID, CZANN_ID)
      .replace("<ModelName>Simple_Nuclei_SegmentationModel_Legacy<", "<ModelName>Simple_Nuclei_SegmentationModel<")
      .replace("<BorderSize>8<", "<BorderSize>4<");
    expect(text(zip[0]!.bytes)).toBe(expected);
    expect(Buffer.from(zip[1]!.bytes).equals(Buffer.from(czannModel))).toBe(true);
  });

  it("czmodel convert --format czann turns a legacy spec into model.json (shapes from the model, MinOverlap = 2 × BorderSize)", async () => {
    const outdir = join(work, "out-to-czann");
    const r = await czmodel("convert", specs.legacyBackslash, outdir, "n", "--format", "czann");
    expect(r.status, r.stderr).toBe(0);
    const zip = await readZip(join(outdir, "n.czann"));
    expect(zip.map((e) => e.name)).toEqual(["model.json", "model.model"]);
    expect(text(zip[0]!.bytes)).toBe(
      `{"Id": "${GUID}", "Type": "SingleClassSemanticSegmentation", "InputShape": [1024, 1024, 1], "OutputShape": [1024, 1024, 2], "MinOverlap": [16, 16], "Classes": ["Background", "Nucleus"], "ModelName": "Simple_Nuclei_SegmentationModel_Legacy"}`,
    );
    const v = await czmodel("validate", join(outdir, "n.czann"));
    expect(v.status, v.stdout).toBe(0);
  });
});
