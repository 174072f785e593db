/**
 * `czmodel export-bioimageio` beyond the happy path: bad inputs (one `czmodel: error:` line,
 * exit 2, and nothing written: the output folder is listed before and after), `--help`, and
 * packages of models packed here with awkward metadata (class names that are not
 * identifiers, a name with dots, an odd border, a licence file), the synthetic test image,
 * the JSON error document and Ctrl-C (a real SIGINT to a real process).
 */
import { spawn } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { strToU8, unzipSync, zipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { DEPRECATED_SPDX_LICENSE_IDS, SPDX_LICENSE_IDS } from "../../src/bioimageio/export-licenses.js";
import { fixture, repoRoot, testdata } from "../helpers/paths.js";
import { czmodel, expectOneLineError, listTree, parseJson, scratchDir, text, type CliResult } from "../cli/helpers.js";
import { ajvErrors, pythonCheck, readRdf, SCHEMA_PATH, unzipTo } from "./helpers.js";

const PYTORCH = testdata("models", "simple_pytorch_nuclei_segmodel_pytorch.czann");
let work: string;
let onnx512: string; // the PyTorch nuclei network (512 × 512, 1 → 2 channels) as an .onnx file
let czannMeta: Record<string, unknown>;

beforeAll(async () => {
  work = await scratchDir("bioimageio-cli-");
  const files = unzipSync(new Uint8Array(await readFile(PYTORCH)));
  onnx512 = join(work, "nuclei512.onnx");
  await writeFile(onnx512, files["model.model"]!);
  czannMeta = JSON.parse(text(files["model.json"]!)) as Record<string, unknown>;
});

/** Run in a fresh folder holding only `files`; the folder must look the same afterwards. */
async function expectNothingWritten(
  args: (dir: string) => string[],
  patterns: (string | RegExp)[],
  files: Record<string, Uint8Array> = {},
): Promise<CliResult> {
  const dir = await scratchDir("bioimageio-bad-");
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
  const before = await listTree(dir);
  const r = await czmodel("export-bioimageio", ...args(dir));
  expectOneLineError(r, patterns);
  expect(await listTree(dir)).toEqual(before);
  return r;
}

describe("export-bioimageio bad inputs: one line, exit 2, nothing written", () => {
  it("a missing model", async () => {
    await expectNothingWritten((d) => [join(d, "nope.czann"), join(d, "out.zip")], ["nope.czann: file not found"]);
  });

  it("a model file whose payload is not ONNX", async () => {
    const bad = zipSync({ "model.json": strToU8(JSON.stringify(czannMeta)), "model.model": strToU8("this is no network") }, { level: 0 });
    await expectNothingWritten(
      (d) => [join(d, "bad.czann"), join(d, "out.zip")],
      ["bad.czann", "not an ONNX model", "a bioimage.io package is made from an ONNX model"],
      { "bad.czann": bad },
    );
  });

  it("an output in a folder that does not exist", async () => {
    await expectNothingWritten((d) => [PYTORCH, join(d, "missing", "out.zip")], ["cannot write output: the folder does not exist"]);
  });

  it("an output path that names a folder", async () => {
    await expectNothingWritten((d) => [PYTORCH, `${d}/`], ["names a folder, not a file"]);
  });

  it("an existing output without --overwrite (left untouched)", async () => {
    const r = await expectNothingWritten((d) => [PYTORCH, join(d, "out.zip")], ["output already exists", "--overwrite"], {
      "out.zip": strToU8("old"),
    });
    expect(r.stdout).toBe("");
  });

  it("a licence that is not an SPDX id", async () => {
    await expectNothingWritten(
      (d) => [PYTORCH, join(d, "out.zip"), "--license", "apache-2.0"],
      ["--license", "not an SPDX licence id", "did you mean Apache-2.0?"],
    );
  });

  it("a citation without DOI or URL", async () => {
    await expectNothingWritten((d) => [PYTORCH, join(d, "out.zip"), "--cite", "Some paper, 2020"], ["--cite", "names no DOI or URL"]);
  });

  it("an empty author, a bad name, a bad pixel type", async () => {
    await expectNothingWritten((d) => [PYTORCH, join(d, "out.zip"), "--author", " "], ["--author", "empty"]);
    await expectNothingWritten((d) => [PYTORCH, join(d, "out.zip"), "--name", "a/b"], ["--name", "not a valid bioimage.io model name"]);
    await expectNothingWritten((d) => [PYTORCH, join(d, "out.zip"), "--pixel-type", "uint32"], ["--pixel-type", "uint32"]);
  });

  it("a missing or float test image", async () => {
    await expectNothingWritten((d) => [PYTORCH, join(d, "out.zip"), "--test-image", join(d, "nope.png")], ["nope.png: file not found"]);
    await expectNothingWritten(
      (d) => [PYTORCH, join(d, "out.zip"), "--test-image", fixture("io", "tiled_deflate_f32.tif")],
      ["tiled_deflate_f32.tif", "float32 samples", "8- or 16-bit"],
    );
  });

  it("with --json the error is also a JSON document on stdout", async () => {
    const r = await expectNothingWritten((d) => [join(d, "nope.czann"), join(d, "out.zip"), "--json"], ["file not found"]);
    expect(parseJson(r)).toMatchObject({ ok: false, error: { code: "IO" } });
  });
});

describe("export-bioimageio odds and ends", () => {
  it("--help shows the options and an example", async () => {
    const r = await czmodel("export-bioimageio", "--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Example:\n\s+czmodel export-bioimageio nuclei\.czann nuclei\.bioimageio\.zip --author/);
    for (const o of ["--author", "--license", "--cite", "--test-image", "--pixel-type", "--json"]) expect(r.stdout).toContain(o);
    expect((await czmodel("--help")).stdout).toContain("export-bioimageio");
  });

  it("makes a valid package from a synthetic test image, with warnings for what bioimage.io asks for", async () => {
    const dir = await scratchDir("bioimageio-synth-");
    const r = await czmodel("export-bioimageio", PYTORCH, join(dir, "p.zip"), "--json");
    expect(r.status, r.stderr).toBe(0);
    const json = parseJson(r);
    expect(json).toMatchObject({ testInput: { kind: "synthetic" }, pixelType: "uint16" });
    expect((json.warnings as string[]).join("\n")).toMatch(/no --author[\s\S]*no --license[\s\S]*no --cite/);
    await unzipTo(join(dir, "p.zip"), join(dir, "p"));
    const rdf = await readRdf(join(dir, "p"));
    expect(rdf.authors).toBeUndefined();
    expect(rdf.license).toBeUndefined();
    expect(await ajvErrors(rdf)).toEqual([]);
    expect((await pythonCheck(join(dir, "p"))).errors).toEqual([]);
    expect(await readFile(join(dir, "p", "README.md"), "utf8")).toContain("a synthetic image of Gaussian blobs");
  });

  it("turns class names into identifiers, keeps the ZEN names, rounds an odd border up to an even halo, attaches the licence", async () => {
    const licence = join(work, "LICENSE.txt");
    await writeFile(licence, "Use freely.\n");
    const model = join(work, "awkward.czann");
    const packed = await czmodel(
      "pack",
      onnx512,
      "--type",
      "SingleClassSemanticSegmentation",
      "--classes",
      "Cell border,class",
      "--min-overlap",
      "6,6",
      "--name",
      "Nuclei v2.1 (ü)",
      "--license",
      licence,
      "--out",
      model,
    );
    expect(packed.status, packed.stderr).toBe(0);
    const dir = await scratchDir("bioimageio-awkward-");
    const r = await czmodel(
      "export-bioimageio",
      model,
      join(dir, "p.zip"),
      "--test-image",
      testdata("images", "nuclei_0000.png"),
      "--json",
    );
    expect(r.status, r.stderr).toBe(0);
    const json = parseJson(r);
    expect(json).toMatchObject({ name: "Nuclei v2_1 (_)", halo: [4, 4], outputChannels: ["Cell_border", "class_"] });
    expect((json.warnings as string[]).join("\n")).toContain("even halo");
    const out = join(dir, "p");
    const entries = await unzipTo(join(dir, "p.zip"), out);
    expect(entries).toContain("LICENSE.txt");
    const rdf = await readRdf(out);
    expect(await ajvErrors(rdf)).toEqual([]);
    const py = await pythonCheck(out);
    expect(py.errors).toEqual([]);
    expect(py.hashes["LICENSE.txt"]!.declared).toBe(py.hashes["LICENSE.txt"]!.actual);
    expect((rdf.config as { czmodel: { classes: { name: string; channel: string }[]; border: number[] } }).czmodel).toMatchObject({
      border: [3, 3],
      classes: [
        { name: "Cell border", channel: "Cell_border" },
        { name: "class", channel: "class_" },
      ],
    });
    const readme = await readFile(join(out, "README.md"), "utf8");
    expect(readme).toContain("| `Cell_border` | Cell border | 1 |");
    expect(readme).toContain("rounded up to an even number");
    expect(readme).toContain("`LICENSE.txt`: the licence file packed in the model file");
  });

  it("declares no halo for a model file that names no border", async () => {
    const model = join(work, "noborder.czann");
    const packed = await czmodel("pack", onnx512, "--type", "Regression", "--out", model);
    expect(packed.status, packed.stderr).toBe(0);
    const dir = await scratchDir("bioimageio-noborder-");
    const r = await czmodel("export-bioimageio", model, join(dir, "p.zip"), "--json");
    expect(r.status, r.stderr).toBe(0);
    expect((parseJson(r).warnings as string[]).join("\n")).toContain("names no context border");
    await unzipTo(join(dir, "p.zip"), join(dir, "p"));
    const rdf = (await readRdf(join(dir, "p"))) as { outputs: { axes: Record<string, unknown>[] }[] };
    expect(rdf.outputs[0]!.axes.map((a) => a.halo)).toEqual([undefined, undefined, undefined, undefined]);
    expect(await ajvErrors(rdf)).toEqual([]);
    expect((await pythonCheck(join(dir, "p"))).errors).toEqual([]);
  });

  it("knows the SPDX ids of the bioimage.io 0.5.7 schema", async () => {
    const schema = JSON.parse(await readFile(SCHEMA_PATH, "utf8")) as {
      $defs: Record<string, { properties: Record<string, { anyOf: { enum?: string[] }[] }> }>;
    };
    const [ids, deprecated] = schema.$defs.bioimageio__spec__model__v0_5__ModelDescr!.properties.license!.anyOf;
    expect([...SPDX_LICENSE_IDS].sort()).toEqual([...ids!.enum!].sort());
    expect([...DEPRECATED_SPDX_LICENSE_IDS].sort()).toEqual([...deprecated!.enum!].sort());
  });
});

describe("export-bioimageio: Ctrl-C", () => {
  it("SIGINT while the package is being made exits 130 and leaves nothing behind", async () => {
    const dir = await scratchDir("bioimageio-sigint-");
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, "bin", "czmodel.js"),
        "export-bioimageio",
        testdata("models", "simple_nuclei_segmodel.czann"),
        join(dir, "p.zip"),
        "--test-image",
        testdata("images", "nuclei_0000.png"),
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // the output is claimed (a hidden temp file) before any work: interrupt once it is there
    const deadline = Date.now() + 20_000;
    while ((await readdir(dir)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await readdir(dir)).toHaveLength(1);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/^czmodel: error: [^\n]*cancelled[^\n]*\n$|^czmodel: error: [^\n]*interrupted[^\n]*\n$/);
    expect(await readdir(dir)).toEqual([]);
  });
});
