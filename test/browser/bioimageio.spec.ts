/**
 * bioimage.io import on the Pack tab in headless Chromium, on the real packages in
 * ../shared/testdata/bioimageio zipped here (the nuclei one inside a top folder, as
 * bioimage.io's downloads are): the page fills the form, shows the tile, pixel type, ops,
 * warnings and the test-tensor check, and the downloaded .czann holds the metadata and the
 * same ONNX as `czmodel import` of the same package in Node; an edited form downloads a file
 * with the edits. Refused packages (several tensors, a SHA-256 mismatch, a zip that is no
 * package) show the library's own one-line message.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { zipSync, type Zippable } from "fflate";
import { importPackage } from "../../src/bioimageio/import.js";
import { loadPackage, zipPackage } from "../../src/bioimageio/package.js";
import { readModelFile } from "../../src/container/node/index.js";
import type { OrtRuntime } from "../../src/engine/types.js";
import type { ModelMetadata } from "../../src/metadata/index.js";
import { repoRoot, testdata } from "../helpers/paths.js";
import { downloadFrom, openPage, screenshot, unexpectedErrors, type PageSession } from "./helpers.js";

const NUCLEI = testdata("bioimageio", "unet2d_nuclei_broad");
const MULTI = testdata("bioimageio", "unet2d_multi_tensor");

/** The files of a package folder as a zip, under `top/` when given. */
async function zipFolder(
  folder: string,
  top = "",
  change: (name: string, bytes: Uint8Array) => Uint8Array = (_, b) => b,
): Promise<Uint8Array> {
  const files: Zippable = {};
  for (const name of (await readdir(folder)).sort()) files[top + name] = change(name, new Uint8Array(await readFile(join(folder, name))));
  return zipSync(files);
}

/** The message the library gives when importing this zip (refused before any model runs, so no runtime is needed). */
async function importMessage(bytes: Uint8Array, name: string): Promise<string> {
  try {
    await importPackage(await loadPackage(zipPackage(bytes, name)), { runtime: {} as unknown as OrtRuntime });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`importing ${name} did not fail`);
}

