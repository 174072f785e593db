/**
 * Bad bioimage.io packages given to `czmodel import`: each is one line on stderr, exit 2, and
 * nothing written. The packages are copies of the real unet2d_nuclei_broad in a temp folder
 * with one thing broken (YAML, weights, SHA-256, processing step, sizes, paths), plus zips
 * with a zip-slip entry.
 */
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { czmodel, expectOneLineError, listTree, scratchDir } from "../cli/helpers.js";
import { testdata } from "../helpers/paths.js";

const NUCLEI = testdata("bioimageio", "unet2d_nuclei_broad");

/** A copy of the nuclei package with `edit` applied to its rdf.yaml text. */
async function brokenPackage(
  edit: (rdf: string) => string,
  also?: (dir: string) => Promise<void>,
): Promise<{ pkg: string; out: string; outDir: string }> {
  const root = await scratchDir("czmodel-bad-pkg-");
  const pkg = join(root, "pkg");
  await cp(NUCLEI, pkg, { recursive: true });
  await rm(join(pkg, "v0_4_9.bioimageio.yaml"));
  const rdf = join(pkg, "rdf.yaml");
  await writeFile(rdf, edit(await readFile(rdf, "utf8")));
  await also?.(pkg);
  const outDir = join(root, "out");
  return { pkg, out: join(outDir, "m.czann"), outDir };
}

async function expectRefused(pkgOrZip: string, out: string, outDir: string, patterns: (RegExp | string)[]): Promise<void> {
  const r = await czmodel("import", pkgOrZip, "-o", out);
  expectOneLineError(r, patterns);
  expect(await listTree(outDir)).toBeNull();
}

describe("czmodel import refuses bad packages in one line, exit 2, nothing written", () => {
  it("broken YAML", async () => {
    const b = await brokenPackage((t) => t.replace(/inputs:\r?\n/, "inputs:\n\t- id: tab-indented\n"));
    await expectRefused(b.pkg, b.out, b.outDir, [/rdf\.yaml: is not valid YAML at line \d+/]);
  });

  it("missing weights file", async () => {
    const b = await brokenPackage(
      (t) => t,
      (dir) => rm(join(dir, "weights.onnx")),
    );
    await expectRefused(b.pkg, b.out, b.outDir, [/the package has no file weights\.onnx/]);
  });

  it("wrong SHA-256 of the weights", async () => {
    const b = await brokenPackage((t) => t.replace("85f5ac80fa977fea3562ef97c8c5950288be2c4f4cdb5d994807df97008ce088", "ab".repeat(32)));
    await expectRefused(b.pkg, b.out, b.outDir, [/weights\.onnx has SHA-256 85f5ac80.*but the description says abab/]);
  });

  it("wrong SHA-256 of a test tensor", async () => {
    const b = await brokenPackage((t) => t.replace("92768a2e0f2643c80b57afa5494019a5aafe5b0d92fe36ae740763adf3594a57", "cd".repeat(32)));
    await expectRefused(b.pkg, b.out, b.outDir, [/test_input\.npy has SHA-256/]);
  });

  it("an unknown processing step", async () => {
    const b = await brokenPackage((t) => t.replace("- id: sigmoid", "- id: frobnicate"));
    await expectRefused(b.pkg, b.out, b.outDir, [/postprocessing\[0\]: unknown processing step "frobnicate"/, /allowed: .*scale_range/]);
  });

  it("absurd sizes", async () => {
    const b = await brokenPackage((t) => t.replace(/- size: 512\r?\n(\s+)id: y/, "- size: 99999999\n$1id: y"));
    await expectRefused(b.pkg, b.out, b.outDir, [/99999999/]);
  });

  it("an absurd halo", async () => {
    const b = await brokenPackage((t) => t.replace(/halo: 32/g, "halo: 400"));
    await expectRefused(b.pkg, b.out, b.outDir, [/halo 400 leaves no tile centre/]);
  });

  it("a source that leaves the package", async () => {
    const b = await brokenPackage((t) => t.replace("source: weights.onnx", "source: ../../../etc/passwd"));
    await expectRefused(b.pkg, b.out, b.outDir, [/contains '\.\.'; refusing/]);
  });

  it("weights given only as a URL", async () => {
    const b = await brokenPackage((t) => t.replace("source: weights.onnx", "source: https://example.com/weights.onnx"));
    await expectRefused(b.pkg, b.out, b.outDir, [/is a URL; files are read only from inside the package/]);
  });

  it("no ONNX weights names the formats present and how to export", async () => {
    const b = await brokenPackage((t) =>
      t.replace(/ {2}onnx:\r?\n {4}source: weights.onnx\r?\n( {4}.*\r?\n)+?(?= {2}pytorch_state_dict)/, ""),
    );
    await expectRefused(b.pkg, b.out, b.outDir, [/no ONNX weights \(it has pytorch_state_dict, torchscript\)/, /torch\.onnx\.export/]);
  });

  it("a zip with a zip-slip entry", async () => {
    const root = await scratchDir("czmodel-bad-zip-");
    const zip = join(root, "evil.zip");
    const rdf = new Uint8Array(await readFile(join(NUCLEI, "rdf.yaml")));
    await writeFile(zip, zipSync({ "rdf.yaml": rdf, "../evil.txt": new TextEncoder().encode("x") }));
    await expectRefused(zip, join(root, "out", "m.czann"), join(root, "out"), [/"\.\.\/evil\.txt" contains '\.\.'; refusing/]);
  });

  it("a file that is not a package", async () => {
    const root = await scratchDir("czmodel-bad-zip-");
    const junk = join(root, "junk.bin");
    await writeFile(junk, "not a zip at all");
    await expectRefused(junk, join(root, "out", "m.czann"), join(root, "out"), [/is neither a folder, a \.zip nor a YAML description/]);
  });
});
