/**
 * Issue 2 acceptance, bad input: broken and hostile archives, bad metadata (in an archive, on
 * the `pack` command line and in a conversion spec), bad model paths and unusable models.
 * Each case: exactly one `czmodel: error: …` line on stderr naming the problem, exit 2 (1 for
 * validate findings), no stack trace, and no partial or stray file (folders listed before and
 * after). The broken archives are built here with fflate.
 */
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { strToU8, zipSync, type Zippable } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { fixture, testdata } from "../helpers/paths.js";
import {
  czmodel,
  expectOneLineError,
  listTree,
  parseJson,
  savedmodel2czann,
  savedmodel2czmodel,
  text,
  zipEntry,
  type CliResult,
  scratchDir,
} from "./helpers.js";

const GUID = "27eaeeab-7e9a-4f9c-88bb-6e5b477d2241";
let work: string;
let czannMeta: Record<string, unknown>;
let czannModel: Uint8Array;
let legacyXml: string;
let legacyModel: Uint8Array;
let onnxPath: string; // the nuclei model (1 → 2 channels, 1024 × 1024) as an .onnx file

beforeAll(async () => {
  work = await scratchDir("cli-bad-");
  const czann = testdata("models", "simple_nuclei_segmodel.czann");
  const legacy = testdata("models", "simple_nuclei_segmodel_legacy.czseg");
  czannMeta = JSON.parse(text(await zipEntry(czann, "model.json"))) as Record<string, unknown>;
  czannModel = await zipEntry(czann, "model.model");
  legacyXml = text(await zipEntry(legacy, `${GUID}.xml`));
  legacyModel = await zipEntry(legacy, `${GUID}.model`);
  onnxPath = join(work, "nuclei.onnx");
  await writeFile(onnxPath, czannModel);
});

/** A fresh folder holding only `name` with these bytes. */
async function lonelyFile(name: string, bytes: Uint8Array | string): Promise<{ dir: string; path: string }> {
  const dir = await scratchDir("cli-bad-case-");
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { dir, path };
}

const czannZip = (files: Zippable) => zipSync(files, { level: 0 });
const json = (o: unknown) => strToU8(JSON.stringify(o));
const legacyZip = (xml: string | null, model: Uint8Array | null) =>
  zipSync(
    {
      ...(xml !== null ? { [`${GUID}.xml`]: strToU8(xml) } : {}),
      ...(model !== null ? { [`${GUID}.model`]: model } : {}),
      [`modelid=${GUID}`]: new Uint8Array(0),
    },
    { level: 0 },
  );

/**
 * `inspect`, `validate` and `unpack` all refuse the archive with one line matching `patterns`,
 * and nothing appears next to it (unpack's target folder is not even created).
 */
async function expectArchiveRefused(name: string, bytes: Uint8Array | string, patterns: (RegExp | string)[]): Promise<void> {
  const { dir, path } = await lonelyFile(name, bytes);
  for (const args of [
    ["inspect", path],
    ["validate", path],
    ["validate", path, "--run"],
    ["unpack", path, join(dir, "unpacked")],
  ]) {
    const r = await czmodel(...args);
    expectOneLineError(r, [path, ...patterns]);
    expect(r.stdout).toBe("");
  }
  expect(await listTree(dir)).toEqual([name]);
}