describe("bioimage.io package on the Pack tab", () => {
  let s: PageSession;
  const zipPath = (name: string) => join(s.dir, name);

  before(async () => {
    s = await openPage("#pack");
    await writeFile(zipPath("unet2d_nuclei_broad.zip"), await zipFolder(NUCLEI, "unet2d_nuclei_broad/"));
  });
  after(async () => {
    await s?.close();
  });

  /** Load a zip into the Pack tab; resolves when the import finished or failed (the view is no longer aria-busy). */
  async function load(name: string, bytes?: Uint8Array): Promise<void> {
    if (bytes) await writeFile(zipPath(name), bytes);
    await s.page.setInputFiles("#pack-onnx", zipPath(name));
    await s.page.locator("#pack-view:not([aria-busy])").waitFor({ timeout: 120_000 });
  }

  async function shownError(): Promise<string> {
    return (await s.page.locator("#pack-error .error-message").textContent()) ?? "";
  }

  it("a package with several tensors shows the library's refusal", async () => {
    const bytes = await zipFolder(MULTI);
    const expected = await importMessage(bytes, "unet2d_multi_tensor.zip");
    assert.match(expected, /2 input\(s\) \(input0, input1\) and 2 output\(s\).*exactly one image in/);
    await load("unet2d_multi_tensor.zip", bytes);
    assert.equal(await shownError(), expected);
    assert.equal(await s.page.locator("#pack-form").isVisible(), false);
    assert.equal(await s.page.locator("#pack-import").textContent(), "");
    await screenshot(s.page, "bioimageio-multi-tensor");
  });

  it("a weights file that does not match its SHA-256, and a zip without a description, show the library's messages", async () => {
    const tampered = await zipFolder(NUCLEI, "", (name, b) =>
      name === "weights.onnx" ? b.map((v, i) => (i === b.length - 1 ? v ^ 1 : v)) : b,
    );
    const expected = await importMessage(tampered, "tampered.zip");
    assert.match(expected, /weights\.onnx has SHA-256 [0-9a-f]{64}, but the description says 85f5ac80/);
    await load("tampered.zip", tampered);
    assert.equal(await shownError(), expected);

    const notPackage = zipSync({ "notes/readme.txt": new TextEncoder().encode("not a model") });
    const noRdf = await importMessage(notPackage, "notes.zip");
    assert.match(noRdf, /holds no bioimage\.io description/);
    await load("notes.zip", notPackage);
    assert.equal(await shownError(), noRdf);
  });

  it("imports the nuclei package: form, tile, pixel type, ops, warnings and a passed test-tensor check", async () => {
    const { page } = s;
    await load("unet2d_nuclei_broad.zip");
    const error = await page.locator("#pack-error .error-message").count();
    assert.equal(error, 0, error ? `the page shows an error: ${await shownError()}` : "");
    assert.equal(await page.inputValue("#pack-format"), "czann");
    assert.equal(await page.inputValue("#pack-name"), "UNet 2D Nuclei Broad");
    assert.equal(await page.inputValue("#pack-type"), "SingleClassSemanticSegmentation");
    assert.deepEqual(await page.locator("#pack-classes .class-name").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)), [
      "probability",
      "Background",
    ]);
    assert.equal(await page.inputValue("#pack-overlap"), "64, 64");
    assert.equal(await page.inputValue("#pack-scaling"), "");
    assert.equal(await page.locator("#pack-import-tile").textContent(), "512 × 512");
    assert.equal(await page.locator("#pack-import-pixel-type").textContent(), "uint16");
    const pre = await page.locator("#pack-import-pre li").allTextContents();
    assert.ok(
      pre.some((o) => o.startsWith("zero-mean-unit-variance=per-channel/")),
      `pre-processing ops: ${pre.join(", ")}`,
    );
    assert.ok((await page.locator("#pack-import-post li").allTextContents()).includes("sigmoid-to-softmax-scores"));
    assert.match((await page.locator("#pack-import-test").textContent()) ?? "", /^Test tensors: passed/);
    assert.match((await page.locator("#pack-import-flips").textContent()) ?? "", /^0 of 262144 pixels$/);
    assert.match((await page.locator("#pack-import-mismatched").textContent()) ?? "", /^\d+ of 262144 /);
    assert.match((await page.locator("#pack-import-maxdiff").textContent()) ?? "", /^\d\.\d\de[-+]\d+$/);
    assert.match(
      (await page.locator("#pack-import-warnings").textContent()) ?? "",
      /per-sample statistics; ZEN computes them per 512×512 tile/,
    );
    assert.deepEqual(await page.locator("#pack-messages li.error").allTextContents(), []);
    assert.equal(await page.locator("#pack-download").isDisabled(), false);
    await screenshot(page, "bioimageio-nuclei");
  });

  it("downloads the imported .czann: the metadata and ONNX of `czmodel import` of the same package", async () => {
    const { page } = s;
    const { path, name } = await downloadFrom(page, "#pack-download", s.dir);
    assert.equal(name, "UNet 2D Nuclei Broad.czann");
    assert.match((await page.locator("#pack-result").textContent()) ?? "", /as checked on its test tensors/);
    const file = await readModelFile(path);
    assert.equal(file.format, "czann");
    const m = file.metadata as ModelMetadata;
    assert.equal(m.modelName, "UNet 2D Nuclei Broad");
    assert.equal(m.type, "SingleClassSemanticSegmentation");
    assert.deepEqual(m.inputShape, [512, 512, 1]);
    assert.deepEqual(m.outputShape, [512, 512, 2]);
    assert.deepEqual(m.minOverlap, [64, 64]);
    assert.deepEqual(m.classes, ["probability", "Background"]);

    const cliPath = join(s.dir, "cli.czann");
    await promisify(execFile)(process.execPath, [join(repoRoot, "bin", "czmodel.js"), "import", NUCLEI, "-o", cliPath], { cwd: repoRoot });
    const cli = await readModelFile(cliPath);
    const withoutId = (x: ModelMetadata) => ({ ...x.toJson({ includeExtra: true }), Id: undefined });
    assert.deepEqual(JSON.parse(JSON.stringify(withoutId(m))), JSON.parse(JSON.stringify(withoutId(cli.metadata as ModelMetadata))));
    assert.ok(Buffer.from(file.modelBytes).equals(Buffer.from(cli.modelBytes)), "the page's ONNX equals czmodel import's");
    // LICENSE.txt names where the package came from: the .zip here, the folder there
    const text = (f: { license: { bytes: Uint8Array } | null }) => new TextDecoder().decode(f.license?.bytes);
    assert.match(text(file), /^SPDX-License-Identifier: MIT\n[\s\S]*Imported from the bioimage\.io package unet2d_nuclei_broad\.zip /);
    assert.equal(text(file).replace("unet2d_nuclei_broad.zip", "unet2d_nuclei_broad"), text(cli));
    assert.deepEqual(
      file.entries.map((e) => e.name),
      cli.entries.map((e) => e.name),
    );
  });

  it("an edited form downloads a file with the edits, the imported graph and description kept", async () => {
    const { page } = s;
    const imported = await readModelFile(join(s.dir, "UNet 2D Nuclei Broad.czann"));
    await page.fill("#pack-name", "Nuclei (edited)");
    await page.fill("#pack-classes li:nth-child(1) .class-name", "Nucleus");
    await page.locator("#pack-messages li.error, #pack-messages li.ok, #pack-messages li.warning").first().waitFor();
    const { path, name } = await downloadFrom(page, "#pack-download", s.dir);
    assert.equal(name, "Nuclei (edited).czann");
    assert.match((await page.locator("#pack-result").textContent()) ?? "", /re-packed with your edits/);
    const file = await readModelFile(path);
    const m = file.metadata as ModelMetadata;
    const before = imported.metadata as ModelMetadata;
    assert.equal(m.modelName, "Nuclei (edited)");
    assert.deepEqual(m.classes, ["Nucleus", "Background"]);
    assert.equal(m.id, before.id);
    assert.deepEqual(m.extra, before.extra);
    assert.ok(Buffer.from(file.modelBytes).equals(Buffer.from(imported.modelBytes)), "the graph is the imported one");
    assert.deepEqual(file.license, imported.license);
    await screenshot(page, "bioimageio-nuclei-edited");

    // a legacy .czmodel would get raw intensities, but the imported graph multiplies by 65535
    await page.selectOption("#pack-format", "czmodel");
    await page.locator("#pack-messages li.error", { hasText: "File format" }).waitFor();
    assert.equal(await page.getAttribute("#pack-format", "aria-invalid"), "true");
    assert.equal(await page.locator("#pack-download").isDisabled(), true);
    await page.selectOption("#pack-format", "czann");
    await page.locator("#pack-download:enabled").waitFor();
  });

  it("a package whose test output the model does not reproduce shows the failure and needs 'write anyway'", async () => {
    const { page } = s;
    // the nuclei package with its test output inverted (p → 1 − p) and that file's SHA-256 dropped
    const bytes = await zipFolder(NUCLEI, "", (name, b) => {
      if (name === "rdf.yaml")
        return new TextEncoder().encode(new TextDecoder().decode(b).replace(/\r?\n[ \t]*sha256: 39925fb38bc7[0-9a-f]*/, ""));
      if (name !== "test_output.npy") return b;
      const out = b.slice();
      const start = 10 + new DataView(out.buffer).getUint16(8, true);
      const values = new Float32Array(out.buffer, start, (out.length - start) / 4);
      for (let i = 0; i < values.length; i++) values[i] = 1 - values[i]!;
      return out;
    });
    await load("inverted.zip", bytes);
    assert.match((await page.locator("#pack-import-test").textContent()) ?? "", /^Test tensors: failed/);
    const flips = Number(/^(\d+) of 262144 pixels$/.exec((await page.locator("#pack-import-flips").textContent()) ?? "")?.[1]);
    assert.ok(flips > 100_000, `label flips: ${flips}`);
    await page.locator("#pack-messages li.error", { hasText: "does not reproduce the package's test output" }).waitFor();
    assert.equal(await page.locator("#pack-download").isDisabled(), true);
    await page.check("#pack-force");
    await page.locator("#pack-download:enabled").waitFor();
    await screenshot(page, "bioimageio-test-failed");
    assert.deepEqual(unexpectedErrors(s.errors), []);
  });
});