describe("broken archives (inspect, validate, validate --run, unpack)", () => {
  it("a file that is not a ZIP", async () => {
    await expectArchiveRefused("notzip.czann", "this is plain text, not a model\n", ["not a ZIP archive"]);
  });

  it("an empty file", async () => {
    await expectArchiveRefused("empty.czann", new Uint8Array(0), [/ZIP/]);
  });

  it("a truncated ZIP", async () => {
    const whole = await readFile(testdata("models", "simple_nuclei_segmodel.czann"));
    await expectArchiveRefused("truncated.czann", whole.subarray(0, whole.length - 100), ["truncated ZIP archive"]);
  });

  it("a ZIP with a corrupted entry (CRC mismatch)", async () => {
    const zip = czannZip({ "model.json": json(czannMeta), "model.model": czannModel });
    const i = Buffer.from(zip).indexOf(Buffer.from(czannModel.subarray(0, 64)));
    zip[i + 40] = zip[i + 40]! ^ 0xff; // flip a byte of the model's data
    await expectArchiveRefused("crc.czann", zip, [/CRC/i, "model.model"]);
  });

  it("a zip bomb in the model entry (DEFLATE ratio above 1000:1)", async () => {
    const bomb = zipSync({ "model.json": [json(czannMeta), { level: 0 }], "model.model": [new Uint8Array(4 << 20), { level: 9 }] });
    expect(bomb.length).toBeLessThan(8000);
    await expectArchiveRefused("bomb.czann", bomb, ["model.model", /zip bomb/]);
  });

  it("a zip bomb in the metadata entry (model.json over its 1 MiB limit)", async () => {
    const bomb = zipSync({
      "model.json": [strToU8(JSON.stringify(czannMeta) + " ".repeat(3 << 20)), { level: 9 }],
      "model.model": [czannModel, { level: 0 }],
    });
    await expectArchiveRefused("bomb-json.czann", bomb, ["model.json", /zip bomb/]);
  });

  it("a .czann without model.json", async () => {
    await expectArchiveRefused("nojson.czann", czannZip({ "model.model": czannModel }), ["no model.json entry"]);
  });

  it("a .czann without model.model", async () => {
    await expectArchiveRefused("nomodel.czann", czannZip({ "model.json": json(czannMeta) }), ["no model.model entry"]);
  });

  it("two model.json entries: refused as ambiguous (not the first read and the second shown as the licence)", async () => {
    // fflate keys are unique, so write a same-length stand-in name and rename it in the bytes
    const bytes = czannZip({
      "model.json": json(czannMeta),
      "model.model": czannModel,
      "model-json": json({ ...czannMeta, ModelName: "other" }),
    });
    const twice = Buffer.from(bytes).toString("latin1").replaceAll("model-json", "model.json");
    await expectArchiveRefused("twice.czann", Buffer.from(twice, "latin1"), ['entry "model.json" appears twice']);
  });

  it("model.json next to MODEL.JSON (and model.model next to Model.Model): refused by inspect and validate", async () => {
    for (const files of <Zippable[]>[
      { "model.json": json(czannMeta), "MODEL.JSON": json(czannMeta), "model.model": czannModel },
      { "model.json": json(czannMeta), "model.model": czannModel, "Model.Model": czannModel },
    ]) {
      const { path } = await lonelyFile("cases.czann", czannZip(files));
      for (const command of ["inspect", "validate"]) expectOneLineError(await czmodel(command, path), [path, "appears twice"]);
    }
  });

  it("a legacy file without <guid>.xml", async () => {
    await expectArchiveRefused("noxml.czmodel", legacyZip(null, legacyModel), ["no <guid>.xml entry"]);
  });

  it("a legacy file without <guid>.model", async () => {
    await expectArchiveRefused("nomodel.czseg", legacyZip(legacyXml, null), ["no <guid>.model entry"]);
  });

  it("malformed JSON in model.json", async () => {
    await expectArchiveRefused("badjson.czann", czannZip({ "model.json": strToU8('{"Id": "x", "Type": '), "model.model": czannModel }), [
      "model.json",
      "malformed JSON",
      "line 1",
    ]);
  });

  it("malformed XML", async () => {
    await expectArchiveRefused("badxml.czmodel", legacyZip(legacyXml.slice(0, 200), legacyModel), [`${GUID}.xml`, "malformed XML"]);
  });

  it("billion-laughs XML (entity expansion) is refused, not expanded", async () => {
    const lol = (n: number) => `<!ENTITY lol${n} "${`&lol${n - 1};`.repeat(10)}">`;
    const dtd = `<!DOCTYPE Model [<!ENTITY lol0 "lol">${Array.from({ length: 9 }, (_, i) => lol(i + 1)).join("")}]>`;
    const xml = legacyXml.replace("\n", `\n${dtd}\n`).replace("<ModelName>Simple_Nuclei_SegmentationModel_Legacy<", "<ModelName>&lol9;<");
    const started = Date.now();
    await expectArchiveRefused("lol.czmodel", legacyZip(xml, legacyModel), [`${GUID}.xml`, /DOCTYPE|ENTITY/]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("an unknown Type in model.json", async () => {
    await expectArchiveRefused(
      "type.czann",
      czannZip({ "model.json": json({ ...czannMeta, Type: "Segmentation" }), "model.model": czannModel }),
      ["model.json: Type", '"Segmentation" is not a known model type', "SingleClassSemanticSegmentation"],
    );
  });

  it("an unknown PixelType in the legacy XML", async () => {
    await expectArchiveRefused("pixel.czmodel", legacyZip(legacyXml.replace('PixelType="Gray16"', 'PixelType="Gray12"'), legacyModel), [
      "PixelType",
      '"Gray12" is not a known pixel type',
      "Gray16",
    ]);
  });

  it("Classes that do not match the output channels in model.json", async () => {
    await expectArchiveRefused(
      "classes.czann",
      czannZip({ "model.json": json({ ...czannMeta, Classes: ["a", "b", "c"] }), "model.model": czannModel }),
      ["model.json: Classes", "3 classes", "2 channels"],
    );
  });

  it("an odd MinOverlap in model.json", async () => {
    await expectArchiveRefused(
      "odd.czann",
      czannZip({ "model.json": json({ ...czannMeta, MinOverlap: [7, 7] }), "model.model": czannModel }),
      ["MinOverlap", "7 is odd"],
    );
  });

  it("an invalid UUID in model.json", async () => {
    await expectArchiveRefused(
      "uuid.czann",
      czannZip({ "model.json": json({ ...czannMeta, Id: "not-a-uuid" }), "model.model": czannModel }),
      ["model.json: Id", '"not-a-uuid" is not a UUID'],
    );
  });
});

describe("zip-slip entry names on unpack", () => {
  it.each([
    ["../evil.txt", "'..'"],
    ["sub/../../evil.txt", "'..'"],
    ["..\\evil.txt", "'..'"],
    ["/tmp/czmodel-zip-slip-evil.txt", "absolute"],
    ["C:\\evil.txt", /drive|absolute/],
  ])("%s: refused, nothing written inside or outside the target", async (name, pattern) => {
    const root = await scratchDir("cli-slip-");
    const archive = join(root, "sub", "slip.czann");
    await mkdir(join(root, "sub"));
    await writeFile(archive, czannZip({ "model.json": json(czannMeta), "model.model": czannModel, [name]: strToU8("evil") }));
    const r = await czmodel("unpack", archive, join(root, "sub", "target"));
    expectOneLineError(r, [`entry ${JSON.stringify(name)}`, pattern]);
    expect(await listTree(root)).toEqual(["sub/", "sub/slip.czann"]);
    expect(await listTree("/tmp/czmodel-zip-slip-evil.txt")).toBeNull();
  });

  it("a corrupted last entry: the entries before it are not left behind (all or nothing)", async () => {
    const root = await scratchDir("cli-slip-");
    const archive = join(root, "partial.czann");
    const zip = czannZip({ "model.json": json(czannMeta), "model.model": czannModel, "notes.txt": strToU8("x".repeat(4000)) });
    const at = Buffer.from(zip).indexOf(Buffer.from("x".repeat(64)));
    zip[at + 100] = 0x79; // "y": the CRC-32 no longer matches
    await writeFile(archive, zip);
    const r = await czmodel("unpack", archive, join(root, "target"));
    expectOneLineError(r, ["notes.txt", /CRC/i]);
    expect(await listTree(root)).toEqual(["partial.czann"]);
  });

  it("an existing target folder keeps exactly its old content", async () => {
    const root = await scratchDir("cli-slip-");
    await mkdir(join(root, "target"));
    await writeFile(join(root, "target", "model.json"), "old");
    const archive = join(root, "slip.czann");
    await writeFile(archive, czannZip({ "model.json": json(czannMeta), "model.model": czannModel, "../evil.txt": strToU8("evil") }));
    const r = await czmodel("unpack", archive, join(root, "target"));
    expectOneLineError(r, ["../evil.txt"]);
    expect(await listTree(root)).toEqual(["slip.czann", "target/", "target/model.json"]);
    expect(await readFile(join(root, "target", "model.json"), "utf8")).toBe("old");
  });
});

/** `pack` refuses: one line, nothing written (the output folder is not created). */
async function expectPackRefused(args: string[], patterns: (RegExp | string)[], model = onnxPath): Promise<CliResult> {
  const dir = await scratchDir("cli-bad-pack-");
  const r = await czmodel("pack", model, ...args, "--out", join(dir, "out", "x.czann"));
  expectOneLineError(r, patterns);
  expect(await listTree(dir)).toEqual([]);
  return r;
}

const SEG = ["--type", "SingleClassSemanticSegmentation", "--classes", "Background,Nucleus", "--min-overlap", "8,8"];

describe("bad pack options", () => {
  it("an unknown --type (usage error: one line, exit 2)", async () => {
    await expectPackRefused(
      ["--type", "Segmentation", "--classes", "a,b"],
      ["--type", "'Segmentation' is invalid", "SingleClassSemanticSegmentation"],
    );
  });

  it("an unknown --pixel-type", async () => {
    await expectPackRefused(
      ["--format", "czmodel", "--classes", "a,b", "--pixel-type", "Gray12", "--border", "8"],
      ["--pixel-type", '"Gray12"', "Gray16"],
    );
  });

  it("a legacy .czmodel without --border (czmodel always writes BorderSize)", async () => {
    const dir = await scratchDir("cli-bad-pack-");
    const r = await czmodel("pack", onnxPath, "--format", "czmodel", "--classes", "a,b", "--out", join(dir, "x.czmodel"));
    expectOneLineError(r, ["--border is required for a .czmodel", "--min-overlap"]);
    expect(await listTree(dir)).toEqual([]);
    // --min-overlap N,N stands in for it: BorderSize = N / 2
    const ok = await czmodel(
      "pack",
      onnxPath,
      "--format",
      "czmodel",
      "--classes",
      "a,b",
      "--min-overlap",
      "16,16",
      "--out",
      join(dir, "x.czmodel"),
      "--json",
    );
    expect(ok.status, ok.stderr).toBe(0);
    expect(String(parseJson<{ metadata: { xml: string } }>(ok).metadata.xml)).toContain("<BorderSize>8</BorderSize>");
  });

  it("--classes that do not match the output channels", async () => {
    await expectPackRefused(
      ["--type", "SingleClassSemanticSegmentation", "--classes", "a,b,c", "--min-overlap", "8,8"],
      ["Classes", "3 classes", "2 channels"],
    );
  });

  it("an odd --min-overlap", async () => {
    await expectPackRefused(
      ["--type", "SingleClassSemanticSegmentation", "--classes", "a,b", "--min-overlap", "7,8"],
      ["MinOverlap[0]", "7 is odd", "even"],
    );
  });

  it("an invalid --id", async () => {
    await expectPackRefused([...SEG, "--id", "3f13b6da-d9c4-4a01-8b92"], ["Id", "is not a UUID"]);
  });

  it("a model file that does not exist", async () => {
    await expectPackRefused(SEG, ["no-such-model.onnx", "not found"], join(work, "no-such-model.onnx"));
  });

  it("a file that is not an ONNX model", async () => {
    const notOnnx = join(work, "notes.onnx");
    await writeFile(notOnnx, "just text");
    await expectPackRefused(SEG, ["notes.onnx", "is not an ONNX model"], notOnnx);
  });

  it("a SavedModel folder without saved_model.pb", async () => {
    const folder = join(work, "not_a_savedmodel");
    await mkdir(join(folder, "variables"), { recursive: true });
    await writeFile(join(folder, "variables", "variables.index"), "x");
    await expectPackRefused(
      ["--type", "Regression", "--input-shape", "64,64,1", "--output-shape", "64,64,1"],
      ["not_a_savedmodel", "saved_model.pb is missing"],
      folder,
    );
  });

  it("an ONNX model with two inputs is refused; with --force it is written and validate reports it (exit 1)", async () => {
    const twoInputs = fixture("onnx", "two_inputs.onnx");
    await expectPackRefused(
      ["--type", "Regression", "--min-overlap", "2,2"],
      ["ZEN would reject this model", "2 inputs (a, b)", "exactly one"],
      twoInputs,
    );
    const dir = await scratchDir("cli-bad-pack-");
    const out = join(dir, "two.czann");
    const forced = await czmodel("pack", twoInputs, "--type", "Regression", "--min-overlap", "2,2", "--force", "--out", out);
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/error: ONNX inputs: .*2 inputs/);
    const v = await czmodel("validate", out);
    expect(v.status).toBe(1);
    expect(v.stderr).toBe("");
    expect(v.stdout).toMatch(/INVALID for zen-3\.13: 1 error/);
    expect(v.stdout).toMatch(/error\s+ONNX inputs: the ONNX model has 2 inputs \(a, b\); ZEN needs exactly one/);
    const vj = parseJson<{ ok: boolean; findings: { code: string; severity: string }[] }>(await czmodel("validate", out, "--json"));
    expect(vj.ok).toBe(false);
    expect(vj.findings).toContainEqual(expect.objectContaining({ code: "input-count", severity: "error" }));
    const inspect = parseJson<{ model: { inputs: { name: string }[] } }>(await czmodel("inspect", out, "--json"));
    expect(inspect.model.inputs.map((t) => t.name)).toEqual(["a", "b"]);
  });

  it("--out that names a folder (trailing separator) is refused instead of writing a file next to it", async () => {
    const dir = await scratchDir("cli-bad-pack-");
    for (const out of [`${join(dir, "models")}/`, `${join(dir, "models")}\\`]) {
      const r = await czmodel("pack", onnxPath, ...SEG, "--out", out);
      expectOneLineError(r, ["--out", "names a folder"]);
    }
    expect(await listTree(dir)).toEqual([]);
  });

  it("a failed pack leaves an existing file of the same name untouched", async () => {
    const dir = await scratchDir("cli-bad-pack-");
    const out = join(dir, "x.czann");
    await writeFile(out, "previous model");
    const r = await czmodel(
      "pack",
      onnxPath,
      "--type",
      "SingleClassSemanticSegmentation",
      "--classes",
      "a,b,c",
      "--min-overlap",
      "8,8",
      "--out",
      out,
    );
    expectOneLineError(r, ["3 classes"]);
    expect(await listTree(dir)).toEqual(["x.czann"]);
    expect(await readFile(out, "utf8")).toBe("previous model");
  });
});

describe("validate findings (exit 1)", () => {
  it("model.json shapes that contradict the ONNX model", async () => {
    const { dir, path } = await lonelyFile(
      "mismatch.czann",
      czannZip({ "model.json": json({ ...czannMeta, InputShape: [512, 512, 1], OutputShape: [512, 512, 2] }), "model.model": czannModel }),
    );
    const r = await czmodel("validate", path);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/InputShape \[512, 512, 1\] does not match the ONNX model's \[unk__15, 1024, 1024, 1\]/);
    expect(r.stdout).toMatch(/OutputShape \[512, 512, 2\] does not match/);
    expect(await listTree(dir)).toEqual(["mismatch.czann"]);
  });
});

describe("bad conversion specs (savedmodel2czmodel, savedmodel2czann, czmodel convert)", () => {
  const legacySpec = {
    BorderSize: 8,
    ColorHandling: "SplitRgb",
    PixelType: "Gray16",
    Classes: ["Background", "Nucleus"],
    ModelPath: "nuclei.onnx",
  };
  let specDir: string;
  beforeAll(async () => {
    specDir = join(work, "specs");
    await mkdir(specDir, { recursive: true });
    await writeFile(join(specDir, "nuclei.onnx"), czannModel);
  });

  /** Write `spec` (object or raw text), run the tool, expect one line and no output folder. */
  async function expectSpecRefused(
    tool: "savedmodel2czmodel" | "savedmodel2czann" | "convert",
    name: string,
    spec: unknown,
    patterns: (RegExp | string)[],
    namesSpec = true,
  ): Promise<void> {
    const specPath = join(specDir, name);
    await writeFile(specPath, typeof spec === "string" ? spec : JSON.stringify(spec));
    const outdir = join(work, "spec-out", name);
    const r =
      tool === "savedmodel2czmodel"
        ? await savedmodel2czmodel(specPath, outdir, "m")
        : tool === "savedmodel2czann"
          ? await savedmodel2czann(specPath, outdir, "m")
          : await czmodel("convert", specPath, outdir, "m");
    expectOneLineError(r, [...(namesSpec ? [name] : []), ...patterns], { tool: tool === "convert" ? "czmodel" : tool });
    expect(await listTree(outdir)).toBeNull();
  }

  it("a ModelPath that does not exist", async () => {
    await expectSpecRefused("savedmodel2czmodel", "missing_model.json", { ...legacySpec, ModelPath: "models\\missing.onnx" }, [
      'ModelPath "models\\missing.onnx" does not exist',
      `${specDir}/models/missing.onnx`,
    ]);
  });

  it("a ModelPath that is a folder without saved_model.pb", async () => {
    await mkdir(join(specDir, "empty_savedmodel", "variables"), { recursive: true });
    await expectSpecRefused(
      "savedmodel2czmodel",
      "not_savedmodel.json",
      { ...legacySpec, ModelPath: "empty_savedmodel" },
      [`${specDir}/empty_savedmodel`, "saved_model.pb is missing"],
      false,
    );
  });

  it("a spec file that does not exist", async () => {
    const outdir = join(work, "spec-out", "nonexistent");
    const r = await savedmodel2czmodel(join(specDir, "nope.json"), outdir);
    expectOneLineError(r, ["nope.json", "not found"], { tool: "savedmodel2czmodel" });
    expect(await listTree(outdir)).toBeNull();
  });

  it("malformed spec JSON", async () => {
    await expectSpecRefused("savedmodel2czann", "malformed.json", '{"ModelMetadata": {"Type": ', ["malformed JSON"]);
  });

  it("an unknown Type in a CZANN spec", async () => {
    await expectSpecRefused(
      "savedmodel2czann",
      "type.json",
      { ModelMetadata: { ...czannMeta, Type: "Segmentation" }, ModelPath: "nuclei.onnx" },
      ["ModelMetadata: Type", '"Segmentation"'],
    );
  });

  it("an unknown PixelType in a legacy spec", async () => {
    await expectSpecRefused("savedmodel2czmodel", "pixel.json", { ...legacySpec, PixelType: "Gray12" }, [
      "PixelType",
      /Gray12|not a known pixel type/,
    ]);
  });

  it("Classes that do not match the model's output channels", async () => {
    await expectSpecRefused(
      "convert",
      "classes.json",
      { ModelMetadata: { ...czannMeta, Classes: ["a", "b", "c"] }, ModelPath: "nuclei.onnx" },
      ["Classes", "3 classes"],
    );
  });

  it("legacy Classes that do not match the model's output channels", async () => {
    await expectSpecRefused(
      "savedmodel2czmodel",
      "legacy_classes.json",
      { ...legacySpec, Classes: ["a", "b", "c"] },
      ["TrainingClasses", "3 classes", "2 channels"],
      false,
    );
  });

  it("an odd MinOverlap", async () => {
    await expectSpecRefused(
      "savedmodel2czann",
      "odd.json",
      { ModelMetadata: { ...czannMeta, MinOverlap: [9, 8] }, ModelPath: "nuclei.onnx" },
      ["MinOverlap", "9 is odd"],
    );
  });

  it("an invalid UUID (CZANN and legacy)", async () => {
    await expectSpecRefused("savedmodel2czann", "uuid.json", { ModelMetadata: { ...czannMeta, Id: "1234" }, ModelPath: "nuclei.onnx" }, [
      "Id",
      "is not a UUID",
    ]);
    await expectSpecRefused("savedmodel2czmodel", "legacy_uuid.json", { ...legacySpec, Id: "1234" }, ["Id", "is not a UUID"]);
  });

  it("a NAME that is a path (sub/model, ../x): refused before anything is written, nothing outside or inside the output folder", async () => {
    const specPath = join(specDir, "good.json");
    await writeFile(specPath, JSON.stringify(legacySpec));
    const outdir = join(work, "spec-out", "fresh", "folder");
    const r = await savedmodel2czmodel(specPath, outdir, "sub/model");
    expectOneLineError(r, ['"sub/model" is not a file name', "NAME"], { tool: "savedmodel2czmodel" });
    expect(await listTree(join(work, "spec-out", "fresh"))).toBeNull();
    const outside = await czmodel("convert", specPath, outdir, "../escaped");
    expectOneLineError(outside, ['"../escaped" is not a file name']);
    expect(await listTree(join(work, "spec-out", "fresh"))).toBeNull();
    for (const name of ["..", "a\\b", "bad\nname"])
      expectOneLineError(await czmodel("convert", specPath, outdir, name), ["is not a file name"]);
  });

  it("a spec that is neither flavour", async () => {
    await expectSpecRefused("convert", "neither.json", { ModelPath: "nuclei.onnx" }, ["neither a CZANN spec", "nor a legacy spec"]);
  });
});

describe("output spoofing", () => {
  it("inspect escapes control characters in names (a newline or ESC[2J cannot forge lines); --json keeps them exact", async () => {
    const forged = "Nuclei\nType                 Regression\u001b[2J";
    const { path } = await lonelyFile(
      "spoof.czann",
      czannZip({ "model.json": json({ ...czannMeta, ModelName: forged }), "model.model": czannModel }),
    );
    const human = await czmodel("inspect", path);
    expect(human.status, human.stderr).toBe(0);
    expect(human.stdout).not.toContain("\u001b");
    expect(human.stdout.split("\n").filter((line) => /^\s*Type\s+Regression/.test(line))).toEqual([]);
    expect(human.stdout).toContain("Nuclei\\x0aType                 Regression\\x1b[2J");
    const machine = await czmodel("inspect", path, "--json");
    expect(JSON.stringify(parseJson(machine))).toContain(JSON.stringify(forged).slice(1, -1));
  });
});

describe("unreadable networks are invalid, not valid with a warning", () => {
  it("a truncated ONNX payload or one with an absurd length prefix: validate reports the error onnx-unreadable and exits 1", async () => {
    // the real model's first fields, then a graph field (7) whose length prefix says 2^31 bytes
    const head = czannModel.subarray(0, 64);
    const absurd = new Uint8Array([...head, 0x3a, 0x80, 0x80, 0x80, 0x80, 0x08, 0x0a, 0x00]);
    for (const [name, model] of [
      ["truncated.czann", czannModel.subarray(0, Math.floor(czannModel.length / 2))],
      ["absurd.czann", absurd],
    ] as const) {
      const { path } = await lonelyFile(name, czannZip({ "model.json": json(czannMeta), "model.model": model }));
      const r = await czmodel("validate", path, "--json");
      expect(r.status, r.stderr).toBe(1);
      const report = parseJson(r) as { ok: boolean; findings: { severity: string; code: string; message: string }[] };
      expect(report.ok).toBe(false);
      const finding = report.findings.find((f) => f.code === "onnx-unreadable");
      expect(finding?.severity).toBe("error");
      expect(finding?.message).toMatch(/^the ONNX model cannot be parsed: /);
      const human = await czmodel("validate", path);
      expect(human.status).toBe(1);
      expect(human.stdout).toMatch(/: INVALID for zen-3\.13: /);
    }
  });
});

describe("special files are refused, never read without end or waited on", () => {
  let fifo: string;
  beforeAll(async () => {
    fifo = join(await scratchDir("cli-bad-fifo-"), "model.czann");
    execFileSync("mkfifo", [fifo]);
  });

  it("inspect and validate of /dev/zero or a FIFO: one line, no hang", async () => {
    for (const path of ["/dev/zero", fifo]) {
      for (const command of ["inspect", "validate"]) expectOneLineError(await czmodel(command, path), [path, "is not a regular file"]);
    }
  });

  it("pack of /dev/zero or a FIFO as the model, or /dev/urandom as --license", async () => {
    await expectPackRefused(SEG, ["/dev/zero", "model is not a regular file"], "/dev/zero");
    await expectPackRefused(SEG, [fifo, "model is not a regular file"], fifo);
    await expectPackRefused([...SEG, "--license", "/dev/urandom"], ["/dev/urandom", "licence file is not a regular file"]);
  });

  it("a conversion spec whose ModelPath is /dev/zero, and a FIFO as the spec itself", async () => {
    const dir = await scratchDir("cli-bad-special-spec-");
    const spec = join(dir, "spec.json");
    await writeFile(spec, JSON.stringify({ ModelMetadata: czannMeta, ModelPath: "/dev/zero" }));
    expectOneLineError(await czmodel("convert", spec, join(dir, "out"), "m"), ["/dev/zero", "model is not a regular file"]);
    expectOneLineError(await czmodel("convert", fifo, join(dir, "out"), "m"), [fifo, "conversion spec is not a regular file"]);
    expect(await listTree(dir)).toEqual(["spec.json"]);
  });
});
